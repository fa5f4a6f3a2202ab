"""A section's index: versioned indices (`<alias>_v<N>`, e.g. `jobs_v3`) behind its alias (`jobs`), and bulk
writes. Every function takes the section (`search.section.IndexedSection`) it works on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from elasticsearch import AsyncElasticsearch, BadRequestError, ConflictError, NotFoundError
from elasticsearch.helpers import async_bulk

from runtime import clock
from search import recent_pages
from search.index_policy import DEFAULT_POLICY, IndexPolicy
from search.section import IndexedSection


SHANGHAI_OFFSET = "+08:00"


def doc_time(moment: datetime | None) -> str | None:
    """A stored (naive Shanghai wall) time as the index holds it: with its offset, so `now` compares right."""
    if moment is None:
        return None
    moment = moment.replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}{SHANGHAI_OFFSET}"


async def indices_behind_alias(client: AsyncElasticsearch, section: IndexedSection) -> list[str]:
    try:
        return sorted((await client.indices.get_alias(name=section.name)).body)
    except NotFoundError:
        return []


@dataclass(frozen=True)
class AliasState:
    """What the section's name resolves to on the engine."""

    behind: tuple[str, ...]  # the indices the alias points at (sound: exactly one)
    squatter: str | None = None  # a concrete index holding the alias's name: the alias cannot exist
    foreign: tuple[str, ...] = ()  # indices behind the alias that are not the section's own (<name>_v<N>)

    def problem(self) -> str | None:
        """Why the section's list cannot be served as whole, or None."""
        if self.squatter:
            return f"a concrete index named {self.squatter} holds the alias's name"
        if self.foreign:
            return f"its alias points at {list(self.foreign)}, not at one of its own indices"
        if not self.behind:
            return "its alias is missing"
        if len(self.behind) > 1:
            return f"its alias points at {len(self.behind)} indices {list(self.behind)}"
        return None


async def alias_state(client: AsyncElasticsearch, section: IndexedSection) -> AliasState:
    """One request: `GET /<name>/_alias` answers the indices the name resolves to, which is the name itself
    when a concrete index squats it (an auto-created `jobs`, a restore under the alias's name)."""
    try:
        found = (await client.indices.get_alias(index=section.name)).body
    except NotFoundError:
        return AliasState(())
    if section.name in found:
        return AliasState((), squatter=section.name)
    return AliasState(tuple(sorted(found)), foreign=tuple(sorted(i for i in found if not is_versioned(section, i))))


class AliasWatch:
    """This process's view of each section's alias, at most `ttl` seconds old: cheap enough for /readyz and
    for the listing's empty pages."""

    def __init__(self, client: AsyncElasticsearch, ttl: float = 2.0):
        self._client = client
        self._ttl = ttl
        self._seen: dict[str, tuple[float, AliasState]] = {}

    async def state(self, section: IndexedSection) -> AliasState:
        seen = self._seen.get(section.name)
        if seen is not None and clock.monotonic() - seen[0] < self._ttl:
            return seen[1]
        state = await alias_state(self._client, section)
        self._seen[section.name] = (clock.monotonic(), state)
        return state

    def forget(self) -> None:
        self._seen.clear()


class NotServed(RuntimeError):
    """The section's name resolved to an index that is not one of its versioned indices (a squatter): its
    documents are never served as the list."""


def check_served(section: IndexedSection, index: str) -> None:
    if not is_versioned(section, index):
        raise NotServed(f"search index {section.name} resolves to {index}, which is not one of its versioned "
                        f"indices")


def is_versioned(section: IndexedSection, index: str) -> bool:
    return re.fullmatch(rf"{re.escape(section.name)}_v\d+", index) is not None


def _index_number(name: str) -> int:
    suffix = name.rsplit("_v", 1)[-1]
    return int(suffix) if suffix.isdigit() else 0


async def section_indices(client: AsyncElasticsearch, section: IndexedSection) -> list[str]:
    """Every versioned index of the section (<name>_v<N>), behind its alias or not; never another index
    the pattern also matches (an operator's `jobs_v3_backup`)."""
    found = (await client.indices.get(index=f"{section.name}_v*", allow_no_indices=True, expand_wildcards="all")).body
    return sorted(name for name in found if is_versioned(section, name))


async def next_index_name(client: AsyncElasticsearch, section: IndexedSection) -> str:
    existing = await section_indices(client, section)
    return f"{section.name}_v{max(map(_index_number, existing), default=0) + 1}"


async def create_index(client: AsyncElasticsearch, section: IndexedSection, name: str, *,
                       policy: IndexPolicy = DEFAULT_POLICY, bulk_loading: bool = False, alias: bool = False) -> None:
    """Create `name` with the operator's replicas; with `alias`, the alias points at it in the same request (no
    moment without either)."""
    definition = section.definition()
    settings = {**definition["settings"], **policy.replica_settings()}
    if bulk_loading:  # no refreshes and no replicas while loading; restored before the alias switch
        settings.update(BULK_LOADING)
    await client.indices.create(index=name, settings=settings, mappings=definition["mappings"],
                                aliases={section.name: {}} if alias else None)


# While a new index is loaded; `serving_settings()` puts the serving values back.
BULK_LOADING = {"refresh_interval": "-1", "auto_expand_replicas": "false", "number_of_replicas": 0}


def serving_settings(section: IndexedSection, policy: IndexPolicy) -> dict:
    """What BULK_LOADING changed, as an index serves it: the operator's replicas, and the definition's refresh
    interval, null (the engine's default) where it sets none rather than a literal."""
    return {"refresh_interval": section.definition()["settings"].get("refresh_interval"),
            **policy.replica_settings()}


async def ensure_alias(client: AsyncElasticsearch, section: IndexedSection, create: bool = True, *,
                       policy: IndexPolicy = DEFAULT_POLICY) -> str | None:
    """Create the first versioned index (with `policy`'s replicas) and point the alias at it, unless the alias
    exists (`create` False: never; None then). Where it exists, the definition's new fields are added to its
    index.

    One atomic request, so concurrent workers cannot end with two indices behind the alias.
    """
    current = await indices_behind_alias(client, section)
    if current:
        # Fields added to the definition since that index was made (adding is all a mapping allows):
        # documents carrying them are accepted at once, without waiting for the next reindex. Only the
        # missing ones: a field whose definition changed (an unqueried text made `index: false`) keeps its
        # old one until a reindex makes a new index.
        defined = section.definition()["mappings"]["properties"]
        held = (await client.indices.get_mapping(index=current[0])).body[current[0]]["mappings"].get("properties", {})
        if missing := {name: value for name, value in defined.items() if name not in held}:
            await client.indices.put_mapping(index=section.name, properties=missing)
        return current[0]
    if not create:
        return None
    name = await next_index_name(client, section)
    try:
        await create_index(client, section, name, policy=policy, alias=True)
    except BadRequestError as exc:  # another worker created it a moment ago
        if exc.error != "resource_already_exists_exception":
            raise
        return (await indices_behind_alias(client, section) or [name])[0]
    # A worker that looked a moment later may have created the next name: the oldest index wins.
    behind = sorted(await indices_behind_alias(client, section), key=_index_number)
    if behind and behind[0] != name:
        await client.indices.delete(index=name)
        return behind[0]
    return name


class BulkRejected(RuntimeError):
    """The engine refused some writes: the outbox rows behind them must stay for a retry."""


def _acceptable(item: dict) -> bool:
    op, result = next(iter(item.items()))
    if result.get("status") == 409 and op != "delete":
        return True  # external versioning: the engine already holds this state or a newer one
    return op == "delete" and result.get("result") == "not_found"  # already gone


async def bulk_write(client: AsyncElasticsearch, section: IndexedSection, documents: list[tuple[int, dict]],
                     deleted_ids: list[int], index: str | None = None, refresh: bool | str = "wait_for") -> None:
    """Upsert `(version, document)` pairs and delete ids; raises unless every action was accepted.

    Each document carries its job's version (`version_type=external`), so whoever writes (app drainers, the
    daemon, a reindex) an older state can never replace a newer one, and no lock is needed. Writes through
    the alias require it (`require_alias`): without it the engine would auto-create a concrete `jobs` index
    that blocks the alias for good. `index`: a concrete index being loaded instead of the section's alias.
    """
    index = index or section.name
    actions = [{"_op_type": "index", "_index": index, "_id": str(doc["id"]), "_source": doc,
                "version": version, "version_type": "external"} for version, doc in documents]
    actions += [{"_op_type": "delete", "_index": index, "_id": str(job_id)} for job_id in deleted_ids]
    if not actions:
        return
    try:
        _, errors = await async_bulk(client, actions, raise_on_error=False, refresh=refresh,
                                     require_alias=index == section.name)
    finally:
        recent_pages.forget_pages(section.name)  # this process's listings show what it wrote at once
    real_errors = [item for item in errors if not _acceptable(item)]
    if real_errors:
        raise BulkRejected(f"bulk write rejected {len(real_errors)} actions: {real_errors[:3]}")


_HELD_VERSION = re.compile(r"current version \[(\d+)\]")


async def write_at_least(client: AsyncElasticsearch, section: IndexedSection, version: int,
                         document: dict) -> int | None:
    """Write `document` at `version` or, when the engine holds a higher one (a manual edit, or the
    tombstone of a manual delete), return that version so the caller can move the job past it."""
    try:
        await client.index(index=section.name, id=str(document["id"]), document=document, version=version,
                           version_type="external_gte", require_alias=True, refresh=True)
        recent_pages.forget_pages(section.name)
        return None
    except ConflictError as exc:
        held = _HELD_VERSION.search(str(exc.info))
        if held is None:
            raise
        return int(held.group(1))
