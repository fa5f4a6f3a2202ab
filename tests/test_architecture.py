"""The house's rules that code review alone would let slip: the package layers, and one writer of postings."""

from __future__ import annotations

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
