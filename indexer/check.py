"""Drift between the database and the index: missing, stale and extra documents, and their repair."""

from __future__ import annotations

from dataclasses import dataclass, field

from elasticsearch import AsyncElasticsearch
from tqdm import tqdm

from models.job import Job
from models.job_writes import raise_version
from runtime import clock
from search.documents import job_document
from search.index import ALIAS, bulk_write, write_at_least


@dataclass
class Drift:
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


async def _indexed(client: AsyncElasticsearch, above: int, upto: int | None) -> dict[int, dict]:
    bounds = {"gt": above} if upto is None else {"gt": above, "lte": upto}
    found: dict[int, dict] = {}
    search_after = None
    while True:
        extra = {"search_after": search_after} if search_after else {}
        response = await client.search(index=ALIAS, query={"range": {"id": bounds}}, sort=[{"id": "asc"}],
                                       size=1000, **extra)
        hits = response["hits"]["hits"]
        if not hits:
            return found
        for hit in hits:
            found[int(hit["_id"])] = hit["_source"]
        search_after = hits[-1]["sort"]


async def _repair(client: AsyncElasticsearch, fixes: list[tuple[int, dict]], extra: list[int]) -> None:
    """Few documents, one by one: each may need its job's version moved past what the engine holds."""
    await bulk_write(client, [], extra)
    for version, document in fixes:
        held = await write_at_least(client, version, document)
        if held is not None:
            # The job may have changed since it was read: write what it is now, at its moved version.
            job = await raise_version(document["id"], held + 1, clock.now())
            await write_at_least(client, job.version, job_document(job))


async def check(client: AsyncElasticsearch, repair: bool = False, batch_size: int = 1000,
                progress: bool = False) -> Drift:
    """Walk the jobs by id in batches, comparing each batch with the same id range of the index."""
    drift = Drift()
    await client.indices.refresh(index=ALIAS)
    last_id = 0
    with tqdm(total=await Job.all().count(), desc="check", unit="job", disable=not progress) as bar:
        while True:
            jobs = await Job.filter(id__gt=last_id).order_by("id").limit(batch_size)
            upto = jobs[-1].id if jobs else None
            indexed = await _indexed(client, last_id, upto)
            fixes = []
            for job in jobs:
                document = job_document(job)
                held = indexed.pop(job.id, None)
                if held is None:
                    drift.missing.append(job.id)
                    fixes.append((job.version, document))
                elif held != document:
                    drift.stale.append(job.id)
                    fixes.append((job.version, document))
            drift.extra.extend(sorted(indexed))
            if repair:
                await _repair(client, fixes, sorted(indexed))
            bar.update(len(jobs))
            if not jobs:
                return drift
            last_id = upto
