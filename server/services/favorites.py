"""Saved postings (favourites), of any section: by (biz_type, posting id)."""

from __future__ import annotations

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.models import Model

from models.db import is_deadlock
from models.favorites import Favorite
from runtime import clock
from sections import Section, served
from server.services import posting_shapes, postings
from server.services.errors import PostingNotFound
from server.services.blocks import apart_from
from server.services.posting_stats import PostingCounter


async def _require(section: Section, posting_id: int) -> Model:
    posting = await section.model.get_or_none(id=posting_id)
    if posting is None:
        raise PostingNotFound(section.target)
    return posting


async def collect(section: Section, user_id: int, posting_id: int, stats: PostingCounter | None = None) -> None:
    """Save an open posting; saving it again changes nothing. A new favourite counts in the posting's figures."""
    posting = await _require(section, posting_id)
    if posting_shapes.private_to_others(section, posting, user_id):
        raise PostingNotFound(section.target)
    postings.require_open(section, posting, "collected")
    mine = {"user_id": user_id, "biz_type": section.biz_type, "posting_id": posting_id}
    # Concurrent inserts of one pair wait on its unique key; MySQL may end that with a deadlock, after
    # which the insert is simply tried again (collecting is idempotent).
    async for attempt in AsyncRetrying(retry=retry_if_exception(is_deadlock), stop=stop_after_attempt(5),
                                       reraise=True):
        with attempt:
            if await Favorite.exists(**mine):
                return
            try:
                await Favorite.create(**mine, create_at=clock.now())
            except IntegrityError:  # a concurrent collect of the same posting won
                return
    if stats is not None:
        stats.counted(section.biz_type, posting_id, "favorites")


async def cancel(section: Section, user_id: int, posting_id: int) -> None:
    """Un-save a posting; one that closed privately meanwhile can still be un-saved by whoever saved it (to
    anyone else it does not exist)."""
    posting = await _require(section, posting_id)
    saved = Favorite.filter(user_id=user_id, biz_type=section.biz_type, posting_id=posting_id)
    if posting_shapes.private_to_others(section, posting, user_id) and not await saved.exists():
        raise PostingNotFound(section.target)
    await saved.delete()


async def my_favorites(user_id: int, biz_type: int, offset: int, limit: int) -> dict:
    """`/collect/my`: my saved postings of the section of `biz_type`, newest first (none in a section not open)."""
    section = served(biz_type)
    if section is None:
        return {"list": [], "total": 0}
    # The postings of users I block are out of my favourites as of every other list (while the block lasts).
    blocked_owners = section.model.filter(user_id__in=apart_from(user_id)[0]).values("id")
    query = Favorite.filter(user_id=user_id, biz_type=biz_type).exclude(posting_id__in=Subquery(blocked_owners))
    favs = await query.order_by("-create_at", "-id").offset(offset).limit(limit)
    postings = {p.id: p for p in await section.model.filter(id__in=[fav.posting_id for fav in favs])}
    now = clock.now()
    # A favourite outlives nothing: postings are closed, never deleted, so each has its posting.
    return {"list": [posting_shapes.favorite(section, postings[fav.posting_id], fav.create_at, user_id, now)
                     for fav in favs if fav.posting_id in postings],
            "total": await query.count()}
