"""bench/growth.py as an operator runs it, on a tiny board: one index grown through the sizes, a row of engine
CPU per query for each, before and after side by side, and the verdict on issue 33's goals."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_growth_bench_prints_a_row_per_size_with_every_query_before_and_after():
    run = subprocess.run([sys.executable, "-m", "bench.growth", "--sizes", "300,600", "--seconds", "0.1",
                          "--warmup", "1", "--at-least", "2"],
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    header = next(line for line in run.stdout.splitlines() if line.startswith("| postings |"))
    assert [cell.strip() for cell in header.split("|")[3:11]] == [
        f"{query} {version}" for query in ("recommended", "nearby", "latest", "keyword")
        for version in ("before", "after")]
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1]
            for line in run.stdout.splitlines() if re.match(r"\| [\d,]+ \|", line)}
    assert list(rows) == ["300", "600"]
    for cells in rows.values():
        assert all(float(cell.replace(",", "")) > 0 for cell in cells)  # RSS, 8 queries, the ratio
    assert re.search(r"^\| recommended \| ×[\d.]+ \| ×[\d.]+ \|", run.stdout, re.M)
    assert "Issue 33's goals for the recommended page" in run.stdout
