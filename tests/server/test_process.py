"""`python -m server` as `make run` starts it: embedded defaults, migrations applied, login works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx

from tests.conftest import free_port


def test_server_on_embedded_defaults_serves_login(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "ELASTIC", "WECHAT_"))}
    env.update(APP_ENV="dev", DATA_DIR=str(tmp_path))
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "server", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").json()["data"] == {"database": "ok", "cache": "ok", "search": "ok"}
        registered = httpx.post(f"{base}/wechat/user/register", json={"login_code": "test", "phone_code": "test"})
        assert registered.status_code == 200, registered.text
        info = httpx.get(f"{base}/user/info", headers={"Authorization": registered.headers["authorization"]})
        assert re.fullmatch(r"1[3-9]\d{9}", info.json()["data"]["phone"])
        assert (tmp_path / "jobboard.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(10)
