"""What the search layer knows of a section (招聘 jobs, 求职 seekers, 招租 shops): its alias and index
definition, how one of its postings becomes a document, and its own listing filters.

Plain values and functions: search/ never imports models/. `sections.Section` is the whole declaration; it is
one of these, so every function here takes a section as it is registered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib.abc import Traversable
from typing import Any


@dataclass(frozen=True, eq=False, kw_only=True)
class IndexedSection:
    name: str  # the alias, and the prefix of its versioned indices (<name>_v<N>)
    biz_type: int  # the seed's biz_type / purpose_type: 1 招聘, 2 求职, 3 招租
    mapping: Traversable  # settings + mappings (es_mappings/<name>.json: package data, found when installed)
    document: Callable[[Any], dict]  # a posting → the document the index holds (the listing's and the detail's item)
    # The list body's `filter` and the listing's "now" (ISO, Shanghai) → this section's DSL clauses.
    filters: Callable[[Mapping[str, Any], str], list[dict]]
    # Fields an item shows that its document does not hold (an age from a birth year): (item, now_iso) → fields.
    derived: Callable[[Mapping[str, Any], str], dict] | None = None
    # The search box (search/keywords.py): which numbers a keyword may mean here (salary, experience, area),
    # and the published fields of an item a keyword page marks its matches in.
    keyword_numbers: tuple[str, ...] = ()
    highlighted: tuple[str, ...] = ()
    suggested: str = ""  # a keyword field of published values the search box's completions draw on
    # Its postings carry their owner's verified business (营业执照) as `verified` in the document and items, and
    # its list takes `verified_only` (招聘 jobs, 招租 shops; not a person's card).
    verified_label: bool = False

    @cached_property
    def _definition_text(self) -> str:
        return self.mapping.read_text(encoding="utf-8")

    def definition(self) -> dict:
        """Settings and mappings (a fresh copy: callers may change it)."""
        return json.loads(self._definition_text)
