"""The operators' console over HTTP, as a browser without JavaScript uses it: who gets in, what each role may
do, the tokens every form carries, the headers every page sends, and the same rules as the CLI."""

from __future__ import annotations

import io
import logging
import re as regex
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pyotp
import pytest
from PIL import Image

from models.job import Job
from models.moderation import ModerationAction
from models.operator import Operator
from models.order import Order
from models.refund import Refund
from runtime import clock
from runtime.settings import ConfigError, Settings
from server.services import operators
from server.services.errors import LoginLocked, LoginRefused
from tests.helpers.api import listed_now, login_as
from tests.helpers.commands import moderation_command
from tests.helpers.console import PASSWORD, Console, form_token, make_operator
from tests.helpers.payments import order, pay
from tests.helpers.postings import post_job


@pytest.fixture
async def console(client, server):
    async with Console(server[1]) as browser:
        yield browser


async def _actions(actor: str | None = None) -> list[tuple]:
    """The audit, without the tests' own making of operators."""
    rows = ModerationAction.filter(actor=actor) if actor else ModerationAction.exclude(actor="test")
    return [(a.actor, a.action, a.target_type, a.target_id) for a in await rows.order_by("id")]


async def test_an_operator_logs_in_and_a_wrong_password_is_refused_with_the_same_words(console):
    await make_operator("li", "moderator")
    await make_operator("gone", "moderator")
    await Operator.filter(name="gone").update(disabled_at=clock.now())
    for name, password in (("li", "wrong password!"), ("nobody", PASSWORD), ("gone", PASSWORD)):
        response = await console.login(name, password)
        assert response.status_code == 401 and "用户名或密码错误" in response.text, name
        assert "console_session" not in response.cookies
    response = await console.login("li")
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    page = await console.get("/admin")
    assert page.status_code == 200 and "今日" in page.text and "li（审核员）" in page.text
    stored = await Operator.get(name="li")
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


async def test_repeated_wrong_passwords_lock_the_name_even_for_the_right_one(console, tune, caplog):
    tune(admin_login_max_failures=3)
    await make_operator("li", "moderator")
    with caplog.at_level(logging.WARNING, logger="server.operators"):
        for _ in range(3):
            assert (await console.login("li", "not the password")).status_code == 401
        locked = await console.login("li")
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text
    assert any("locked" in record.getMessage() for record in caplog.records)


async def test_forged_expired_and_rotated_sessions_go_to_the_login_page(console, server, travel):
    await make_operator("li", "moderator")

    async def with_session(value: str):
        async with httpx.AsyncClient(base_url=server[1]) as bare:
            return await bare.get("/admin", headers={"Cookie": f"console_session={value}"})

    response = await with_session("forged-value")
    assert (response.status_code, response.headers["location"]) == (303, "/admin/login")
    assert (await console.login("li")).status_code == 303
    first = console.http.cookies.get("console_session")
    assert (await with_session(first)).status_code == 200
    assert (await console.login("li")).status_code == 303  # logged in again from the same browser
    assert console.http.cookies.get("console_session") != first
    assert (await with_session(first)).status_code == 303  # the old session ended at the new login
    assert (await console.get("/admin")).status_code == 200
    travel(clock.now() + timedelta(hours=13))
    assert (await console.get("/admin")).headers.get("location") == "/admin/login"


async def test_a_disabled_operator_is_out_at_once(console, server, settings):
    await make_operator("li", "moderator")
    await make_operator("boss", "admin")
    assert (await console.login("li")).status_code == 303
    run = moderation_command(settings)
    code, out, _ = await run("operator", "disable", "li", "--by", "boss", "--reason", "left the company")
    assert code == 0 and "disabled" in out
    assert (await console.get("/admin")).status_code == 303
    assert (await console.login("li")).status_code == 401
    assert ("boss", "operator-off", "operator") == (await _actions("boss"))[-1][:3]


async def test_the_operator_command(client, settings):
    run = moderation_command(settings)
    code, out, _ = await run("operator", "add", "li", "--role", "moderator", stdin=PASSWORD + "\n")
    assert code == 0 and "operator li added as moderator" in out
    code, _, err = await run("operator", "add", "li", "--role", "admin", stdin=PASSWORD + "\n")
    assert code == 1 and "exists" in err
    code, _, err = await run("operator", "add", "wu", "--role", "moderator", stdin="short\n")
    assert code == 1 and "at least 10 characters" in err
    code, _, err = await run("operator", "add", "wu", "--role", "janitor", stdin=PASSWORD + "\n")
    assert code == 2 and "invalid choice" in err
    code, out, _ = await run("operator", "passwd", "li", stdin="another long password\n")
    assert code == 0
    code, out, _ = await run("operator", "list")
    assert code == 0 and "name=li\trole=moderator\ttotp=no\tstate=active" in out
    code, out, _ = await run("operator", "totp", "li")
    assert code == 0 and out.startswith("otpauth://totp/")
    li = await Operator.get(name="li")
    assert operators._verify(li.password_hash, "another long password") and li.totp_secret


async def test_a_second_factor_when_set_and_when_required(console, tune):
    await make_operator("li", "moderator")
    uri = await operators.start_totp("li", "test")
    secret = pyotp.parse_uri(uri).secret
    response = await console.login("li")
    assert response.status_code == 401 and "动态验证码" in response.text
    code = pyotp.TOTP(secret).now()
    assert (await console.login("li", code=code)).status_code == 303
    assert (await console.login("li", code=code)).status_code == 401  # a code works once
    await make_operator("wu", "moderator")
    tune(admin_require_totp=True)
    response = await console.login("wu")
    assert response.status_code == 401 and "operator totp" in response.text


async def test_forms_without_their_token_or_from_another_site_change_nothing(console, client, app, server):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await make_operator("li", "moderator")
    await console.login("li")
    path = f"/admin/postings/jobs/{job_id}/takedown"
    async with Console(server[1]) as other:
        await make_operator("wu", "moderator")
        await other.login("wu")
        for csrf, headers in (("", {}), (other.csrf, {}), (console.csrf, {"Origin": "https://evil.example"}),
                              (console.csrf, {"Sec-Fetch-Site": "cross-site"})):
            response = await console.http.post(path, data={"csrf": csrf, "reason": "x"}, headers=headers)
            assert response.status_code == 403 and "表单已失效" in response.text, (csrf, headers)
    assert job_id in await listed_now(client, app)
    assert await _actions() == []
    login = await console.http.get("/admin/login")
    response = await console.http.post("/admin/login", data={"csrf": "made-up", "name": "li", "password": PASSWORD})
    assert response.status_code == 403 and form_token(login.text) != "made-up"


async def test_a_role_without_an_action_gets_403_and_the_attempt_is_audited(console, client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await make_operator("qian", "finance")
    await console.login("qian")
    response = await console.post(f"/admin/postings/jobs/{job_id}/takedown", reason="not mine to do")
    assert response.status_code == 403 and "已记录" in response.text
    assert job_id in await listed_now(client, app)
    [refusal] = await ModerationAction.filter(action="refused")
    assert (refusal.actor, refusal.target_type, refusal.target_id) == ("qian", "job", job_id)
    assert "needs moderate, role finance" in refusal.reason
    assert (await console.get("/admin/reports")).status_code == 403
    assert (await console.get("/admin/operators")).status_code == 403
    assert (await console.get("/admin/orders")).status_code == 200


async def test_every_console_action_is_audited_under_the_operators_name(console, client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await make_operator("li", "moderator")
    await console.login("li")
    response = await console.post(f"/admin/postings/jobs/{job_id}/takedown", reason="")
    assert response.status_code == 400 and "请填写理由" in response.text  # a decision needs a reason
    response = await console.post(f"/admin/postings/jobs/{job_id}/takedown", reason="假招聘")
    assert response.status_code == 303
    assert job_id not in await listed_now(client, app)
    assert "已下架" in (await console.get(response.headers["location"])).text
    await console.post(f"/admin/postings/jobs/{job_id}/restore", reason="误判")
    assert job_id in await listed_now(client, app)
    user_id = int(owner["user_id"])
    await console.post(f"/admin/users/{user_id}/ban", reason="诈骗")
    assert (await client.get("/user/info", headers=owner)).status_code == 403
    await console.post(f"/admin/users/{user_id}/unban", reason="申诉通过")
    page = await console.post(f"/admin/postings/jobs/{job_id}/phone")
    job = await Job.get(id=job_id)
    assert page.status_code == 200 and job.contact in page.text
    assert await _actions() == [("li", "takedown", "job", job_id), ("li", "restore", "job", job_id),
                                ("li", "ban", "user", user_id), ("li", "takedown", "job", job_id),
                                ("li", "unban", "user", user_id), ("li", "view_phone", "job", job_id)]
    plain = await console.get(f"/admin/postings/jobs/{job_id}")
    assert job.contact not in plain.text and job.contact[-4:] in plain.text  # masked unless asked for


async def test_every_page_sends_the_security_headers_and_renders_for_an_admin(console, client):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await make_operator("boss", "admin")
    login = await console.http.get("/admin/login")
    await console.login("boss")
    user_id = owner["user_id"]
    for path in ("/admin", "/admin/reports", "/admin/postings?kind=id&q=" + str(job_id), f"/admin/postings/jobs/{job_id}",
                 f"/admin/users/{user_id}", "/admin/orders", "/admin/orders?status=paid&since=2020-01-01&user=x",
                 "/admin/audit?actor=boss", "/admin/hot", "/admin/verifications", "/admin/operators",
                 "/admin/static/console.css"):
        page = await console.get(path)
        assert page.status_code == 200, (path, page.text[:500])
    for response in (login, page):
        csp = response.headers["content-security-policy"]
        assert "script-src 'none'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert not [name for name in response.headers if name.startswith("access-control-")]
    assert (await console.get("/admin/postings/jobs/987654")).status_code == 404
    assert (await console.get("/admin/users/987654")).status_code == 404
    assert (await console.get("/admin/orders/nope")).status_code == 404
    assert (await console.get("/admin/postings/nosuch/1")).status_code == 404


async def test_outside_the_allowed_networks_the_console_does_not_exist(console, tune):
    tune(admin_allowed_networks="10.8.0.0/16")
    assert (await console.http.get("/admin/login")).status_code == 404
    tune(admin_allowed_networks="10.8.0.0/16, 127.0.0.0/8")
    assert (await console.http.get("/admin/login")).status_code == 200
    with pytest.raises(ConfigError, match="ADMIN_ALLOWED_NETWORKS"):
        Settings(admin_allowed_networks="10.8.0.0/33").check()


async def test_finance_refunds_part_of_an_order_from_its_page_and_a_moderator_cannot(console, client, wechat_pay,
                                                                                     server):
    buyer = await login_as(client, "buyer")
    bought = await order(client, buyer, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    assert (await pay(client, wechat_pay, bought["order_no"])).status_code == 204
    await make_operator("qian", "finance")
    await console.login("qian")
    listed = await console.get("/admin/orders", status="paid", user=buyer["user_id"])
    assert bought["order_no"] in listed.text
    page = await console.get(f"/admin/orders/{bought['order_no']}")
    assert "SUCCESS" in page.text and "¥17.99" in page.text  # WeChat Pay's state, asked now
    path = f"/admin/orders/{bought['order_no']}/refund"
    once = regex.search(r'name="once" value="([^"]+)"', page.text)[1]
    for amount in ("-1", "abc", "0.001", "18.00"):  # refused, nothing changed (and the form may be sent again)
        assert (await console.post(path, amount=amount, reason="试试", once=once)).status_code == 400, amount
    assert (await Order.get(order_no=bought["order_no"])).refunded_fen == 0
    assert (await console.post(path, amount="3.59", reason="no token")).status_code == 400
    response = await console.post(path, amount="3.59", reason="重复购买一张", once=once)
    assert response.status_code == 303
    again = await console.post(path, amount="3.59", reason="重复购买一张", once=once)  # a double click
    assert again.status_code == 400 and "已经提交过" in again.text
    page = await console.get(response.headers["location"])
    assert "退款已提交" in page.text and "359" in page.text and "qian" in page.text
    async with Console(server[1]) as moderator:
        await make_operator("li", "moderator")
        await moderator.login("li")
        assert (await moderator.post(path, reason="不该我退")).status_code == 403
    [refunded] = await Refund.all()
    assert (refunded.amount_fen, refunded.actor) == (359, "qian")
    assert ("li", "refused", "order") == (await _actions("li"))[-1][:3]


async def test_a_moderator_reviews_a_licence_with_its_private_photo_approves_then_revokes_it(console, client, app):
    poster = await login_as(client, "restaurant")
    job_id = await post_job(client, poster)
    picture = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 30, 30)).save(picture, format="PNG")
    sent = await client.post("/verify/business", files={"file": ("licence.png", picture.getvalue(), "image/png")},
                             headers=poster)
    assert sent.status_code == 200, sent.text
    await make_operator("li", "moderator")
    await console.login("li")
    page = await console.get("/admin/verifications")
    assert "开发测试餐饮有限公司" in page.text and "待审核" in page.text
    photo = regex.search(r'<img src="([^"]+)" alt="营业执照', page.text)[1].replace("&amp;", "&")
    signed = urlsplit(photo)  # on the storage's address (UPLOADS_BASE_URL): the suite's app serves it too
    assert (await client.get(f"{signed.path}?{signed.query}")).headers["content-type"].startswith("image/")
    assert (await client.get(signed.path)).status_code == 404  # without its signature, no photo
    [waiting] = regex.findall(r"/admin/verifications/(\d+)/approve", page.text)
    response = await console.post(f"/admin/verifications/{waiting}/approve", reason="执照清晰，信息一致")
    assert response.status_code == 303
    await listed_now(client, app)
    shown = (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]["verified"]
    assert shown["type"] == "business" and shown["name"].startswith("开发测试餐饮有限公司")
    user_page = await console.get(f"/admin/users/{poster['user_id']}")
    assert shown["name"] in user_page.text
    await console.post(f"/admin/users/{poster['user_id']}/unverify", reason="执照已注销")
    await listed_now(client, app)
    assert (await client.post("/jobs/info", json={"job_id": job_id})).json()["data"]["verified"] is None
    assert [a[1] for a in await _actions("li")] == ["verify_approve", "verify_revoke"]


async def test_impossible_ids_and_names_are_404_pages_and_over_long_filters_find_nothing(console):
    await make_operator("boss", "admin")
    await console.login("boss")
    huge = "9" * 20
    for path in (f"/admin/users/{huge}", f"/admin/postings/jobs/{huge}", f"/admin/orders/{'A' * 33}"):
        response = await console.get(path)
        assert response.status_code == 404 and "找不到" in response.text, path
    for path in (f"/admin/users/{2**63}/ban", f"/admin/postings/jobs/{huge}/takedown",
                 f"/admin/verifications/{huge}/approve", f"/admin/orders/{'A' * 100}/refund",
                 f"/admin/operators/{'x' * 300}/enable"):
        response = await console.post(path, reason="x")
        assert response.status_code == 404 and "找不到" in response.text, path
    for params in ({"kind": "phone", "q": "1" * 40}, {"kind": "keyword", "q": "厨" * 40}):
        response = await console.get("/admin/postings", **params)
        assert response.status_code == 200 and "没有找到" in response.text
    for params in ({"target_type": "x" * 17}, {"action": "y" * 64}, {"target_id": "9" * 30}):
        assert (await console.get("/admin/audit", **params)).status_code == 200
    assert await _actions() == []  # nothing looked up, nothing refused: nothing audited


async def test_a_logout_that_is_not_the_sessions_own_changes_nothing_and_an_admin_cannot_disable_themselves(
        console):
    await make_operator("boss", "admin")
    await console.login("boss")
    response = await console.post("/admin/logout", csrf="forged")
    assert response.status_code == 403 and "会话仍然有效" in response.text
    assert "console_session" not in response.headers.get("set-cookie", "")
    assert (await console.get("/admin")).status_code == 200
    response = await console.post("/admin/operators/boss/disable", reason="oops")
    assert response.status_code == 400 and "不能停用自己" in response.text
    assert (await console.post("/admin/logout")).headers["location"] == "/admin/login"
    assert (await console.get("/admin")).status_code == 303


async def test_a_phone_lookup_is_audited_without_the_number(console, client):
    await make_operator("li", "moderator")
    await console.login("li")
    await console.get("/admin/postings", kind="phone", q="13812345678")
    [looked_up] = await ModerationAction.filter(action="find_phone")
    assert looked_up.actor == "li" and "138****5678" in looked_up.reason and "13812345678" not in looked_up.reason


async def test_a_locked_name_stays_open_from_another_address(client, app, tune):
    tune(admin_login_max_failures=2)
    await make_operator("li", "moderator")
    rules, cache = operators.LoginRules.from_settings(app.ctx.settings), app.ctx.cache
    for _ in range(2):
        with pytest.raises(LoginRefused):
            await operators.authenticate(cache, rules, "li", "guessing", "", "203.0.113.9")
    with pytest.raises(LoginLocked):  # the guesser's address is out, even with the right password
        await operators.authenticate(cache, rules, "li", PASSWORD, "", "203.0.113.9")
    assert (await operators.authenticate(cache, rules, "li", PASSWORD, "", "10.8.0.5")).name == "li"
