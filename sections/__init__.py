"""The posting core's registry: each section of the mini-program (biz_type 1 招聘, 2 求职, 3 招租) declared once.

A section is one package here (sections/<name>/: its declaration, bodies, items, document and filters, rules,
samples), its index mapping (es_mappings/<name>.json) and its model (models/). Everything shared (writes and
the outbox, the indexer, listing sorts and cache, routes, favourites, contacts, orders, reports, prices) takes a
`Section` and never names one. Importing this package registers every package under it; a section kept
elsewhere (SECTION_PACKAGES) is registered by `load`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from sections.registry import (
    Section,
    UnknownSection,
    all_sections,
    by_biz_type,
    by_name,
    by_share_letter,
    register,
    served,
)

__all__ = ["Section", "UnknownSection", "all_sections", "by_biz_type", "by_name", "by_share_letter", "load", "register",
           "served"]


def load(packages: Iterable[str]) -> None:
    """Import section packages (each registers its section on import); already imported ones are kept."""
    for package in packages:
        importlib.import_module(package)


load(f"{__name__}.{module.name}" for module in pkgutil.iter_modules(__path__) if module.ispkg)
