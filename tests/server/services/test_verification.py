"""Verified businesses (营业执照), as posters, browsers and operators see them: a licence photo read by WeChat's
OCR (the fake WeChat, over HTTP), approved by an operator, shown as `verified` on every 招聘 and 招租 posting of
its owner (lists served by the engine, details), filtered by `verified_only`; revoked or expired, gone again
through the outbox; one registration number for one account at a time; the photo private."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime, timedelta

import httpx
import pytest
from PIL import Image

from indexer.sync import drain
from models.moderation import ModerationAction
from models.outbox import IndexOutbox
from models.shop import Shop
from models.verification import APPROVED, PENDING, READING, BusinessVerification, LicenceClaim
from search.index import ensure_alias
from sections.shops import SHOPS
from server.providers.licence_reader import Licence, WeChatLicenceReader, valid_until
from server.providers.wechat_api import WeChatApi
from server.services import verification
from server.services.errors import LicenceInUse
from tests.fakes.wechat import APPID, SECRET, FakeWeChat, licence_fields
from tests.helpers.api import login_as
from tests.helpers.commands import moderation_command
from tests.helpers.postings import post

NAME = "长沙某某餐饮有限公司"
RED, BLUE, GREY = (200, 30, 30), (30, 30, 200), (128, 128, 128)
GPS = 0x8825


def photo(colour, fmt: str = "PNG", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format=fmt, **save)
    return out.getvalue()


@pytest.fixture
async def ocr(client, app):
    """The app's licence reader: the real provider against a fake WeChat, which reads RED as NAME's licence."""
    fake = await FakeWeChat().start()
    fake.licences[RED] = licence_fields("91430100MA4L000001", NAME)
    api = WeChatApi(APPID, SECRET, fake.url, app.ctx.cache, timeout=5)
    development, app.ctx.licence_reader = app.ctx.licence_reader, WeChatLicenceReader(api)
    yield fake
    app.ctx.licence_reader = development
    await api.close()
    await fake.stop()


async def send(client, headers, data: bytes, name: str = "licence.png") -> httpx.Response:
    return await client.post("/verify/business", files={"file": (name, data, "image/png")}, headers=headers)


async def submitted(client, headers, colour=RED) -> dict:
    response = await send(client, headers, photo(colour))
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def listed(client, path: str, **filters) -> dict[int, object]:
    response = await client.post(path, json={"query_type": 3, "page_size": 50, "filter": filters})
    assert response.status_code == 200, response.text
    section = path.split("/")[1]
    return {item["id"]: item.get("verified", "absent") for item in response.json()["data"][section]}


async def detail(client, path: str, field: str, posting_id: int):
    response = await client.post(path, json={field: posting_id})
    assert response.status_code == 200, response.text
    return response.json()["data"].get("verified", "absent")


async def test_an_approved_licence_labels_the_owners_jobs_and_shops_in_lists_details_and_the_filter(client, app, ocr):
    poster, other = await login_as(client, "restaurant"), await login_as(client, "other")
    job, shop = await post(client, poster, "jobs"), await post(client, poster, "shops")
    card = await post(client, poster, "seekers")
    unverified_job = await post(client, other, "jobs")
    sent = await submitted(client, poster)
    assert (sent["status"], sent["enterprise_name"], sent["registration_number"]) == (
        PENDING, NAME, "91430100MA4L000001")
    await drain(app.ctx.search.client)
    assert await listed(client, "/jobs/list") == {job: None, unverified_job: None}  # waiting: no label yet

    done = await verification.approve(sent["id"], "li", "licence checked")
    assert done["postings"] == 2  # the job and the shop; the card is a person's, its section carries no label
    label = {"type": "business", "name": NAME}
    assert await listed(client, "/jobs/list") == {job: None, unverified_job: None}  # the index follows the outbox
    await drain(app.ctx.search.client)
    assert await listed(client, "/jobs/list") == {job: label, unverified_job: None}
    assert await listed(client, "/jobs/list", verified_only=True) == {job: label}
    assert await listed(client, "/shops/list", verified_only=True) == {shop: label}
    assert await detail(client, "/jobs/info", "job_id", job) == label
    assert await detail(client, "/shops/info", "shop_id", shop) == label
    assert await listed(client, "/seekers/list") == {card: "absent"}
    # A posting published after the approval carries it from the start.
    later = await post(client, poster, "jobs", positions="厨师")
    await drain(app.ctx.search.client)
    assert (await listed(client, "/jobs/list", verified_only=True)) == {job: label, later: label}
    assert await ModerationAction.filter(action="verify_approve", target_id=sent["id"], actor="li").exists()
    mine = await client.get("/verify/business", headers=poster)
    assert mine.json()["data"]["submission"]["status"] == APPROVED


async def test_a_revoked_or_expired_licence_leaves_every_posting_through_the_outbox(client, app, ocr, travel):
    travel(datetime(2026, 12, 7, 12, 0))
    ocr.licences[BLUE] = licence_fields("91430100MA4L000002", "湘某餐饮店", "2020年01月01日至2027年01月01日")
    revoked, expiring = await login_as(client, "revoked"), await login_as(client, "expiring")
    revoked_job, expiring_job = await post(client, revoked, "jobs"), await post(client, expiring, "jobs")
    expiring_shop = await post(client, expiring, "shops")
    for headers, colour in ((revoked, RED), (expiring, BLUE)):
        await verification.approve((await submitted(client, headers, colour))["id"], "li", "ok")
    await drain(app.ctx.search.client)
    assert set((await listed(client, "/jobs/list", verified_only=True))) == {revoked_job, expiring_job}

    await verification.revoke(int(revoked["user_id"]), "li", "licence borrowed from another restaurant")
    assert await IndexOutbox.filter(posting_id=revoked_job, reason="verify").count() == 1  # waiting for the drainer
    await drain(app.ctx.search.client)
    assert set((await listed(client, "/jobs/list", verified_only=True))) == {expiring_job}
    assert await detail(client, "/jobs/info", "job_id", revoked_job) is None
    assert await LicenceClaim.filter(registration_number="91430100MA4L000001").count() == 0  # free again

    assert await verification.expire_due() == []  # valid through 2027-01-01
    travel(datetime(2027, 1, 2, 0, 1))
    [expired] = await verification.expire_due()
    await drain(app.ctx.search.client)
    assert await listed(client, "/jobs/list", verified_only=True) == {}
    assert await listed(client, "/shops/list") == {expiring_shop: None}
    assert await ModerationAction.filter(action="verify_expire", target_id=expired, actor="system").exists()


async def test_a_photo_that_is_no_licence_is_a_400_that_says_so_and_keeps_nothing(client, app, ocr, settings):
    poster = await login_as(client, "restaurant")
    response = await send(client, poster, photo(GREY))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and "not a readable business licence" in body["message"]
    not_an_image = await send(client, poster, b"%PDF-1.4 scanned licence")
    assert not_an_image.status_code == 400 and not_an_image.json()["code"] == 400
    assert await BusinessVerification.all().count() == 0
    assert not list((settings.data_dir / "uploads" / "private").rglob(f"{poster['user_id']}_*"))
    assert ocr.calls["bizlicense"] == 1  # the non-image never reached WeChat


async def test_an_ocr_quota_error_keeps_the_licence_waiting_and_a_later_round_reads_it(client, app, ocr):
    poster = await login_as(client, "restaurant")
    ocr.ocr_busy = True
    sent = await submitted(client, poster)
    assert (sent["status"], sent["enterprise_name"]) == (READING, "")
    again = await send(client, poster, photo(RED))  # one waiting submission at a time
    assert again.status_code == 400 and "still waiting" in again.json()["message"]
    assert await verification.read_waiting(app.ctx.storage, app.ctx.licence_reader) == {
        "read": 0, "unreadable": 0, "waiting": 1}
    ocr.ocr_busy = False
    assert (await verification.read_waiting(app.ctx.storage, app.ctx.licence_reader))["read"] == 1
    row = await BusinessVerification.get(id=sent["id"])
    assert (row.status, row.enterprise_name, row.read_attempts) == (PENDING, NAME, 2)


async def test_two_accounts_sending_one_licence_at_once_leave_one_holder_and_one_duplicate(client, app, ocr):
    first, second = await login_as(client, "first"), await login_as(client, "second")
    # Both requests are at WeChat's OCR together (the barrier lets them through only as a pair): each has
    # passed every look before either claims the registration number.
    ocr.ocr_meeting = asyncio.Barrier(2)
    answers = await asyncio.gather(send(client, first, photo(RED)), send(client, second, photo(RED)))
    assert [answer.status_code for answer in answers] == [200, 200]
    rows = await BusinessVerification.all().order_by("id")
    assert [row.status for row in rows] == [PENDING, PENDING]
    [holder] = [row for row in rows if row.duplicate_of is None]
    [duplicate] = [row for row in rows if row.duplicate_of is not None]
    assert duplicate.duplicate_of == holder.id
    assert (await LicenceClaim.get(registration_number="91430100MA4L000001")).user_id == holder.user_id
    listed_rows = {row["id"]: row for row in await verification.waiting()}
    assert listed_rows[duplicate.id]["duplicate_of"] == holder.id

    with pytest.raises(LicenceInUse):
        await verification.approve(duplicate.id, "li", "looks fine")
    assert (await BusinessVerification.get(id=duplicate.id)).status == PENDING
    await verification.reject(holder.id, "li", "not their restaurant")
    await verification.approve(duplicate.id, "li", "the licence's real owner")
    assert (await LicenceClaim.get(registration_number="91430100MA4L000001")).user_id == duplicate.user_id


async def test_the_licence_photo_is_private_without_gps_and_read_through_a_short_signed_url(client, app, ocr, settings,
                                                                                           travel):
    poster = await login_as(client, "restaurant")
    exif = Image.Exif()
    exif[GPS] = {2: (28.0, 12.0, 0.0), 4: (112.0, 58.0, 0.0)}
    exif[0x0112] = 6
    sent = photo(RED, "JPEG", exif=exif.tobytes(), quality=100)
    assert GPS in Image.open(io.BytesIO(sent)).getexif()
    response = await send(client, poster, sent, "licence.jpg")
    assert response.status_code == 200, response.text
    row = await BusinessVerification.get(id=response.json()["data"]["id"])
    assert row.image_key.startswith("private/licence/") and "http" not in row.image_key
    assert GPS not in Image.open(io.BytesIO(ocr.ocr_images[-1])).getexif()
    stored = Image.open(io.BytesIO((settings.data_dir / "uploads" / row.image_key).read_bytes()))
    assert GPS not in stored.getexif() and stored.getexif()[0x0112] == 6
    assert (await client.get(f"/uploads/{row.image_key}")).status_code == 404  # no public URL reads it

    travel(datetime(2026, 12, 7, 12, 0))
    url = httpx.URL(await verification.licence_url(app.ctx.storage, row.id, settings.licence_url_seconds))
    served = await client.get(url.raw_path.decode())
    assert served.status_code == 200 and "no-store" in served.headers["cache-control"]
    assert GPS not in Image.open(io.BytesIO(served.content)).getexif()
    tampered = url.raw_path.decode().replace("signature=", "signature=0")
    assert (await client.get(tampered)).status_code == 404
    travel(datetime(2026, 12, 7, 12, 0) + timedelta(seconds=settings.licence_url_seconds + 1))
    assert (await client.get(url.raw_path.decode())).status_code == 404  # expired


async def test_an_index_from_before_the_label_gets_the_field_at_start_and_its_documents_with_the_approval(
        client, app, ocr):
    """Upgrading: `ensure_alias` adds `verified` to the existing shops index; documents written before stay
    valid (no label, left out by verified_only) and an approval rewrites its owner's through the outbox."""
    poster = await login_as(client, "restaurant")
    shop = await post(client, poster, "shops")
    engine = app.ctx.search.client
    for name in (await engine.indices.get(index=f"{SHOPS.name}_v*")).body:
        await engine.indices.delete(index=name)
    before = SHOPS.definition()
    del before["mappings"]["properties"]["verified"]
    await engine.indices.create(index=f"{SHOPS.name}_v1", **before, aliases={SHOPS.name: {}})
    row = await Shop.get(id=shop)
    old = {name: value for name, value in SHOPS.document(row).items() if name != "verified"}
    await engine.index(index=SHOPS.name, id=str(shop), document=old, version=row.version, version_type="external",
                       refresh=True)
    await IndexOutbox.all().delete()
    await ensure_alias(engine, SHOPS)  # what every start does
    mapping = (await engine.indices.get_mapping(index=SHOPS.name)).body[f"{SHOPS.name}_v1"]["mappings"]
    assert "name" in mapping["properties"]["verified"]["properties"]
    assert await listed(client, "/shops/list") == {shop: None}
    assert await listed(client, "/shops/list", verified_only=True) == {}

    await verification.approve((await submitted(client, poster))["id"], "li", "ok")
    await drain(engine)
    assert await listed(client, "/shops/list", verified_only=True) == {shop: {"type": "business", "name": NAME}}


async def test_the_operators_commands_list_show_approve_and_revoke_audited(client, app, ocr, settings, server):
    poster = await login_as(client, "restaurant")
    job = await post(client, poster, "jobs")
    sent = await submitted(client, poster)
    run = moderation_command(settings)
    code, out, err = await run("verifications")
    assert code == 0, err
    [line] = [line for line in out.splitlines() if line.startswith(f"id={sent['id']}\t")]
    row = dict(part.split("=", 1) for part in line.split("\t"))
    assert (row["enterprise_name"], row["status"], row["duplicate_of"]) == (NAME, PENDING, "")
    # The command's signed URL is the app's (the same local storage, the same key beside the files).
    photo_url = httpx.URL(row["licence_url"])
    assert (await client.get(photo_url.raw_path.decode())).status_code == 200

    assert (await run("verify-approve", str(sent["id"]), "--by", "li", "--reason", "matches the shop"))[0] == 0
    await drain(app.ctx.search.client)
    assert await listed(client, "/jobs/list", verified_only=True) == {job: {"type": "business", "name": NAME}}
    code, _, err = await run("verify-approve", str(sent["id"]), "--by", "li", "--reason", "again")
    assert code == 1 and "only a pending one" in err
    code, out, err = await run("verify-revoke", poster["user_id"], "--by", "li", "--reason", "borrowed licence")
    assert code == 0 and "postings unlabelled: 1" in out, err
    await drain(app.ctx.search.client)
    assert await listed(client, "/jobs/list", verified_only=True) == {}
    assert await run("verify-reject", "999999", "--by", "li", "--reason", "x") == (1, "", "jobboard moderation: "
                                                                                       "verification not found\n")
    actions = await ModerationAction.filter(target_type="licence").order_by("id").values_list("action", "actor")
    assert actions == [("verify_approve", "li"), ("verify_revoke", "li")]


async def test_the_development_reader_reads_the_same_photo_alike_and_a_small_one_as_no_licence(client, app):
    first, second = await login_as(client, "first"), await login_as(client, "second")
    read = [await submitted(client, headers, (10, 20, 30)) for headers in (first, second)]
    assert read[0]["registration_number"] == read[1]["registration_number"]
    assert read[0]["registration_number"].startswith("DEV") and read[0]["valid_period"] == "长期"
    assert (await BusinessVerification.get(id=read[1]["id"])).duplicate_of == read[0]["id"]
    small = io.BytesIO()
    Image.new("RGB", (120, 90), (10, 20, 30)).save(small, format="PNG")
    third = await login_as(client, "third")
    assert (await send(client, third, small.getvalue())).status_code == 400


@pytest.mark.parametrize("printed, until", [
    ("2018年01月01日至2038年01月01日", date(2038, 1, 1)), ("2019年1月1日", date(2019, 1, 1)),
    ("2020年01月01日至长期", None), ("长期", None), ("", None), ("2018-03-05 至 2028-03-04", date(2028, 3, 4)),
])
def test_the_validity_is_the_last_date_printed_unless_it_runs_for_good(printed, until):
    assert valid_until(printed) == until


class _ReaderThatWaits:
    """A licence reader that answers only when the test says so (an operator decides meanwhile)."""

    def __init__(self):
        self.reading, self.answer = asyncio.Event(), asyncio.Event()

    async def read(self, data: bytes) -> Licence:
        self.reading.set()
        await self.answer.wait()
        return Licence("91430100MA4L000009", NAME, "张三", "长沙", "长期", None)


async def test_an_operators_rejection_while_the_ocr_reads_stands(client, app, ocr):
    poster = await login_as(client, "restaurant")
    ocr.ocr_busy = True
    sent = await submitted(client, poster)
    assert sent["status"] == READING
    reader = _ReaderThatWaits()
    reading = asyncio.create_task(verification.read_waiting(app.ctx.storage, reader))
    await reader.reading.wait()
    await verification.reject(sent["id"], "ops-li", "blurry photo")
    reader.answer.set()
    await reading
    row = await BusinessVerification.get(id=sent["id"])
    assert (row.status, row.decided_by, row.reason) == ("rejected", "ops-li", "blurry photo")
    assert await LicenceClaim.filter(verification_id=row.id).count() == 0  # the number is free
