"""What every section does with its postings, whatever the section: publish, edit, find one for its owner,
close, the free daily refresh, the public detail, "my postings". Each takes the `Section` (sections/) it works on.

Every change of a posting goes through models.posting_writes (row, version and outbox row in one transaction;
the indexer woken on commit).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.models import Model

from models.postings import STATUS_CLOSED, STATUS_OPEN
from models.posting_reads import recent_posting
from models.posting_writes import create_posting, posting_transaction, save_posting
from models.user import User
from runtime import clock
from sections import Section, served
from server.providers.content_check import ContentChecker
from server.services import content, moderation, posting_shapes, verification
from server.services.blocks import BlockSets
from server.services.contacts import show_contacts
from server.services.errors import (
    FreeRefreshUsed,
    NotYourPosting,
    PostingClosed,
    PostingNotFound,
    UserBanned,
    UserNotFound,
)
from server.services.images import ImageUrls
from server.services.posting_caps import PostingCaps, within_caps
from server.services.posting_stats import PostingCounter, recent_figures


def _theirs(section: Section, posting: Model | None, user_id: int) -> Model:
    # Someone else's private closed posting is, to them, as an unknown id (not "not yours": that says it exists).
    if posting is None or posting_shapes.private_to_others(section, posting, user_id):
        raise PostingNotFound(section.target)
    if posting.user_id != user_id:
        raise NotYourPosting(section.target)
    return posting


async def owned_for_update(section: Section, posting_id: int, user_id: int) -> Model:
    """The posting, row-locked until the transaction ends, if it exists and belongs to the user."""
    return _theirs(section, await section.model.select_for_update().get_or_none(id=posting_id), user_id)


async def owned(section: Section, posting_id: int, user_id: int) -> Model:
    """The posting as it is (no lock), if it exists and belongs to the user."""
    return _theirs(section, await section.model.get_or_none(id=posting_id), user_id)


def require_open(section: Section, posting: Model, action: str) -> None:
    if posting.status != STATUS_OPEN:
        raise PostingClosed(section.target, {f"{section.target}_id": posting.id, "status": posting.status},
                            f"this {section.target} is closed: it cannot be {action}")


async def close(section: Section, user_id: int, posting_id: int) -> None:
    """Close a posting; closing a closed one is a no-op (and no new outbox row)."""
    now = clock.now()
    async with posting_transaction():
        posting = await owned_for_update(section, posting_id, user_id)
        if posting.status == STATUS_CLOSED:
            return
        posting.status = STATUS_CLOSED
        await save_posting(posting, "close", now, ["status"])


async def refresh_free(section: Section, user_id: int, posting_id: int, free_per_day: int) -> None:
    """Move an open posting up the recommended list; `free_per_day` times per Shanghai calendar day."""
    now = clock.now()
    today = now.date()
    async with posting_transaction():
        # The row lock serialises concurrent refreshes of one posting: exactly one wins the last free one.
        posting = await owned_for_update(section, posting_id, user_id)
        require_open(section, posting, "refreshed")
        used = posting.free_refresh_count if posting.free_refresh_day == today else 0
        if used >= free_per_day:
            tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time())
            raise FreeRefreshUsed(f"today's free refresh is used up, use the paid refresh (/{section.name}/refresh/pay)",
                                  data={"free_refreshes_per_day": free_per_day},
                                  retry_after=max(int((tomorrow - now).total_seconds()), 1))
        posting.free_refresh_day, posting.free_refresh_count = today, used + 1
        posting.last_refresh_time = now
        await save_posting(posting, "refresh", now, ["free_refresh_day", "free_refresh_count", "last_refresh_time"])


async def publish(section: Section, user_id: int, fields: dict, image_urls: ImageUrls, checker: ContentChecker,
                  caps: PostingCaps) -> int:
    """A new open posting of the user's: its photos theirs, its texts checked by WeChat's content security
    before anything is stored and outside any transaction (WeChat may take a while). The posting caps (one
    open card per worker among them) are checked before asking WeChat and again under the owner's row lock:
    of concurrent creates, each sees the postings of those before it. The section's own rules
    (`Section.prepare`) complete or refuse the fields first."""
    if section.prepare is not None:
        await section.prepare(user_id, fields)
    await within_caps(section, user_id, caps)
    await image_urls.check(user_id, "photo_urls", fields.get("photo_urls") or [])
    fields.setdefault("description", "")
    owner = await User.get_or_none(id=user_id)
    if owner is None:
        raise UserNotFound()
    fields["content_check"] = await content.check_posting(section, checker, owner.openid, fields)
    async with posting_transaction():
        owner = await User.select_for_update().get(id=user_id)
        if owner.banned_at is not None:
            raise UserBanned()  # banned while WeChat was checking: the ban's takedown has already run
        await within_caps(section, user_id, caps)
        if section.verified_label:  # under the owner's lock, which approve and revoke take too
            fields["verified_name"] = await verification.label_of(user_id)
        posting = await create_posting(section.model, clock.now(), user_id=user_id, status=STATUS_OPEN, **fields)
    return posting.id


async def edit(section: Section, user_id: int, posting_id: int, changes: dict, image_urls: ImageUrls,
               checker: ContentChecker) -> None:
    """The owner's edit of an open posting: only the fields in `changes`. Texts are checked as they will be
    (all of them, so an edit cannot keep a flag) before the row is locked; the section's own rules
    (`Section.check_edit`) are checked against the locked row. An edit releases a posting whose photo was held."""
    if set(changes) & set(section.texts):
        posting = await owned(section, posting_id, user_id)
        owner = await User.get_or_none(id=user_id)
        texts = {field: changes.get(field, getattr(posting, field)) for field in section.texts}
        changes = {**changes, "content_check": await content.check_posting(section, checker,
                                                                            owner.openid if owner else "", texts)}
    now = clock.now()
    async with posting_transaction():
        posting = await owned_for_update(section, posting_id, user_id)
        require_open(section, posting, "edited")
        if "photo_urls" in changes:  # against the locked row: the photos it holds now may stay
            await image_urls.check(user_id, "photo_urls", changes["photo_urls"] or [], held=posting.photo_urls or [])
        if section.check_edit is not None:
            section.check_edit(posting, changes)
        if posting.photo_held:
            changes = {**changes, "photo_held": False}
        posting.update_from_dict(changes)
        await save_posting(posting, "update", now, list(changes))


async def detail(section: Section, posting_id: int, viewer_id: int | None, masking: bool,
                 blocks: BlockSets | None = None, stats: PostingCounter | None = None) -> dict:
    """The public detail. A closed posting keeps its status (a favourite can say it closed) but shows its
    contact number to its owner only; an open one shows it masked unless the viewer unlocked it. A posting
    of someone the viewer blocks is, to them, not found. A view counts in the posting's figures (`stats`).

    Others may get a row read up to JOB_DETAIL_CACHE_SECONDS ago (as the listing lags its index); the
    owner always gets the row as it is, so their own edit shows at once."""
    posting = await recent_posting(section.model, posting_id, unless_owned_by=viewer_id)
    if posting is None or posting_shapes.withheld(section, posting, viewer_id):
        raise PostingNotFound(section.target)  # hidden or taken down by moderation: not served to others
    if blocks is not None and viewer_id not in (None, posting.user_id) and posting.user_id in await blocks.of(viewer_id):
        raise PostingNotFound(section.target)
    if stats is not None:
        stats.viewed(section.biz_type, posting.id, posting.user_id, viewer_id)
    item = posting_shapes.detail(section, posting, clock.now(), viewer_id)
    await show_contacts(section, [item], viewer_id, masking)
    posting_shapes.without_owner(section, [item])
    if not posting_shapes.number_shown(posting, viewer_id):
        item["contact"], item["contact_unlocked"] = "", False
    return item


async def my_postings(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    """`/jobs/my` (the seed's cross-section list): my postings of the section of `biz_type`, newest first,
    each with its figures of the last 7 days (`stats`)."""
    section = served(biz_type)
    if section is None:
        return {"contacts": [], "total": 0}  # a section not open yet: nobody has postings there
    query = section.model.filter(user_id=user_id, biz_type=biz_type)
    postings = await query.order_by("-create_at", "-id").offset(offset).limit(limit)
    now = clock.now()
    reasons = await moderation.moderation_reasons(section, postings)
    figures = await recent_figures(biz_type, postings)
    return {"contacts": [posting_shapes.my_posting(section, p, now, reasons.get(p.id, ""), figures[p.id])
                         for p in postings],
            "total": await query.count()}
