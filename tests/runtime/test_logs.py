"""Every line a process logs is JSON (runtime/logs.py), whoever logs it, and the driver's MySQL warnings never
carry the values they quote."""

from __future__ import annotations

import subprocess
import sys

import orjson

SCRIPT = """
import logging, warnings
from runtime.logs import configure_logging
configure_logging()
logging.getLogger("asyncmy").warning("Duplicate entry '13800138000' for key 'PRIMARY'")
logging.getLogger("sanic.server").info("Starting worker [1]")
logging.getLogger("some.library").warning("a library's own warning")
warnings.warn("a Python warning", UserWarning)
"""


def test_every_line_is_json_and_mysql_warnings_withhold_quoted_values():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "", done.stderr
    lines = [orjson.loads(line) for line in done.stderr.splitlines()]
    assert [(line["logger"], line["level"]) for line in lines] == [
        ("asyncmy", "WARNING"), ("sanic.server", "INFO"), ("some.library", "WARNING"), ("py.warnings", "WARNING")]
    assert lines[0]["message"] == "Duplicate entry '…' for key '…'"
    assert "a Python warning" in lines[3]["message"]
