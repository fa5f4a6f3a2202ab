"""The posting core's registry: each section of the mini-program (biz_type 1 招聘, 2 求职, 3 招租) declared once.

A section is its model (models/), its index definition (es_mappings/), its document and filter functions and its
texts; everything shared (writes and the outbox, the indexer, listing sorts and cache, favourites, contacts,
orders, reports) takes a `Section` and never names one. `sections.jobs` is the first, `sections.seekers` the second, `sections.shops` the third; importing this package
registers the built-in ones.
"""

from __future__ import annotations

from sections.core import Section, UnknownSection, all_sections, by_biz_type, by_name, register, served
from sections.jobs import JOBS
from sections.seekers import SEEKERS
from sections.shops import SHOPS

__all__ = ["JOBS", "SEEKERS", "SHOPS", "Section", "UnknownSection", "all_sections", "by_biz_type", "by_name", "register", "served"]
