"""The jobs index: versioned indices (`jobs_v<N>`) behind the alias `jobs`, and bulk writes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError
from elasticsearch.helpers import async_bulk

ALIAS = "jobs"
SHANGHAI_OFFSET = "+08:00"
_MAPPING_FILE = Path(__file__).resolve().parent.parent / "es_mappings" / "jobs.json"


def doc_time(moment: datetime | None) -> str | None:
    """A stored (naive Shanghai wall) time as the index holds it: with its offset, so `now` compares right."""
    if moment is None:
        return None
    moment = moment.replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}{SHANGHAI_OFFSET}"


def load_definition() -> dict:
    """Settings and mappings from es_mappings/jobs.json."""
    return json.loads(_MAPPING_FILE.read_text(encoding="utf-8"))


async def indices_behind_alias(client: AsyncElasticsearch) -> list[str]:
    try:
        return sorted((await client.indices.get_alias(name=ALIAS)).body)
    except NotFoundError:
        return []


async def next_index_name(client: AsyncElasticsearch) -> str:
    existing = (await client.indices.get(index=f"{ALIAS}_v*", allow_no_indices=True, expand_wildcards="all")).body
    numbers = [int(name.rsplit("_v", 1)[1]) for name in existing if name.rsplit("_v", 1)[1].isdigit()]
    return f"{ALIAS}_v{max(numbers, default=0) + 1}"


async def create_index(client: AsyncElasticsearch, name: str, *, bulk_loading: bool = False) -> None:
    definition = load_definition()
    settings = dict(definition["settings"])
    if bulk_loading:  # no refreshes and no replicas while loading; restored before the alias switch
        settings.update({"refresh_interval": "-1", "number_of_replicas": 0})
    await client.indices.create(index=name, settings=settings, mappings=definition["mappings"])


async def ensure_alias(client: AsyncElasticsearch) -> str:
    """Create the first versioned index and point the alias at it, unless the alias exists."""
    current = await indices_behind_alias(client)
    if current:
        return current[0]
    name = await next_index_name(client)
    try:
        await create_index(client, name)
    except BadRequestError as exc:  # another worker created it a moment ago
        if exc.error != "resource_already_exists_exception":
            raise
    await client.indices.put_alias(index=name, name=ALIAS)
    return name


async def bulk_write(client: AsyncElasticsearch, documents: list[dict], deleted_ids: list[int],
                     index: str = ALIAS, refresh: bool = True) -> None:
    """Upsert documents (by id) and delete ids; raises unless the engine acknowledged every action."""
    actions = [{"_op_type": "index", "_index": index, "_id": str(doc["id"]), "_source": doc} for doc in documents]
    actions += [{"_op_type": "delete", "_index": index, "_id": str(job_id)} for job_id in deleted_ids]
    if not actions:
        return
    # A delete of a document that is not there is fine; anything else failing is an error.
    _, errors = await async_bulk(client, actions, raise_on_error=False, refresh=refresh)
    real_errors = [e for e in errors if e.get("delete", {}).get("status") != 404]
    if real_errors:
        raise RuntimeError(f"bulk write rejected {len(real_errors)} actions: {real_errors[:3]}")
