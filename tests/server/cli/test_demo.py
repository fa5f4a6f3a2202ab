"""`jobboard demo` on an embedded-default board (SQLite under DATA_DIR): every section filled, once, and the
board that `jobboard serve` then shows lists the postings with photos that load."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import httpx

from sections import all_sections
from tests.helpers.processes import ServerProcess, server_env, wait_until
from tests.helpers.services import free_port


def _demo(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "server.cli", "demo", "--postings", "30"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rows(data_dir) -> dict[str, int]:
    with sqlite3.connect(data_dir / "jobboard.sqlite3") as database:
        return {section.name: database.execute(f"SELECT count(*) FROM {section.model._meta.db_table}").fetchone()[0]
                for section in all_sections()}


def _listed(base: str, section) -> dict | None:
    response = httpx.post(f"{base}/{section.name}/list", json={"page_num": 1, "page_size": 50}, timeout=5)
    if response.status_code != 200 or not response.json()["data"]["total"]:
        return None  # the embedded engine is still being filled
    return response.json()["data"]


def test_the_demo_fills_every_section_once_and_the_served_board_shows_it(tmp_path):
    port = free_port()
    env = server_env(DATA_DIR=str(tmp_path), UPLOADS_BASE_URL=f"http://127.0.0.1:{port}")
    out = _demo(env)
    for section in all_sections():
        assert f"{section.name}: 30 postings added" in out, out
    rows = _rows(tmp_path)
    assert all(count == 30 for count in rows.values()), rows

    again = _demo(env)
    assert all(f"{section.name}: already filled" in again for section in all_sections()), again
    assert _rows(tmp_path) == rows

    server = ServerProcess(env, port, tmp_path / "server.log")
    try:
        server.wait_healthy()
        photos = []
        for section in all_sections():
            data = wait_until(lambda: _listed(server.base, section), 30, f"the {section.name} list shows postings")
            assert 0 < data["total"] <= rows[section.name]
            [items] = [value for value in data.values() if isinstance(value, list)]
            photos += [url for item in items for url in item["photo_urls"]]
        assert photos and all(url.startswith(f"{server.base}/uploads/img/") for url in photos)
        for url in set(photos):
            photo = httpx.get(url, timeout=5)
            assert photo.status_code == 200 and photo.content.startswith(b"\xff\xd8\xff"), url
    finally:
        server.stop()
