"""Verified businesses (营业执照). A poster sends a licence photo; WeChat's OCR reads it (registration number,
name, legal representative, address, validity); an operator approves or rejects it (the CLI, the console:
both call the functions here, audited in moderation_actions). While a licence is approved, every posting of its
owner in a section whose declaration says `verified_label` (招聘, 招租) carries the business's name
(`verified_name`, indexed as `verified`); approving, revoking and expiry change it through the one posting write,
so the index follows through the outbox.

One registration number backs one account at a time: a submission holds its number (a LicenceClaim row, whose
unique key decides between two accounts sending it at once); another account's submission of a held number is
kept, marked `duplicate_of` the holder's, and cannot be approved while that one holds it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.posting_writes import posting_transaction, save_posting
from models.user import User
from models.verification import (
    APPROVED,
    EXPIRED,
    PENDING,
    READING,
    REJECTED,
    REPLACED,
    REVOKED,
    BusinessVerification,
    LicenceClaim,
)
from runtime import clock
from runtime.periodic import PeriodicTask
from sections import all_sections
from server.providers.licence_reader import Licence, LicenceReader, NotALicence, ReaderUnavailable
from server.providers.storage import PRIVATE_PREFIX, ImageStorage
from server.services import images, rate_limits
from server.services.errors import (
    LicenceInUse,
    NothingToDecide,
    UserNotFound,
    VerificationNotFound,
    VerificationWaiting,
)
from server.services.moderation import SYSTEM, audit

log = logging.getLogger("server.verification")

LICENCE_PREFIX = PRIVATE_PREFIX + "licence/"
TARGET = "licence"  # moderation_actions.target_type; target_id is the verification's id


def labelled_sections():
    return [section for section in all_sections() if section.verified_label]


def _shown(row: BusinessVerification) -> dict:
    """A submission as its poster sees it."""
    return {"id": row.id, "status": row.status, "registration_number": row.registration_number,
            "enterprise_name": row.enterprise_name, "valid_period": row.valid_period,
            "reason": row.reason if row.status in (REJECTED, REVOKED) else ""}


async def submit(storage: ImageStorage, reader: LicenceReader, cache: redis.Redis, per_minute: int, user_id: int,
                 read_file: Callable[[], Awaitable[bytes]], decoding: images.Decoding,
                 limits: images.ImageLimits) -> dict:
    """A poster's licence photo: judged and cleaned as any upload (GPS gone), read by the OCR, kept privately,
    waiting for an operator. Not a licence: NotALicence, nothing kept. The OCR away (quota): kept as READING
    and read again by `read_waiting`."""
    await rate_limits.hit(cache, "uploads", str(user_id), per_minute)
    if await User.get_or_none(id=user_id) is None:
        raise UserNotFound()
    if await BusinessVerification.filter(user_id=user_id, status__in=(READING, PENDING)).exists():
        raise VerificationWaiting()
    data = await read_file()
    image = await asyncio.to_thread(images.opened, data, limits)
    cleaned, extension, content_type = await decoding.decode(image, data)
    try:
        licence: Licence | None = await reader.read(cleaned)
    except ReaderUnavailable as away:
        log.warning("licence not read now (errcode %s): kept, read again later", away.errcode)
        licence = None
    key = f"{LICENCE_PREFIX}{user_id}_{time.time_ns()}.{extension}"
    await storage.put_private(key, cleaned, content_type)
    now = clock.now()
    row = await BusinessVerification.create(user_id=user_id, status=READING, image_key=key, read_attempts=1,
                                            create_at=now, update_at=now)
    if licence is not None:
        await _record(row, licence)
    return _shown(row)


async def mine(user_id: int) -> dict | None:
    """The poster's latest submission."""
    row = await BusinessVerification.filter(user_id=user_id).order_by("-id").first()
    return _shown(row) if row else None


async def _record(row: BusinessVerification, licence: Licence) -> None:
    """What the OCR read; the submission now waits for an operator, marked when another account holds its number."""
    row.registration_number = licence.registration_number
    row.enterprise_name = licence.enterprise_name
    row.legal_representative = licence.legal_representative
    row.address = licence.address
    row.valid_period = licence.valid_period
    row.valid_until = licence.valid_until
    row.duplicate_of = await _claim(row)
    row.status, row.update_at = PENDING, clock.now()
    read = ("registration_number", "enterprise_name", "legal_representative", "address", "valid_period",
            "valid_until", "duplicate_of", "status", "update_at", "read_attempts")
    # Only while it is still being read: an operator who rejected it meanwhile (in another worker, while the
    # OCR answered) keeps their decision, and the number it claimed is let go again.
    if not await BusinessVerification.filter(id=row.id, status=READING).update(
            **{name: getattr(row, name) for name in read}):
        await _release(row)
        await row.refresh_from_db()


async def _claim(row: BusinessVerification) -> int | None:
    """Hold the row's registration number for its account; the holding submission's id when another account
    holds it already. Autocommitted: of two accounts inserting at once, the unique key lets one in."""
    for _ in range(3):
        try:
            await LicenceClaim.create(registration_number=row.registration_number, user_id=row.user_id,
                                      verification_id=row.id, create_at=clock.now())
            return None
        except IntegrityError:
            held = await LicenceClaim.get_or_none(registration_number=row.registration_number)
            if held is not None:
                return None if held.user_id == row.user_id else held.verification_id
            # released in between: try again
    raise LicenceInUse("the registration number is changing hands, try again")


async def _release(row: BusinessVerification) -> None:
    await LicenceClaim.filter(verification_id=row.id).delete()


async def _label(user_id: int, name: str | None, now) -> int:
    """Every posting of the user in the labelled sections shows `name` (None: no label), each through the one
    posting write (its outbox row re-indexes it). Inside the caller's posting_transaction."""
    changed = 0
    for section in labelled_sections():
        query = section.model.filter(user_id=user_id)
        query = query.filter(Q(verified_name__isnull=True) | ~Q(verified_name=name)) if name else \
            query.filter(verified_name__isnull=False)
        for posting in await query.select_for_update():
            posting.verified_name = name
            await save_posting(posting, "verify", now, ["verified_name"])
            changed += 1
    return changed


async def label_of(user_id: int) -> str | None:
    """The name a new posting of the user carries: their approved licence's. Read under the owner's row lock
    (publish), which approve and revoke also take, so a posting never misses a decision made meanwhile."""
    row = await BusinessVerification.filter(user_id=user_id, status=APPROVED).first()
    return row.enterprise_name if row else None


async def _locked(verification_id: int) -> BusinessVerification:
    """The verification, its owner's row locked first (the lock publish takes), then its own."""
    row = await BusinessVerification.get_or_none(id=verification_id)
    if row is None:
        raise VerificationNotFound()
    await User.select_for_update().get_or_none(id=row.user_id)
    return await BusinessVerification.select_for_update().get(id=verification_id)


async def approve(verification_id: int, by: str, reason: str) -> dict:
    """An operator's approval of a pending licence: its number held for its account (refused while another
    account holds it), the account's earlier approved licence replaced, every posting labelled."""
    now = clock.now()
    async with posting_transaction():
        row = await _locked(verification_id)
        if row.status != PENDING:
            raise NothingToDecide(f"verification {row.id} is {row.status}: only a pending one can be approved")
        if row.valid_until is not None and row.valid_until < now.date():
            raise NothingToDecide(f"the licence expired on {row.valid_until}: reject it")
        held = await LicenceClaim.select_for_update().get_or_none(registration_number=row.registration_number)
        if held is not None and held.user_id != row.user_id:
            raise LicenceInUse(f"registration number {row.registration_number} backs user {held.user_id} "
                               f"(verification {held.verification_id}): reject or revoke that one first",
                               {"verification_id": held.verification_id, "user_id": held.user_id})
        if held is not None:
            held.verification_id = row.id
            await held.save(update_fields=["verification_id"])
        else:
            try:
                async with in_transaction():  # a savepoint: a duplicate key leaves the transaction usable
                    await LicenceClaim.create(registration_number=row.registration_number, user_id=row.user_id,
                                              verification_id=row.id, create_at=now)
            except IntegrityError:
                raise LicenceInUse("the registration number was just claimed by another account") from None
        for earlier in await BusinessVerification.filter(user_id=row.user_id, status=APPROVED).select_for_update():
            earlier.status, earlier.update_at = REPLACED, now
            await earlier.save(update_fields=["status", "update_at"])
            await _release(earlier)
        row.status, row.decided_by, row.reason, row.duplicate_of, row.update_at = APPROVED, by, reason, None, now
        await row.save(update_fields=["status", "decided_by", "reason", "duplicate_of", "update_at"])
        await audit(by, "verify_approve", TARGET, row.id, reason, now)
        labelled = await _label(row.user_id, row.enterprise_name, now)
    return {"id": row.id, "user_id": row.user_id, "enterprise_name": row.enterprise_name, "postings": labelled}


async def reject(verification_id: int, by: str, reason: str) -> dict:
    """An operator's refusal of a waiting licence (read or not): its number is free again."""
    now = clock.now()
    async with in_transaction():
        row = await BusinessVerification.select_for_update().get_or_none(id=verification_id)
        if row is None:
            raise VerificationNotFound()
        if row.status not in (READING, PENDING):
            raise NothingToDecide(f"verification {row.id} is {row.status}: only a waiting one can be rejected")
        row.status, row.decided_by, row.reason, row.update_at = REJECTED, by, reason, now
        await row.save(update_fields=["status", "decided_by", "reason", "update_at"])
        await _release(row)
        await audit(by, "verify_reject", TARGET, row.id, reason, now)
    return {"id": row.id, "user_id": row.user_id}


async def _end(row: BusinessVerification, status: str, by: str, reason: str, now) -> int:
    row.status, row.reason, row.update_at = status, reason, now
    if by != SYSTEM:
        row.decided_by = by
    await row.save(update_fields=["status", "reason", "decided_by", "update_at"])
    await _release(row)
    await audit(by, f"verify_{'revoke' if status == REVOKED else 'expire'}", TARGET, row.id, reason, now)
    return await _label(row.user_id, None, now)


async def revoke(user_id: int, by: str, reason: str) -> dict:
    """An operator takes the user's verification away: the label leaves every posting (through the outbox)."""
    now = clock.now()
    async with posting_transaction():
        await User.select_for_update().get_or_none(id=user_id)
        row = await BusinessVerification.select_for_update().filter(user_id=user_id, status=APPROVED).first()
        if row is None:
            raise NothingToDecide(f"user {user_id} has no approved business licence")
        unlabelled = await _end(row, REVOKED, by, reason, now)
    return {"id": row.id, "user_id": user_id, "postings": unlabelled}


async def expire_due() -> list[int]:
    """Approved licences whose validity date has passed (Shanghai day): expired, the label removed. Their ids."""
    now = clock.now()
    expired = []
    for candidate in await BusinessVerification.filter(status=APPROVED, valid_until__lt=now.date()).limit(100):
        async with posting_transaction():
            await User.select_for_update().get_or_none(id=candidate.user_id)
            row = await BusinessVerification.select_for_update().get(id=candidate.id)
            if row.status != APPROVED:
                continue  # decided meanwhile
            await _end(row, EXPIRED, SYSTEM, f"licence valid until {row.valid_until}", now)
            expired.append(row.id)
    return expired


async def read_waiting(storage: ImageStorage, reader: LicenceReader, limit: int = 20) -> dict[str, int]:
    """Submissions the OCR could not read when sent, read again, oldest first; the round stops at the first
    that still cannot be read (the quota is the OCR's, not the photo's). An unreadable one is rejected."""
    done = {"read": 0, "unreadable": 0, "waiting": 0}
    for row in await BusinessVerification.filter(status=READING).order_by("id").limit(limit):
        try:
            licence = await reader.read(await storage.get_private(row.image_key))
        except ReaderUnavailable:
            done["waiting"] = await BusinessVerification.filter(status=READING).count()
            break
        except NotALicence:
            if await BusinessVerification.filter(id=row.id, status=READING).update(
                    status=REJECTED, decided_by=SYSTEM, reason="not a readable business licence",
                    update_at=clock.now()):
                await audit(SYSTEM, "verify_reject", TARGET, row.id, "not a readable business licence", clock.now())
            done["unreadable"] += 1
            continue
        row.read_attempts += 1
        await _record(row, licence)
        done["read"] += 1
    return done


async def waiting(limit: int = 50) -> list[dict]:
    """What waits for an operator, oldest first: read ones with what the OCR read (and the holding submission
    when another account holds the number), and those not read yet."""
    rows = await BusinessVerification.filter(status__in=(PENDING, READING)).order_by("id").limit(limit)
    return [{"id": row.id, "user_id": row.user_id, "status": row.status,
             "registration_number": row.registration_number, "enterprise_name": row.enterprise_name,
             "legal_representative": row.legal_representative, "address": row.address,
             "valid_period": row.valid_period, "duplicate_of": row.duplicate_of or "",
             "create_at": row.create_at} for row in rows]


async def licence_url(storage: ImageStorage, verification_id: int, seconds: int) -> str:
    """A short-lived signed URL of the licence photo, for an operator (the console, the CLI)."""
    row = await BusinessVerification.get_or_none(id=verification_id)
    if row is None:
        raise VerificationNotFound()
    return storage.signed_url(row.image_key, seconds)


async def review_queue(storage: ImageStorage, seconds: int, limit: int = 50) -> list[dict]:
    """`waiting`, each with a signed URL of its photo that lives `seconds` (the console's review page)."""
    rows = await waiting(limit)
    keys = dict(await BusinessVerification.filter(id__in=[row["id"] for row in rows]).values_list("id", "image_key"))
    return [{**row, "photo": storage.signed_url(keys[row["id"]], seconds)} for row in rows]


class VerificationRounds(PeriodicTask):
    """Reads the licences the OCR could not read when sent, and expires the approved ones past their date."""

    what = "verification round"

    def __init__(self, storage: ImageStorage, reader: Callable[[], LicenceReader], interval: float):
        super().__init__(interval)
        self._storage = storage
        self._reader = reader

    async def round(self) -> None:
        await read_waiting(self._storage, self._reader())
        await expire_due()
