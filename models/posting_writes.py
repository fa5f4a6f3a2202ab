"""The one way to change a posting row, whatever its section: the row, its version, `update_at` and an outbox
row, in one transaction; once that transaction has committed, the listeners (the app's background indexer)
are told, from here and nowhere else.

Nothing else writes posting rows, so no writer can forget the index (the outbox), the version the index
orders writes by, or waking the indexer. Tortoise has no after-commit hook: a posting write owns the
outermost transaction (`posting_transaction`), and what it wrote is acted on when that one ends.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.outbox import IndexOutbox
from models.posting_reads import forget_recent

log = logging.getLogger("models.posting_writes")

# The postings written inside the current posting_transaction, (model, id): acted on once it has ended.
_written: ContextVar[set[tuple[type[Model], int]] | None] = ContextVar("postings_written", default=None)
# Called with no argument after every committed posting write of this process (the app's drainer nudge).
_committed_listeners: list[Callable[[], None]] = []


def on_commit(listener: Callable[[], None]) -> Callable[[], None]:
    """Call `listener` after each committed posting write; returns the function that stops it."""
    _committed_listeners.append(listener)
    return lambda: _committed_listeners.remove(listener) if listener in _committed_listeners else None


@asynccontextmanager
async def posting_transaction() -> AsyncIterator[None]:
    """The transaction of a posting write, for callers that read and lock the posting first (instead of
    `in_transaction`). Kept detail rows of the postings written in it are dropped once it has ended, never
    before its commit: a reader in between would read the old row and keep it, after the write answered.
    After a commit the listeners are told. Nested ones are savepoints of the outermost, which alone acts."""
    if _written.get() is not None:
        async with in_transaction():
            yield
        return
    if isinstance(connections.get("default"), TransactionalDBClient):
        # Inside someone else's transaction a drop or a nudge would come before its commit: the posting
        # write must own the outermost transaction.
        raise RuntimeError("a posting write inside a transaction not opened by "
                           "models.posting_writes.posting_transaction")
    written: set[tuple[type[Model], int]] = set()
    token = _written.set(written)
    committed = False
    try:
        async with in_transaction():
            yield
        committed = True
    finally:
        _written.reset(token)
        for model, posting_id in written:  # committed or rolled back: dropping is right (or harmless) either way
            forget_recent(model, posting_id)
        if committed and written:
            for listener in list(_committed_listeners):
                try:
                    listener()
                except Exception:  # the write is committed: a listener's failure is not the caller's
                    log.exception("a posting-commit listener failed")


def _written_in_this_transaction(posting: Model) -> None:
    _written.get().add((type(posting), posting.id))


async def _queue(posting: Model, reason: str, now: datetime) -> None:
    await IndexOutbox.create(biz_type=posting.biz_type, posting_id=posting.id, reason=reason, create_at=now)


async def create_posting(model: type[Model], now: datetime, **fields) -> Model:
    async with posting_transaction():
        posting = await model.create(create_at=now, update_at=now, version=1, **fields)
        _written_in_this_transaction(posting)
        await _queue(posting, "create", now)
    return posting


async def save_posting(posting: Model, reason: str, now: datetime, changed: list[str]) -> None:
    """Write `changed` fields of `posting` (already set on it), bump version and update_at, queue the reindex.

    Call it inside the posting_transaction that read (and row-locked) the posting; it opens its own when
    there is none. The posting's kept detail row is dropped once the outermost one has ended.
    """
    posting.update_at = now
    posting.version = F("version") + 1  # computed by the database: right even without a row lock
    async with posting_transaction():
        _written_in_this_transaction(posting)
        await posting.save(update_fields=[*changed, "update_at", "version"])
        await _queue(posting, reason, now)
    await posting.refresh_from_db(fields=["version"])


async def raise_version(model: type[Model], posting_id: int, at_least: int, now: datetime) -> Model:
    """Move a posting's version to `at_least` (never down) and queue it, without touching its content or
    update_at: for a repair, when the index holds a version the database never had. Returns the posting as
    it is now (it may have changed meanwhile)."""
    async with posting_transaction():
        await model.filter(id=posting_id, version__lt=at_least).update(version=at_least)
        posting = await model.get(id=posting_id)
        _written_in_this_transaction(posting)
        await _queue(posting, "repair", now)
        return posting
