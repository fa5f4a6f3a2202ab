"""A cluster with `search.allow_expensive_queries: false`: the searches it refuses, and its answer.

Such a cluster refuses, with 400, any search whose query holds a clause that walks the terms of a field (a
leading wildcard reads every term of the index) or runs a script per document. The test engine's proxy
(tests/fakes/refreshing_engine.py) answers the same, so a query that would be refused there is refused here.
"""

from __future__ import annotations

from typing import Any

import orjson

EXPENSIVE = frozenset(("wildcard", "regexp", "prefix", "fuzzy", "query_string", "script"))
# Where a search body holds queries; an aggregation's own script (a terms agg's) is allowed, its filter is not.
_QUERY_KEYS = ("query", "post_filter")
_AGG_QUERY_KEYS = ("filter", "filters")
_AGGS = ("aggs", "aggregations")


def _in_clause(node: Any) -> str | None:
    """The first expensive clause anywhere under a query clause. A field named like one (`prefix`) would be
    taken for it: no index of this project has one."""
    if isinstance(node, list):
        return next((found for item in node if (found := _in_clause(item))), None)
    if isinstance(node, dict):
        for key, value in node.items():
            if key in EXPENSIVE:
                return key
            if found := _in_clause(value):
                return found
    return None


def _in_aggs(aggs: Any) -> str | None:
    for agg in aggs.values() if isinstance(aggs, dict) else ():
        if not isinstance(agg, dict):
            continue
        for key, value in agg.items():
            found = _in_aggs(value) if key in _AGGS else _in_clause(value) if key in _AGG_QUERY_KEYS else None
            if found:
                return found
    return None


def expensive_clause(body: Any) -> str | None:
    """The kind of the first expensive query clause a search or count body holds, or None."""
    if not isinstance(body, dict):
        return None
    for key in _QUERY_KEYS:
        if found := _in_clause(body.get(key)):
            return found
    return next((found for key in _AGGS if (found := _in_aggs(body.get(key)))), None)


def refusal(kind: str, index: str = "_na_") -> dict:
    """Elasticsearch's error body (status 400) for a search holding a clause of that kind."""
    reason = f"[{kind}] queries cannot be executed when 'search.allow_expensive_queries' is set to false."
    cause = {"type": "query_shard_exception", "reason": reason, "index": index}
    return {"error": {"root_cause": [cause], "type": "search_phase_execution_exception", "reason": "all shards failed",
                      "phase": "query", "grouped": True,
                      "failed_shards": [{"shard": 0, "index": index, "reason": cause}]},
            "status": 400}


def _parsed(raw: bytes) -> Any:
    try:
        return orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        return None  # the engine answers the malformed body itself


def refused_search(raw: bytes, index: str | None) -> dict | None:
    """For a `_search` / `_count` body: the 400 answer when it is expensive, else None."""
    kind = expensive_clause(_parsed(raw))
    return refusal(kind, index or "_na_") if kind else None


def refused_msearch(raw: bytes, index: str | None) -> list[dict | None]:
    """For an `_msearch` body (header and body lines by pairs): per search, the error item Elasticsearch puts
    in its 200 answer's `responses` when it is expensive, else None."""
    lines = [line for line in raw.split(b"\n") if line.strip()]
    answers: list[dict | None] = []
    for header, body in zip(lines[::2], lines[1::2]):
        kind = expensive_clause(_parsed(body))
        target = (_parsed(header) or {}).get("index") or index or "_na_"
        answers.append(refusal(kind, target if isinstance(target, str) else ",".join(target)) if kind else None)
    return answers
