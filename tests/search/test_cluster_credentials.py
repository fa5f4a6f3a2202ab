"""A cluster that refuses our credentials (a rotated API key: 401; a role missing a privilege: 403) is an
outage the operator must fix, said so by name: the listing answers 503 with an ERROR line naming the
credentials, the drainer keeps its rows, readiness says it, the indexer exits 2. Never a 500 blamed on the query."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys

import pytest

from indexer.sync import OutboxDrainer
from models.outbox import IndexOutbox
from search.engine import SearchEngine
from search.recent_pages import forget_pages
from sections.jobs import JOBS
from sections.jobs.bodies import JobListBody
from server.services import listing
from server.services.errors import SearchUnavailable
from server.services.health import readiness
from tests.fakes.refusing_cluster import RefusingCluster
from tests.helpers.api import login_as
from tests.helpers.postings import post_job

NAMED = "refused our credentials (HTTP {status})"


@pytest.fixture(params=[401, 403])
async def refusing(request):
    cluster = await RefusingCluster(request.param).start()
    engine = SearchEngine(cluster.url)
    yield cluster, engine
    await engine.close()
    await cluster.stop()


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]


async def test_the_listing_is_503_and_the_log_names_the_credentials(refusing, caplog):
    cluster, engine = refusing
    forget_pages()  # the same page kept from another test would be answered without asking the cluster
    with pytest.raises(SearchUnavailable):
        await listing.list_postings(JOBS, engine, JobListBody(), None, True)
    assert cluster.requests == 1
    assert any(NAMED.format(status=cluster.status) in line and "ELASTICSEARCH_API_KEY" in line
               for line in _errors(caplog))


async def test_the_drainer_keeps_its_rows_and_says_why(client, refusing, caplog):
    cluster, engine = refusing
    await post_job(client, await login_as(client, "owner"))
    with pytest.raises(Exception):
        await OutboxDrainer(engine.client).round()
    assert await IndexOutbox.all().count() == 1  # waits for the credentials to be fixed
    assert any(NAMED.format(status=cluster.status) in line for line in _errors(caplog))


async def test_readiness_says_the_credentials_were_refused(app, refusing):
    cluster, engine = refusing

    class Context:
        cache = app.ctx.cache
        search = engine
        workers = None

    assert (await readiness(Context))["search"] == f"unavailable: credentials refused ({cluster.status})"


async def test_the_indexer_exits_2_naming_the_credentials(refusing, settings):
    cluster, _ = refusing
    env = {**os.environ, "DATABASE_URL": settings.resolved_database_url, "ELASTICSEARCH_URL": cluster.url,
           "APP_ENV": "dev", "DATA_DIR": str(settings.data_dir)}
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "server.cli", "index", "create"], env=env,
                                   capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert NAMED.format(status=cluster.status) in done.stderr and "Traceback" not in done.stderr
