"""The hot read of one posting (`/jobs/info`): its primary-key SELECT without Tortoise's query builder, whose
building of the SQL cost about three times the query itself (~0.4 ms of CPU a call, measured); and the
rows of recently read postings, kept a moment for the public detail. Any section's model."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from cachetools import TTLCache
from tortoise import connections

from tortoise.models import Model

from models.postings import STATUS_OPEN
from runtime import clock

# Recently read rows by (model, id), shared read-only by every request of this process. Writes through
# models.posting_writes
# drop a row once their transaction has ended (never before its commit); another process's writes (a
# worker, the moderation CLI) show once it is older than the kept time (JOB_DETAIL_CACHE_SECONDS).
_recent: TTLCache | None = TTLCache(maxsize=10_000, ttl=1.0, timer=clock.monotonic)
# Counts the drops: a row read before a write's commit and stored after its drop would be kept old, so a
# read that saw a drop happen meanwhile is served but not kept.
_drops = 0


@cache
def _by_id_sql(model: type[Model], dialect: str) -> str:
    """Built once per model and database kind by Tortoise itself, so it always matches the model's columns."""
    return model.filter(id=0).limit(1).sql()  # parameterised: the id and the limit are placeholders


async def posting_by_id(model: type[Model], posting_id: int) -> Model | None:
    connection = connections.get("default")
    rows = await connection.execute_query_dict(_by_id_sql(model, connection.capabilities.dialect), [posting_id, 1])
    # What Tortoise itself does with a fetched row: every field converted to its Python value.
    return model._init_from_db(**rows[0]) if rows else None


def keep_recent_rows(seconds: float, rows: int = 10_000) -> None:
    """How long (0: never) and how many rows `recent_posting` keeps; the app sets it at start."""
    global _recent
    _recent = TTLCache(maxsize=rows, ttl=seconds, timer=clock.monotonic) if seconds > 0 else None


async def recent_posting(model: type[Model], posting_id: int, unless_owned_by: int | None = None) -> Model | None:
    """The posting as read at most `keep_recent_rows` seconds ago, for readers who can take that (the public
    detail). A kept row is never served to its owner (`unless_owned_by`), who reads the row as it is.
    Missing postings are not kept: a new one shows at once."""
    recent = _recent
    if recent is None:
        return await posting_by_id(model, posting_id)
    key = (model, posting_id)
    posting = recent.get(key)
    if posting is None or posting.user_id == unless_owned_by:
        drops = _drops
        posting = await posting_by_id(model, posting_id)
        if posting is not None and drops == _drops:
            recent[key] = posting
    return posting


def forget_recent(model: type[Model] | None = None, posting_id: int | None = None) -> None:
    """Drop a posting's kept row (after a write's commit), or every one."""
    global _drops
    _drops += 1
    if _recent is None:
        return
    if model is None:
        _recent.clear()
    else:
        _recent.pop((model, posting_id), None)


async def postings_of(model: type[Model], user_id: int, biz_type: int, *, open_only: bool = False,
                      created_since: datetime | None = None) -> int:
    """How many postings of `model` the user has: all, the open ones, or those created since a moment."""
    query = model.filter(user_id=user_id, biz_type=biz_type)  # the (user_id, biz_type, create_at) index
    if open_only:
        query = query.filter(status=STATUS_OPEN)
    if created_since is not None:
        query = query.filter(create_at__gte=created_since)
    return await query.count()


async def open_posting_of(model: type[Model], user_id: int, excluding: int | None = None) -> int | None:
    """The id of one of the user's open postings of `model` (but `excluding`), if any."""
    query = model.filter(user_id=user_id, status=STATUS_OPEN)
    if excluding is not None:
        query = query.exclude(id=excluding)
    ids = await query.order_by("id").limit(1).values_list("id", flat=True)
    return ids[0] if ids else None


async def postings_with_photo(model: type[Model], url: str) -> list[Model]:
    """Every posting of `model` whose photos include `url`: JSON_CONTAINS on MySQL; SQLite (development) has
    no JSON containment in Tortoise, so a text match there, confirmed on the decoded list."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "mysql":
        return await model.filter(photo_urls__contains=[url])
    rows = await connection.execute_query_dict(
        f"SELECT id FROM {model._meta.db_table} WHERE instr(photo_urls, ?) > 0", [url])
    return [posting for posting in await model.filter(id__in=[row["id"] for row in rows])
            if url in (posting.photo_urls or [])]
