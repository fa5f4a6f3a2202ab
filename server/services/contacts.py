"""Reaching a poster (an employer, for jobs): a voucher spent once per posting unlocks its number for good; everyone else sees
it masked. And the two contact histories: whom I called, who called me."""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.contacts import ContactHistory, unlocked_among
from models.postings import STATUS_OPEN
from models.user import User
from models.voucher_writes import balance_of, change_balance, locked_balance, open_account
from models.vouchers import LEDGER_COST
from runtime import clock
from sections import Section, all_sections, served
from server.services import messages, posting_shapes
from server.services.blocks import apart_from, either_way_blocked
from server.services.posting_stats import PostingCounter
from server.services.errors import OwnPosting, PostingClosed, PostingNotFound, PurposeTypeUnsupported

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


async def show_contacts(section: Section, items: list[dict], viewer_id: int | None, masking: bool) -> None:
    """Mask each item's `contact` unless the viewer owns the posting or unlocked it, and say which with
    `contact_unlocked`. The viewer's unlocks among the page come from one query, whatever its size."""
    unlocked: set[int] = set()
    if masking and viewer_id is not None:
        others = [item["id"] for item in items if item["user_id"] != viewer_id]
        unlocked = await unlocked_among(viewer_id, section.biz_type, others)
    for item in items:
        shown = not masking or item["user_id"] == viewer_id or item["id"] in unlocked
        item["contact_unlocked"] = shown
        if not shown and item["contact"]:
            item["contact"] = mask_contact(item["contact"])


class _AlreadyUnlocked(Exception):
    """Raised inside the spending transaction to roll it back: the job was unlocked meanwhile."""


def _answer(section: Section, posting: Model, balance: int) -> dict:
    return {"purpose_id": posting.id, "purpose_user_id": posting_shapes.owner_id_shown(section, posting),
            "name": getattr(posting, section.contact_name),
            "phone": posting.contact, "contact_voucher_num": balance}


async def contact(user_id: int, purpose_type: int, purpose_id: int, charge: bool = True,
                  stats: PostingCounter | None = None) -> dict:
    """The poster's name and number for the caller. The first contact of a posting costs one voucher
    (NotEnoughVouchers when none is left, nothing changed); again, it costs nothing and answers the same.
    Without `charge` (numbers are not masked, so not sold) it is recorded in the history for free.
    The posting decides whom the call reaches: nothing the client says about the poster is used. A first
    unlock counts in the posting's `contacts` figure (`stats`)."""
    section = served(purpose_type)  # purpose_type is the section's biz_type
    if section is None:
        raise PurposeTypeUnsupported({open_.biz_type: open_.target for open_ in all_sections()})
    posting = await section.model.get_or_none(id=purpose_id)
    if posting is None or posting_shapes.private_to_others(section, posting, user_id):
        raise PostingNotFound(section.target)
    if posting.user_id == user_id:
        raise OwnPosting(section.target)
    i_block, blocks_me = await either_way_blocked(user_id, posting.user_id)
    if i_block:  # as its detail says to them
        raise PostingNotFound(section.target)
    # Blocked by its poster: the answer a closed posting gets, so the block is not revealed.
    if posting.status != STATUS_OPEN or blocks_me:
        raise PostingClosed(section.target, {f"{section.target}_id": posting.id},
                            f"this {section.target} is closed: its poster cannot be contacted")
    now = clock.now()
    await open_account(user_id, now)
    unlocked = ContactHistory.filter(user_id=user_id, purpose_type=section.biz_type, purpose_id=posting.id)
    if not await unlocked.exists():
        try:
            async with in_transaction():
                # The balance row lock makes this user's spending requests run one at a time; the unique
                # key of the history row is what says "already paid for" (a concurrent request for the
                # same posting that got here first): the insert fails and nothing is spent.
                await locked_balance(user_id)
                try:
                    await ContactHistory.create(user_id=user_id, purpose_type=section.biz_type, purpose_id=posting.id,
                                                biz_type=section.biz_type, owner_id=posting.user_id, create_at=now)
                except IntegrityError:
                    raise _AlreadyUnlocked() from None
                if charge:
                    await change_balance(user_id, -1, LEDGER_COST, COST_TITLE, now)
                    await _tell_owner(section, posting, user_id, now)
        except _AlreadyUnlocked:
            pass
        else:
            if stats is not None:
                stats.counted(section.biz_type, posting.id, "contacts")
    return _answer(section, posting, await balance_of(user_id))


async def _tell_owner(section: Section, posting: Model, caller_id: int, now) -> None:
    """The owner's message that a voucher unlocked their number: who, masked (in the unlock's transaction)."""
    caller = await User.get(id=caller_id)
    phone = mask_contact(caller.phone) if caller.phone else ""
    await messages.notify("contact_unlocked", posting.user_id, {
        **messages.posting_fields(section, posting), "by": messages.mask_name(caller.name) or phone,
        "by_phone": phone, "at": messages.wall_time(now)})


async def _page(section: Section, query, offset: int, limit: int) -> tuple[list[ContactHistory], dict[int, Model], int]:
    rows = await query.order_by("-create_at", "-id").offset(offset).limit(limit)
    postings = {p.id: p for p in await section.model.filter(id__in=[row.purpose_id for row in rows])}
    return rows, postings, await query.count()


def _item(section: Section, row: ContactHistory, posting: Model, user_id: int, name: str, phone: str) -> dict:
    # `id` is the posting's, as in the seed's other lists (the mini-program opens the detail with it);
    # `contact_id` tells two contacts of one posting apart.
    return {"id": posting.id, "contact_id": row.id, **section.summary(posting),
            "purpose_user_id": user_id, "purpose_user_name": name, "purpose_user_phone": phone,
            "create_at": clock.fmt(row.create_at), "status": posting.status, "unavailable": False}


def _poster_item(section: Section, row: ContactHistory, posting: Model, caller_id: int) -> dict:
    """As the detail shows the posting to the caller: a closed one without its number, one hidden or taken
    down by moderation as unavailable (its id and the contact's time only)."""
    if posting_shapes.withheld(section, posting, caller_id):
        item = _item(section, row, posting, posting_shapes.owner_id_shown(section, posting), "", "")
        return {**item, **dict.fromkeys(section.summary(posting), ""), "unavailable": True}
    phone = posting.contact if posting_shapes.number_shown(posting, caller_id) else ""
    return _item(section, row, posting, posting_shapes.owner_id_shown(section, posting),
                 getattr(posting, section.contact_name), phone)


async def contacted_by_me(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    """`/contact_history/out`: the postings I unlocked, newest first; purpose_user_* is the poster. Posters I
    block or who block me are left out while the block lasts."""
    section = served(biz_type)
    if section is None:
        return {"list": [], "total": 0}
    blocked, blocking = apart_from(user_id)
    query = ContactHistory.filter(user_id=user_id, biz_type=biz_type).exclude(owner_id__in=blocked) \
        .exclude(owner_id__in=blocking)
    rows, postings, total = await _page(section, query, offset, limit)
    return {"list": [_poster_item(section, row, posting, user_id) for row in rows
                     if (posting := postings.get(row.purpose_id))], "total": total}


async def contacted_me(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    """`/contact_history/in`: who contacted my postings, newest first; purpose_user_* is the caller. Callers I
    block or who block me are left out while the block lasts."""
    section = served(biz_type)
    if section is None:
        return {"list": [], "total": 0}
    blocked, blocking = apart_from(user_id)
    query = ContactHistory.filter(owner_id=user_id, biz_type=biz_type).exclude(user_id__in=blocked) \
        .exclude(user_id__in=blocking)
    rows, postings, total = await _page(section, query, offset, limit)
    callers = {user.id: user for user in await User.filter(id__in=[row.user_id for row in rows])}
    items = []
    for row in rows:
        posting, caller = postings.get(row.purpose_id), callers.get(row.user_id)
        if posting and caller:
            items.append(_item(section, row, posting, caller.id, caller.name, caller.phone))
    return {"list": items, "total": total}
