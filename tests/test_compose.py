"""docker-compose.yml, which cannot run here: its cluster matches the client it serves, and its Kibana set-up
says when it failed (its shell script run against a fake Kibana)."""

from __future__ import annotations

import asyncio
import subprocess
from importlib.metadata import version
from pathlib import Path

import yaml
from aiohttp import web

from sections import all_sections
from tests.helpers.services import serve_aiohttp

COMPOSE = yaml.safe_load((Path(__file__).parent.parent / "docker-compose.yml").read_text())


def _image_version(service: str) -> str:
    return COMPOSE["services"][service]["image"].rsplit(":", 1)[1]


def test_the_cluster_is_the_clients_major_and_kibana_its_version():
    assert _image_version("elasticsearch").split(".")[0] == version("elasticsearch").split(".")[0]
    assert _image_version("kibana") == _image_version("elasticsearch")


class FakeKibana:
    def __init__(self, refuse: str | None):
        self.refuse = refuse  # the data view id it answers 400 for
        self.created: list[str] = []

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response({"status": {"overall": {"level": "available"}}})

    async def data_view(self, request: web.Request) -> web.Response:
        assert request.headers["kbn-xsrf"] == "true"
        view = (await request.json())["data_view"]
        if view["id"] == self.refuse:
            return web.json_response({"statusCode": 400, "message": "bad data view"}, status=400)
        self.created.append(view["id"])
        return web.json_response({"data_view": view})


async def _run_setup(refuse: str | None) -> tuple[int, list[str]]:
    kibana = FakeKibana(refuse)
    app = web.Application()
    app.router.add_get("/api/status", kibana.status)
    app.router.add_post("/api/data_views/data_view", kibana.data_view)
    runner, url = await serve_aiohttp(app)
    try:
        service = COMPOSE["services"]["kibana-setup"]
        # Compose turns $$ into $ and the service name into its address.
        script = service["command"][0].replace("$$", "$").replace("http://kibana:5601", url)
        done = await asyncio.to_thread(subprocess.run, [*service["entrypoint"], script], capture_output=True,
                                       text=True, timeout=60)
        return done.returncode, kibana.created
    finally:
        await runner.cleanup()


async def test_kibana_setup_makes_a_data_view_per_section_and_fails_loudly():
    aliases = [section.name for section in all_sections()]
    assert await _run_setup(refuse=None) == (0, aliases)
    code, created = await _run_setup(refuse="seekers")
    assert code != 0 and "seekers" not in created
