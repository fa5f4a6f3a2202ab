"""The judged set as stored in data/: `<section>.corpus.json` (postings: model fields and ground truth) and
`<section>.queries.json` (queries: text, category, intent and the judged `relevant` ids with their grades).

One posting or query a line, so a diff shows what changed. An operator may edit a query's intent and run
`python -m indexer.relevance.generate` to judge it again, or edit `relevant` by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path

DATA = files("indexer.relevance.data")
TIME_FIELDS = ("create_at", "update_at", "last_refresh_time", "top_start_time", "top_end_time")


@dataclass(frozen=True)
class JudgedQuery:
    query: str
    category: str
    intent: dict
    relevant: dict[int, int]  # posting id → grade (2 exact intent, 1 partially relevant)


def _lines(header: dict, key: str, rows: list[dict]) -> str:
    """JSON with one row a line."""
    head = json.dumps(header, ensure_ascii=False)[:-1]
    body = ",\n".join(json.dumps(row, ensure_ascii=False, default=str) for row in rows)
    return f'{head}, "{key}": [\n{body}\n]}}\n'


def write(directory: Path, section: str, now: datetime, postings: list[dict], queries: list[dict]) -> None:
    (directory / f"{section}.corpus.json").write_text(
        _lines({"section": section, "now": now.isoformat()}, "postings", postings), encoding="utf-8")
    (directory / f"{section}.queries.json").write_text(
        _lines({"section": section}, "queries", queries), encoding="utf-8")


def _read(section: str, kind: str) -> dict:
    return json.loads((DATA / f"{section}.{kind}.json").read_text(encoding="utf-8"))


def corpus(section: str) -> tuple[datetime, list[dict]]:
    """The corpus's "now" and its postings, times parsed (model fields as models/ takes them)."""
    stored = _read(section, "corpus")
    postings = []
    for posting in stored["postings"]:
        fields = dict(posting["fields"])
        for name in TIME_FIELDS:
            if fields.get(name):
                fields[name] = datetime.fromisoformat(fields[name])
        postings.append({"fields": fields, "truth": posting["truth"]})
    return datetime.fromisoformat(stored["now"]), postings


def queries(section: str) -> list[JudgedQuery]:
    return [JudgedQuery(q["query"], q["category"], q["intent"], {int(key): grade for key, grade in q["relevant"].items()})
            for q in _read(section, "queries")["queries"]]
