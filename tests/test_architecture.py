"""The house's rules that code review alone would let slip: the package layers, and one writer of postings."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# setup.cfg, [importlinter]: the packages, and inside server the HTTP edge above the rules above the outside world.
CONTRACTS = ("server > indexer > sections > search | models > runtime", "server.routes > server.services > server.providers",
             "server.routes reach server.providers only through server.services")


def test_no_package_imports_one_above_it():
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--config", "setup.cfg"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    for contract in CONTRACTS:  # each one checked, not dropped from setup.cfg
        assert f"{contract} KEPT" in done.stdout, done.stdout


# Ways a module could change a posting row (of any section's model); only models/posting_writes.py may use them.
_MODEL = r"\b(?:Job|model|\w+\.model)"
_JOB_WRITES = re.compile(_MODEL + r"\.(create|bulk_create|bulk_update|update_or_create|get_or_create|raw)\b"
                         r"|" + _MODEL + r"\.(filter|all|select_for_update)\(.*\)\s*\.\s*(update|delete)\("
                         r"|\b(?:job|posting)\.(save|delete)\(")


def test_only_posting_writes_changes_posting_rows():
    offenders = []
    for package in ("server", "indexer", "sections", "search", "models", "runtime"):
        for path in (ROOT / package).rglob("*.py"):
            if path.relative_to(ROOT).as_posix() in ("models/posting_writes.py",) or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _JOB_WRITES.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "posting rows change only through models/posting_writes.py"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_shared_module_names_a_section():
    """A section is its package (sections/<name>/) and its model (models/<model>.py, created by
    models/migrations): everything else takes a `Section` from the registry, so a new section changes no
    shared file. Naming one is importing its package or its model."""
    from sections import all_sections

    own = {section.name: {f"sections.{section.name}", section.model.__module__} for section in all_sections()}
    section_modules = set().union(*own.values())
    offenders = []
    for package in ("server", "indexer", "search", "models", "runtime", "sections"):
        for path in (ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            if "migrations" in path.parts or any(module == name or module.startswith(name + ".")
                                                 for name in section_modules):
                continue
            named = {name for name in _imported_modules(path)
                     if any(name == section or name.startswith(section + ".") for section in section_modules)}
            offenders += [f"{module} imports {name}" for name in sorted(named)]
    assert offenders == []
