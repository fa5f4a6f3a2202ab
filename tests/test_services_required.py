"""What `make test` does when a service is missing: with REQUIRE_SERVICES=1 (its default, as CI's) the run
fails naming it, rather than passing on the embedded fallback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.services import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_a_missing_database_fails_the_run_naming_it():
    closed = f"mysql://root:@127.0.0.1:{free_port()}/test"  # nothing listens there
    env = {**os.environ, "TEST_MYSQL_URL": closed, "REQUIRE_SERVICES": "1"}
    env.pop("TEST_DATABASE", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                          "tests/server/test_errors.py::test_healthz"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, run.stdout + run.stderr
    assert f"REQUIRE_SERVICES=1 but MariaDB/MySQL at {closed} is unreachable (`make test`" in run.stdout + run.stderr
