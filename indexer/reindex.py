"""Rebuild a section's index from the database into a new versioned index, then switch its alias atomically once
the new index has the health the operator declares; the old index goes only once the switch is acknowledged."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager, nullcontext, suppress

from elasticsearch import AsyncElasticsearch
from tqdm import tqdm

from runtime import clock
from sections import Section
from search.index import bulk_write, create_index, indices_behind_alias, next_index_name, serving_settings
from search.index_policy import DEFAULT_POLICY, IndexNotReady, IndexPolicy, wait_until_ready

log = logging.getLogger("indexer.reindex")


async def _load(client: AsyncElasticsearch, section: Section, index: str, query, batch_size: int,
                bar: tqdm) -> None:
    """Keyset pagination by id: memory stays flat whatever the table size."""
    last_id = 0
    while True:
        postings = await query.filter(id__gt=last_id).order_by("id").limit(batch_size)
        if not postings:
            return
        await bulk_write(client, section, [(p.version, section.document(p)) for p in postings], [], index=index,
                         refresh=False)
        last_id = postings[-1].id
        bar.update(len(postings))


REINDEX_REQUEST_SECONDS = 120.0


async def reindex(client: AsyncElasticsearch, section: Section, *, lock: AbstractAsyncContextManager | None = None,
                  policy: IndexPolicy = DEFAULT_POLICY, batch_size: int = 1000, progress: bool = False) -> str:
    """Returns the new index's name. Readers keep the old index until the alias switches, which waits for
    the new one to reach `policy`'s health: one that does not in time is dropped (IndexNotReady).

    `lock` keeps two operators' reindexes apart on a shared cluster (the CLI passes a `renewed_lock`);
    an engine owned by one process (the embedded one) needs none.
    """
    # A batch of 1,000 documents, or a refresh of a whole new index, may take longer than the 5 s a listing
    # may wait: a reindex is not an outage when a busy cluster is slow to take it.
    client = client.options(request_timeout=REINDEX_REQUEST_SECONDS)
    async with lock or nullcontext():
        started = clock.now()
        model = section.model
        name = await next_index_name(client, section)
        await create_index(client, section, name, policy=policy, bulk_loading=True)
        try:
            with tqdm(total=await model.all().count(), desc=f"reindex {name}", unit=section.target,
                      disable=not progress) as bar:
                await _load(client, section, name, model.all(), batch_size, bar)
            await client.indices.put_settings(index=name, settings=serving_settings(section, policy))
            await client.indices.refresh(index=name)
            old = await indices_behind_alias(client, section)
            try:  # its replicas placed (green) before it serves: a node lost next must not lose the list
                await wait_until_ready(client, name, policy)
            except IndexNotReady as exc:
                log.error("search index %s not switched to %s: %s; %s, %s is dropped", section.name, name, exc,
                          f"{old} keeps serving" if old else "its list answers 503 until a rebuild succeeds", name)
                raise
            switched = await client.indices.update_aliases(
                actions=[{"add": {"index": name, "alias": section.name}}]
                + [{"remove": {"index": o, "alias": section.name}} for o in old])
        except BaseException:
            # Readers never saw the half-built index: drop it, so the next reindex starts clean.
            with suppress(Exception):
                await client.indices.delete(index=name)
            raise
        # Postings changed while loading may have reached only the old index: write them again.
        with tqdm(desc="catch-up", unit=section.target, disable=not progress) as bar:
            await _load(client, section, name, model.filter(update_at__gte=started), batch_size, bar)
        await client.indices.refresh(index=name)
        if not switched.body.get("acknowledged"):
            # Not every node confirmed the switch in time: some may still search the old index.
            log.error("search index %s: the alias switch to %s was not acknowledged in time; keeping %s (delete it "
                      "by hand once GET _alias/%s shows %s alone)", section.name, name, old, section.name, name)
            old = []
        for index in old:
            await client.indices.delete(index=index)
        log.info("reindexed into %s (replaced %s)", name, old)
        return name
