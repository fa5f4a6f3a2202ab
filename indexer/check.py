"""Drift between the database and a section's index: missing, stale and extra documents, and their repair."""

from __future__ import annotations

from dataclasses import dataclass, field

from elasticsearch import AsyncElasticsearch
from tqdm import tqdm

from models.posting_writes import raise_version
from runtime import clock
from sections import Section
from search.index import bulk_write, write_at_least


@dataclass
class Drift:
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


async def _indexed(client: AsyncElasticsearch, section: Section, above: int, upto: int | None) -> dict[int, dict]:
    bounds = {"gt": above} if upto is None else {"gt": above, "lte": upto}
    found: dict[int, dict] = {}
    search_after = None
    while True:
        extra = {"search_after": search_after} if search_after else {}
        response = await client.search(index=section.name, query={"range": {"id": bounds}}, sort=[{"id": "asc"}],
                                       size=1000, **extra)
        hits = response["hits"]["hits"]
        if not hits:
            return found
        for hit in hits:
            found[int(hit["_id"])] = hit["_source"]
        search_after = hits[-1]["sort"]


async def _repair(client: AsyncElasticsearch, section: Section, fixes: list[tuple[int, dict]],
                  extra: list[int]) -> None:
    """Few documents, one by one: each may need its posting's version moved past what the engine holds."""
    await bulk_write(client, section, [], extra)
    for version, document in fixes:
        held = await write_at_least(client, section, version, document)
        if held is not None:
            # The posting may have changed since it was read: write what it is now, at its moved version.
            posting = await raise_version(section.model, document["id"], held + 1, clock.now())
            await write_at_least(client, section, posting.version, section.document(posting))


async def check(client: AsyncElasticsearch, section: Section, repair: bool = False, batch_size: int = 1000,
                progress: bool = False) -> Drift:
    """Walk the section's postings by id in batches, comparing each batch with the same id range of the index."""
    drift = Drift()
    model = section.model
    await client.indices.refresh(index=section.name)
    last_id = 0
    with tqdm(total=await model.all().count(), desc=f"check {section.name}", unit=section.target,
              disable=not progress) as bar:
        while True:
            postings = await model.filter(id__gt=last_id).order_by("id").limit(batch_size)
            upto = postings[-1].id if postings else None
            indexed = await _indexed(client, section, last_id, upto)
            fixes = []
            for posting in postings:
                document = section.document(posting)
                held = indexed.pop(posting.id, None)
                if held is None:
                    drift.missing.append(posting.id)
                    fixes.append((posting.version, document))
                elif held != document:
                    drift.stale.append(posting.id)
                    fixes.append((posting.version, document))
            drift.extra.extend(sorted(indexed))
            if repair:
                await _repair(client, section, fixes, sorted(indexed))
            bar.update(len(postings))
            if not postings:
                return drift
            last_id = upto
