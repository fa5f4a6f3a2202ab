"""A section's index that is lost or broken comes back by itself, on any cluster.

Lost: its alias is gone (a cluster restarted without its data, a wrong snapshot restore, an operator's delete).
Broken: the alias points at more than one index (a crashed create race), so every write through it fails.
Either way one process (the section's reindex lock) rebuilds the index from the database into a new
versioned index and points the alias at it when complete: until then the section's list answers 503, never
an empty or partial index as if it were whole. Each is logged as an ERROR with its reason; the outbox keeps
the changes made meanwhile, and the reindex's catch-up and the drainer bring them in.

Squatted: a concrete index holds the alias's name, so the alias cannot be made. It is not the healer's to
delete (not one of the section's `<name>_v<N>`, it may hold someone's data): one ERROR per process names it,
the list answers 503 and /readyz says so until an operator deletes it, and the next round rebuilds.

The embedded engine runs the same healer; its supervisor (server/supervision.py) restarts and refills a
crashed engine.
"""

from __future__ import annotations

import logging

import redis.asyncio as redis
from elasticsearch import AsyncElasticsearch

from indexer.lock import LockBusy, reindex_lock, renewed_lock
from indexer.reindex import reindex
from runtime.periodic import PeriodicTask
from sections import Section, all_sections
from search.engine import CREDENTIALS_REFUSED, refused_credentials
from search.index import alias_state, ensure_alias, section_indices
from search.index_policy import DEFAULT_POLICY, IndexPolicy

log = logging.getLogger("indexer.heal")


async def heal(client: AsyncElasticsearch, cache: redis.Redis, section: Section,
               policy: IndexPolicy = DEFAULT_POLICY) -> str | None:
    """Rebuild the section's index if its alias is missing or points at several indices, or at another's; the
    new index's name, or None when it is sound, squatted (see `IndexHealer`), or another process rebuilds it.
    The rebuild is a `reindex` with the operator's `policy`: its replicas, and the health it waits for."""
    state = await alias_state(client, section)
    if state.problem() is None or state.squatter:
        return None
    try:
        async with renewed_lock(cache, reindex_lock(section.name), what=f"a rebuild of {section.name}"):
            state = await alias_state(client, section)  # again, under the lock
            if state.problem() is None or state.squatter:
                return None  # healed meanwhile by the lock's last holder, or an operator's to clear
            behind = list(state.behind)
            if not behind and not await section_indices(client, section) and not await section.model.all().exists():
                # A new cluster and nothing to list yet (a first deployment): no loss to report.
                name = await reindex(client, section, policy=policy)
                log.info("search index %s created as %s (the database holds no %s yet)", section.name, name,
                         section.target)
                return name
            log.error("search index %s is lost or broken (%s): rebuilding it from the database; its list "
                      "answers 503 until the rebuild is done", section.name, state.problem())
            if behind:  # the list must not serve both meanwhile (each posting twice): 503 until rebuilt
                await client.indices.update_aliases(actions=[{"remove": {"index": index, "alias": section.name}}
                                                             for index in behind])
            name = await reindex(client, section, policy=policy)
            # Indices of the section behind no alias are what crashed loads and lost aliases left.
            for stray in set(await section_indices(client, section)) - {name}:
                await client.indices.delete(index=stray)
            log.error("search index %s rebuilt from the database into %s: its list is served again",
                      section.name, name)
            return name
    except LockBusy:
        return None  # another process is rebuilding it


class IndexHealer(PeriodicTask):
    """Looks at every section's alias every `interval` (and at once when nudged: a write refused for want of
    the alias), and heals what it finds."""

    log = log
    what = "index check"
    pause_after_failure = 5.0

    def __init__(self, client: AsyncElasticsearch, cache: redis.Redis, interval: float,
                 policy: IndexPolicy = DEFAULT_POLICY):
        super().__init__(interval)
        self._client = client
        self._cache = cache
        self._policy = policy
        self._mapped: set[str] = set()
        self._squatted: set[str] = set()  # said once per process while it stays

    async def round(self) -> None:
        failed = None
        for section in all_sections():  # one section failing never keeps the others from their turn
            try:
                if await self._squatted_by_a_stranger(section):
                    continue
                await heal(self._client, self._cache, section, self._policy)
                # The definition's new fields (an upgrade's), once the cluster answers: a start may have missed it.
                if section.name not in self._mapped and await ensure_alias(self._client, section, create=False):
                    self._mapped.add(section.name)
            except Exception as exc:
                failed = exc
                if status := refused_credentials(exc):
                    log.error("index check of %s: %s", section.name, CREDENTIALS_REFUSED.format(status=status))
                else:
                    log.error("index check of %s failed, will retry: %s: %s", section.name, type(exc).__name__, exc)
        if failed is not None:
            raise failed  # the round's pause before the next one

    async def _squatted_by_a_stranger(self, section: Section) -> bool:
        """A concrete index named as the alias (not `<name>_v<N>`, so not ours to drop: it may hold an operator's
        data, e.g. a restore under the alias's name) keeps the alias from being made. The list answers 503 and
        /readyz names it until an operator deletes it; the next round then rebuilds the index."""
        squatter = (await alias_state(self._client, section)).squatter
        if squatter is None:
            self._squatted.discard(section.name)
            return False
        if section.name not in self._squatted:
            self._squatted.add(section.name)
            log.error("search index %s is not served: a concrete index named %s holds the alias's name, so the "
                      "alias cannot be made; its list answers 503 until an operator deletes that index (keep "
                      "its documents first if they matter: DELETE /%s), then it is rebuilt from the database",
                      section.name, squatter, squatter)
        return True
