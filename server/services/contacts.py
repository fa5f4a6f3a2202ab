"""Reaching an employer: a voucher spent once per posting unlocks its number for good; everyone else sees
it masked. And the two contact histories: whom I called, who called me."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.contacts import PURPOSE_JOB, ContactHistory, unlocked_among
from models.job import STATUS_OPEN, Job
from models.user import User
from models.voucher_writes import balance_of, change_balance, locked_balance, open_account
from models.vouchers import LEDGER_COST
from runtime import clock
from server.services import job_shapes
from server.services.errors import JobClosed, JobNotFound, OwnJob, PurposeTypeUnsupported

COST_TITLE = "拨打电话"
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})[- ]?(\d{7,8})(?:[- ]\d{1,6})?")


def mask_contact(contact: str) -> str:
    """138****8000; a landline keeps its area code and last 4 digits (010-****5678, extension dropped)."""
    contact = contact.strip()
    if _MOBILE.fullmatch(contact):
        return contact[:3] + "****" + contact[-4:]
    landline = _LANDLINE.fullmatch(contact)
    if landline:
        return f"{landline[1]}-****{landline[2][-4:]}"
    digits = re.sub(r"\D", "", contact)
    return "****" + digits[-4:] if len(digits) > 4 else "****"


async def show_contacts(items: list[dict], viewer_id: int | None, masking: bool) -> None:
    """Mask each item's `contact` unless the viewer owns the job or unlocked it, and say which with
    `contact_unlocked`. The viewer's unlocks among the page come from one query, whatever its size."""
    unlocked: set[int] = set()
    if masking and viewer_id is not None:
        others = [item["id"] for item in items if item["user_id"] != viewer_id]
        unlocked = await unlocked_among(viewer_id, others)
    for item in items:
        shown = not masking or item["user_id"] == viewer_id or item["id"] in unlocked
        item["contact_unlocked"] = shown
        if not shown and item["contact"]:
            item["contact"] = mask_contact(item["contact"])


class _AlreadyUnlocked(Exception):
    """Raised inside the spending transaction to roll it back: the job was unlocked meanwhile."""


def _answer(job: Job, balance: int) -> dict:
    return {"purpose_id": job.id, "purpose_user_id": job.user_id, "name": job.contact_person_name,
            "phone": job.contact, "contact_voucher_num": balance}


async def contact(user_id: int, purpose_type: int, purpose_id: int, charge: bool = True) -> dict:
    """The employer's name and number for the caller. The first contact of a posting costs one voucher
    (NotEnoughVouchers when none is left, nothing changed); again, it costs nothing and answers the same.
    Without `charge` (numbers are not masked, so not sold) it is recorded in the history for free.
    The posting decides whom the call reaches: nothing the client says about the employer is used."""
    if purpose_type != PURPOSE_JOB:
        raise PurposeTypeUnsupported()
    job = await Job.get_or_none(id=purpose_id)
    if job is None:
        raise JobNotFound()
    if job.user_id == user_id:
        raise OwnJob()
    if job.status != STATUS_OPEN:
        raise JobClosed("this job is closed: its employer cannot be contacted", {"job_id": job.id})
    now = clock.now()
    await open_account(user_id, now)
    unlocked = ContactHistory.filter(user_id=user_id, purpose_type=PURPOSE_JOB, purpose_id=job.id)
    if not await unlocked.exists():
        try:
            async with in_transaction():
                # The balance row lock makes this user's spending requests run one at a time; the unique
                # key of the history row is what says "already paid for" (a concurrent request for the
                # same job that got here first): the insert fails and nothing is spent.
                await locked_balance(user_id)
                try:
                    await ContactHistory.create(user_id=user_id, purpose_type=PURPOSE_JOB, purpose_id=job.id,
                                                biz_type=job.biz_type, owner_id=job.user_id, create_at=now)
                except IntegrityError:
                    raise _AlreadyUnlocked() from None
                if charge:
                    await change_balance(user_id, -1, LEDGER_COST, COST_TITLE, now)
        except _AlreadyUnlocked:
            pass
    return _answer(job, await balance_of(user_id))


async def _page(query, offset: int, limit: int) -> tuple[list[ContactHistory], dict[int, Job], int]:
    rows = await query.order_by("-create_at", "-id").offset(offset).limit(limit)
    jobs = {job.id: job for job in await Job.filter(id__in=[row.purpose_id for row in rows])}
    return rows, jobs, await query.count()


def _item(row: ContactHistory, job: Job, user_id: int, name: str, phone: str) -> dict:
    # `id` is the job's, as in the seed's other job lists (the mini-program opens /jobs/info with it);
    # `contact_id` tells two contacts of one job apart.
    return {"id": job.id, "contact_id": row.id, "positions": job.positions, "address": job.address,
            "purpose_user_id": user_id, "purpose_user_name": name, "purpose_user_phone": phone,
            "create_at": clock.fmt(row.create_at), "status": job.status, "unavailable": False}


def _employer_item(row: ContactHistory, job: Job, caller_id: int) -> dict:
    """As /jobs/info shows the job to the caller: a closed one without its number, one hidden or taken
    down by moderation as unavailable (its id and the contact's time only)."""
    if job_shapes.withheld(job, caller_id):
        return {**_item(row, job, job.user_id, "", ""), "positions": "", "address": "", "unavailable": True}
    phone = job.contact if job_shapes.number_shown(job, caller_id) else ""
    return _item(row, job, job.user_id, job.contact_person_name, phone)


async def contacted_by_me(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    """`/contact_history/out`: the postings I unlocked, newest first; purpose_user_* is the employer."""
    rows, jobs, total = await _page(ContactHistory.filter(user_id=user_id, biz_type=biz_type), offset, limit)
    return {"list": [_employer_item(row, job, user_id) for row in rows if (job := jobs.get(row.purpose_id))],
            "total": total}


async def contacted_me(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    """`/contact_history/in`: who contacted my postings, newest first; purpose_user_* is the caller."""
    rows, jobs, total = await _page(ContactHistory.filter(owner_id=user_id, biz_type=biz_type), offset, limit)
    callers = {user.id: user for user in await User.filter(id__in=[row.user_id for row in rows])}
    items = []
    for row in rows:
        job, caller = jobs.get(row.purpose_id), callers.get(row.user_id)
        if job and caller:
            items.append(_item(row, job, caller.id, caller.name, caller.phone))
    return {"list": items, "total": total}
