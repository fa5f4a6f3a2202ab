"""The README is a map a newcomer reads first, and docs/ holds the long texts it links to: the map stays short and
in its order, no link leads nowhere, and every setting the app reads is on the map and explained in full."""

from __future__ import annotations

import re
from pathlib import Path

from runtime.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
# Sanic's own settings, read by Sanic from the environment, which the table names beside ours.
SANIC = re.compile(r"SANIC_[A-Z_]+")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_slug(line.lstrip("#")) for line in page.read_text().splitlines() if line.startswith("#")}


def _table_names(text: str) -> set[str]:
    """The variables named in a configuration table's first column."""
    names = set()
    for row in text.splitlines():
        if row.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0]))
    return names


def _section(text: str, title: str) -> str:
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_is_a_short_map_in_the_newcomers_order():
    text = README.read_text()
    assert len(text.splitlines()) < 300
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[:3] == ["Two commands", "Architecture", "Configuration"]
    commands = _section(text, "Two commands")
    assert commands.index("make run") < commands.index("make test")


def test_every_link_between_the_readme_and_the_docs_leads_to_a_page_and_a_heading():
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists() or (anchor and linked.is_file() and anchor not in _anchors(linked)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


def test_every_doc_is_reachable_from_the_readme():
    linked = {(README.parent / path).resolve() for path in re.findall(r"\]\((docs/[^)#\s]+)", README.read_text())}
    assert set(PAGES[1:]) <= linked, sorted(str(page.relative_to(ROOT)) for page in set(PAGES[1:]) - linked)


def test_every_setting_is_on_the_map_and_explained_in_full_and_none_that_is_gone():
    settings = {name.upper() for name in Settings.model_fields}
    on_the_map = _table_names(_section(README.read_text(), "Configuration"))
    explained = _table_names((ROOT / "docs" / "configuration.md").read_text())
    assert sorted(settings - on_the_map) == []
    assert sorted(settings - explained) == []
    assert sorted(name for name in on_the_map | explained if name not in settings and not SANIC.fullmatch(name)) == []
