"""Rebuild the index from the database into a new versioned index, then switch the alias atomically."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager, nullcontext, suppress

from elasticsearch import AsyncElasticsearch
from tqdm import tqdm

from models.job import Job
from runtime import clock
from search.documents import job_document
from search.index import ALIAS, bulk_write, create_index, indices_behind_alias, next_index_name, serving_settings

log = logging.getLogger("indexer.reindex")


async def _load(client: AsyncElasticsearch, index: str, jobs_query, batch_size: int, bar: tqdm) -> None:
    """Keyset pagination by id: memory stays flat whatever the table size."""
    last_id = 0
    while True:
        jobs = await jobs_query.filter(id__gt=last_id).order_by("id").limit(batch_size)
        if not jobs:
            return
        await bulk_write(client, [(job.version, job_document(job)) for job in jobs], [], index=index, refresh=False)
        last_id = jobs[-1].id
        bar.update(len(jobs))


async def reindex(client: AsyncElasticsearch, *, lock: AbstractAsyncContextManager | None = None,
                  batch_size: int = 1000, progress: bool = False) -> str:
    """Returns the new index's name. Readers keep the old index until the alias switches.

    `lock` keeps two operators' reindexes apart on a shared cluster (the CLI passes a `renewed_lock`);
    an engine owned by one process (the embedded one) needs none.
    """
    async with lock or nullcontext():
        started = clock.now()
        name = await next_index_name(client)
        await create_index(client, name, bulk_loading=True)
        try:
            with tqdm(total=await Job.all().count(), desc=f"reindex {name}", unit="job",
                      disable=not progress) as bar:
                await _load(client, name, Job.all(), batch_size, bar)
            await client.indices.put_settings(index=name, settings=serving_settings())
            await client.indices.refresh(index=name)
            old = await indices_behind_alias(client)
            await client.indices.update_aliases(actions=[{"add": {"index": name, "alias": ALIAS}}]
                                                + [{"remove": {"index": o, "alias": ALIAS}} for o in old])
        except BaseException:
            # Readers never saw the half-built index: drop it, so the next reindex starts clean.
            with suppress(Exception):
                await client.indices.delete(index=name)
            raise
        # Jobs changed while loading may have reached only the old index: write them again.
        with tqdm(desc="catch-up", unit="job", disable=not progress) as bar:
            await _load(client, name, Job.filter(update_at__gte=started), batch_size, bar)
        await client.indices.refresh(index=name)
        for index in old:
            await client.indices.delete(index=index)
        log.info("reindexed into %s (replaced %s)", name, old)
        return name
