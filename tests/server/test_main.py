"""`python -m server` as an operator runs it: embedded defaults, several workers, a dying engine, a killed server.

Each test runs the real process tree (main process, Sanic workers, the embedded engine, the reindex
subprocess) in a process group of its own, killed whole after the test whatever happened.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from runtime.settings import OFFICIAL_WECHATPAY_API
from tests.fakes.refreshing_engine import refreshing_embedded_engine
from tests.helpers.migrations import migration_lock_held
from tests.helpers.payments import pay_settings
from tests.helpers.postings import post_to
from tests.helpers.processes import (
    ServerProcess,
    cmdline,
    engine_children,
    execute_sql,
    fresh_mysql_database,
    fresh_redis_db,
    listed_job_ids,
    processes_in_group,
    register,
    request_on_new_connection,
    sanic_workers,
    server_env,
    state,
    wait_until,
    worker_name,
)
from tests.helpers.services import MYSQL_URL, REDIS_URL, REQUIRE_SERVICES, free_port, reachable

# A Redis database no other test uses: the multi-worker servers keep their tokens there, and it is flushed.
WORKERS_REDIS_DB = int(os.environ.get("TEST_SPARE_REDIS_DB", "13"))  # parallel runs pick their own
EMBEDDED_DEFAULTS = "embedded defaults"
TWO_WORKERS = "two workers on MariaDB and Redis"


@pytest.fixture
def servers(tmp_path):
    """`servers(port=None, **settings)` starts `python -m server`; every one started is killed after the test."""
    started: list[ServerProcess] = []

    def start(port: int | None = None, **settings: str) -> ServerProcess:
        env = server_env(DATA_DIR=str(tmp_path / "data"), **settings)
        server = ServerProcess(env, port or free_port(), tmp_path / f"server{len(started)}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def require_service(url: str, port: int, name: str, why: str) -> None:
    """Skip a test that needs this service where it is missing, or fail it under REQUIRE_SERVICES=1."""
    if not reachable(url, port):
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {name} at {url} is unreachable")
        pytest.skip(f"{name} at {url} is unreachable: {why}")


def two_worker_settings() -> dict[str, str]:
    """WORKERS=2 on a MariaDB database and a Redis db of their own (the suite's own stay untouched)."""
    require_service(MYSQL_URL, 3306, "MariaDB", "several workers need it")
    require_service(REDIS_URL, 6379, "Redis", "several workers need it")
    database = urlsplit(MYSQL_URL).path.strip("/") + "_workers"
    return {"WORKERS": "2", "DATABASE_URL": fresh_mysql_database(MYSQL_URL, database),
            "REDIS_URL": fresh_redis_db(REDIS_URL, WORKERS_REDIS_DB)}


def settings_for(setup: str) -> dict[str, str]:
    return two_worker_settings() if setup == TWO_WORKERS else {}


def log_lines(server: ServerProcess, level: str, pattern: str) -> list[str]:
    return [line for line in server.log().splitlines() if f'"level":"{level}"' in line and re.search(pattern, line)]


def test_server_on_embedded_defaults_serves_login(servers, tmp_path):
    server = servers()
    server.wait_healthy()
    assert httpx.get(f"{server.base}/readyz").json()["data"] == {"database": "ok", "cache": "ok", "search": "ok"}
    headers = register(server.base, "someone")
    info = httpx.get(f"{server.base}/user/info", headers=headers)
    assert re.fullmatch(r"1[3-9]\d{9}", info.json()["data"]["phone"])
    assert (tmp_path / "data" / "jobboard.sqlite3").exists()

    [engine] = engine_children(server.pid)
    server.process.terminate()
    assert server.process.wait(15) == 0
    assert state(engine) is None  # stopped and reaped with its server


@pytest.mark.parametrize("setup", [EMBEDDED_DEFAULTS, TWO_WORKERS])
def test_a_killed_engine_is_reaped_restarted_and_refilled_and_the_listing_recovers(servers, setup):
    # No kept listing pages: the listing must show the outage, not the answer of a moment before.
    server = servers(**settings_for(setup), LISTING_CACHE_SECONDS="0")
    server.wait_healthy()
    owner = register(server.base, "someone")
    before = post_to(server.base, owner, "jobs")
    wait_until(lambda: before in (listed_job_ids(server.base) or ()), 10, "the new job is listed")
    [engine] = engine_children(server.pid)

    os.kill(engine, signal.SIGKILL)
    wait_until(lambda: listed_job_ids(server.base) is None, 10, "the listing notices the engine is gone")
    during = post_to(server.base, owner, "jobs")  # written while the engine is down: must not be lost

    listed = wait_until(lambda: {before, during} <= (listed_job_ids(server.base) or set()), 60,
                        "the listing comes back by itself with both jobs")
    assert listed
    assert state(engine) is None, f"the dead engine {engine} is still there (state {state(engine)})"
    [successor] = engine_children(server.pid)
    assert successor != engine
    assert len(log_lines(server, "ERROR", rf"pid {engine}\) exited with code -9")) == 1, server.log()
    # The supervisor logs once the rebuild has finished, a moment after the alias switch that revived the listing.
    wait_until(lambda: log_lines(server, "INFO", r"search engine back at .* rebuilt from the database"), 30,
               "the log says the engine is back")
    assert len(log_lines(server, "INFO", r"search engine back at .* rebuilt from the database")) == 1, server.log()


def test_two_workers_share_tokens_and_both_serve_with_one_embedded_engine(servers):
    server = servers(**two_worker_settings())
    server.wait_healthy()
    workers = wait_until(lambda: len(sanic_workers(server.pid)) == 2 and sanic_workers(server.pid), 30,
                         "two Sanic workers run")
    # One engine, owned by the main process; no worker started one of its own.
    assert len(engine_children(server.pid)) == 1
    assert not [pid for worker in workers for pid in engine_children(worker)]

    headers = register(server.base, "someone")  # a token issued by one of the workers
    served_by: dict[int, int] = {}
    for _ in range(200):  # new connections until each worker has answered a few (who accepts is up to the kernel)
        status, owner = request_on_new_connection(server.port, "GET", "/user/info", headers, workers)
        assert status == 200
        assert owner in workers
        served_by[owner] = served_by.get(owner, 0) + 1
        if len(served_by) == 2 and min(served_by.values()) >= 3:
            break
    assert sorted(served_by) == sorted(workers), f"requests served by {served_by}, workers {workers}"

    job_id = post_to(server.base, headers, "jobs")
    wait_until(lambda: job_id in (listed_job_ids(server.base) or ()), 10, "the new job is listed")
    assert httpx.get(f"{server.base}/readyz").json()["data"] == {"database": "ok", "cache": "ok", "search": "ok",
                                                                 "workers": "ok"}

    engines = engine_children(server.pid)
    server.process.terminate()
    assert server.process.wait(15) == 0
    assert [pid for pid in engines + workers if state(pid) is not None] == []  # nothing outlives the server


def test_every_worker_writes_the_json_log_lines_of_a_single_process(servers):
    settings = two_worker_settings()
    server = servers(**settings)
    server.wait_healthy()
    workers = wait_until(lambda: len(sanic_workers(server.pid)) == 2 and sanic_workers(server.pid), 30,
                         "two Sanic workers run")
    headers = register(server.base, "someone")
    # From now on the driver fails every user lookup, with a message that names the table.
    execute_sql(settings["DATABASE_URL"], "RENAME TABLE users TO users_elsewhere")
    answered: dict[int, str] = {}  # worker → the id of a request it answered
    for number in range(200):  # new connections until each worker has answered one
        request_id = f"probe-{number}"
        status, owner = request_on_new_connection(server.port, "GET", "/user/info",
                                                  {**headers, "X-Request-ID": request_id}, workers)
        assert status == 500
        answered.setdefault(owner, request_id)
        if len(answered) == 2:
            break
    assert sorted(answered) == sorted(workers)

    lines = [orjson.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    for worker, request_id in answered.items():
        about = {line["logger"]: line for line in lines if line["request_id"] == request_id}
        assert sorted(about) == ["server.access", "server.errors"], (worker, about)
        access, error = about["server.access"], about["server.errors"]
        assert (access["level"], access["method"], access["path"], access["status"]) == ("INFO", "GET", "/user/info", 500)
        assert error["level"] == "ERROR" and "(message withheld: it may hold stored values)" in error["exception"]
    assert "doesn't exist" not in server.log()  # the driver's message, redacted in every worker


@pytest.mark.parametrize("stop, exit_code", [(signal.SIGKILL, -9), (signal.SIGTERM, 0)], ids=["SIGKILL", "SIGTERM"])
def test_a_dead_worker_is_replaced_and_readyz_fails_until_the_replacement_serves(servers, stop, exit_code):
    server = servers(**two_worker_settings())
    server.wait_healthy()
    workers = wait_until(lambda: len(sanic_workers(server.pid)) == 2 and sanic_workers(server.pid), 30,
                         "two Sanic workers run")
    victim, survivor = workers
    name = worker_name(victim)

    # The main process is held still, so the dead worker stays unreplaced (and unreaped) for as long as
    # the test looks: the gap is observed, not raced.
    os.kill(server.pid, signal.SIGSTOP)
    try:
        os.kill(victim, stop)
        wait_until(lambda: httpx.get(f"{server.base}/readyz", timeout=5).status_code == 503, 15,
                   "/readyz notices the dead worker")
        for _ in range(3):  # and keeps saying so while it is missing, from the worker left
            status, owner = request_on_new_connection(server.port, "GET", "/readyz", {}, workers)
            assert (status, owner) == (503, survivor)
        assert httpx.get(f"{server.base}/readyz", timeout=5).json() == {
            "code": 503, "message": "Service Unavailable",
            "data": {"database": "ok", "cache": "ok", "search": "ok",
                     "workers": f"unavailable: {name} (pid {victim}) is gone"}}
        assert listed_job_ids(server.base) is not None  # the worker left still serves
    finally:
        os.kill(server.pid, signal.SIGCONT)

    ready = wait_until(lambda: (response := httpx.get(f"{server.base}/readyz", timeout=5)).status_code == 200
                       and response.json(), 60, "/readyz is ok again")
    assert ready["data"]["workers"] == "ok"
    [replacement] = set(sanic_workers(server.pid)) - {survivor}
    assert replacement != victim and worker_name(replacement) == name and state(victim) is None
    served_by: set[int | None] = set()
    for _ in range(200):  # new connections until the replacement has answered one
        status, owner = request_on_new_connection(server.port, "GET", "/healthz", {}, [survivor, replacement])
        assert status == 200
        served_by.add(owner)
        if replacement in served_by:
            break
    assert replacement in served_by
    assert len(log_lines(server, "ERROR", rf"worker {name} \(pid {victim}\) exited with code {exit_code}; "
                                          "starting a replacement")) == 1, server.log()

    server.process.terminate()
    assert server.process.wait(15) == 0
    assert state(survivor) is None and state(replacement) is None


@pytest.mark.parametrize("setup", [EMBEDDED_DEFAULTS, TWO_WORKERS])
def test_sigterm_to_the_process_group_is_a_clean_shutdown_not_an_engine_crash(servers, setup):
    # What a container runtime's stop, `kill -TERM -PGID` or Ctrl-C in a terminal sends: every process at once.
    server = servers(**settings_for(setup))
    server.wait_healthy()
    engines, workers = engine_children(server.pid), sanic_workers(server.pid)
    assert len(engines) == 1

    os.killpg(server.pid, signal.SIGTERM)
    assert server.process.wait(15) == 0, server.log()
    assert [pid for pid in engines + workers if state(pid) is not None] == []
    assert [line for line in server.log().splitlines() if '"level":"ERROR"' in line] == [], server.log()
    assert "was cancelled before it completed" not in server.log()  # shutting down is no warning either
    assert len(log_lines(server, "INFO", r"embedded search engine at")) == 1, server.log()  # none restarted
    wait_until(lambda: not processes_in_group(server.pid), 10, "nothing of the server is left")


def test_a_group_sigterm_the_main_process_takes_up_after_its_workers_have_stopped_is_still_clean(servers):
    # The main process busy (here: held still) while the rest of the group handles the signal at once.
    server = servers(**two_worker_settings())
    server.wait_healthy()
    engines, workers = engine_children(server.pid), sanic_workers(server.pid)
    os.kill(server.pid, signal.SIGSTOP)
    try:
        os.killpg(server.pid, signal.SIGTERM)
        wait_until(lambda: all(state(pid) in (None, "Z") for pid in workers), 15, "the workers stop")
    finally:
        os.kill(server.pid, signal.SIGCONT)
    assert server.process.wait(15) == 0, server.log()
    assert "Traceback" not in server.log() and '"level":"ERROR"' not in server.log(), server.log()
    assert [pid for pid in engines + workers if state(pid) is not None] == []
    wait_until(lambda: not processes_in_group(server.pid), 10, "nothing of the server is left")


def test_two_workers_with_an_external_engine_start_no_engine_of_their_own(servers, engine):
    # `engine` stands in for an Elasticsearch (the refresh-realistic proxy takes its compatibility media types).
    server = servers(ELASTICSEARCH_URL=engine.url, **two_worker_settings())
    server.wait_healthy()
    assert len(sanic_workers(server.pid)) == 2
    assert not engine_children(server.pid)
    assert not [pid for worker in sanic_workers(server.pid) for pid in engine_children(worker)]
    assert httpx.get(f"{server.base}/user/info", headers=register(server.base, "someone")).status_code == 200


@pytest.fixture
def cluster():
    """A search cluster of the test's own, spoken to as Elasticsearch (compatibility media types, refreshes):
    the embedded engine behind the refresh-realistic proxy."""
    with refreshing_embedded_engine() as proxy:
        yield proxy
    assert proxy.violations == []


def test_a_cluster_that_lost_the_index_is_healed_by_the_running_app(servers, cluster):
    server = servers(ELASTICSEARCH_URL=cluster.url, INDEX_CHECK_SECONDS="0.5", LISTING_CACHE_SECONDS="0",
                     **two_worker_settings())
    server.wait_healthy()
    owner = register(server.base, "someone")
    jobs = {post_to(server.base, owner, "jobs", positions=f"厨师{i}") for i in range(3)}
    wait_until(lambda: jobs <= (listed_job_ids(server.base) or set()), 10, "the jobs are listed")
    # A new cluster on a new database: each section's index made at the first start, and no loss reported.
    firsts = wait_until(lambda: len(found := log_lines(server, "INFO", r"search index \w+ created as \w+_v1 \(the "
                                                       r"database holds no \w+ yet\)")) == 3 and found, 10,
                        "every section's first index is made")
    assert any("search index jobs created as jobs_v1 (the database holds no job yet)" in line for line in firsts)
    assert log_lines(server, "ERROR", r"search index") == [], server.log()
    rebuilt = r"search index jobs rebuilt from the database"

    for name in httpx.get(f"{cluster.url}/jobs_v*/_alias").json():  # the cluster loses the index
        assert httpx.delete(f"{cluster.url}/{name}").status_code == 200
    jobs.add(post_to(server.base, owner, "jobs", positions="面点师"))  # written while it may still be gone

    wait_until(lambda: listed_job_ids(server.base) == jobs, 30, "the listing comes back with every job")
    wait_until(lambda: log_lines(server, "ERROR", rebuilt), 10, "the log says it was rebuilt")
    # One process rebuilt it (the reindex lock), not each worker.
    assert len(log_lines(server, "ERROR", rebuilt)) == 1, server.log()
    assert log_lines(server, "ERROR", r"search index jobs is lost or broken \(its alias is missing\)")


@pytest.mark.parametrize("settings, complaint", [
    ({}, "WORKERS=2 needs REDIS_URL"),
    ({"REDIS_URL": "redis://127.0.0.1:6379/13"}, "WORKERS=2 needs a mysql:// DATABASE_URL"),
])
def test_several_workers_refuse_to_start_on_process_local_state(servers, tmp_path, settings, complaint):
    server = servers(WORKERS="2", **settings)
    assert server.process.wait(60) == 2
    assert f"configuration error: {complaint}" in server.log()
    assert not (tmp_path / "data").exists()  # no database file, nothing else either
    assert not engine_children(server.pid)


def test_replicas_the_cluster_cannot_take_stop_the_start(servers, tmp_path):
    server = servers(ELASTICSEARCH_REPLICAS="two")
    assert server.process.wait(60) == 2
    assert "configuration error: ELASTICSEARCH_REPLICAS='two' is neither a number of replicas" in server.log()
    assert not (tmp_path / "data").exists()


def test_a_cluster_gets_its_first_indices_with_the_operators_replicas(servers, cluster):
    server = servers(ELASTICSEARCH_URL=cluster.url, ELASTICSEARCH_REPLICAS="2")
    server.wait_healthy()

    def made() -> dict:  # the app's healer makes each section's first index at start (a new cluster)
        held = httpx.get(f"{cluster.url}/jobs_v*,seekers_v*,shops_v*/_settings").json()
        return len(held) == 3 and held

    indices = wait_until(made, 30, "every section's first index is made")
    assert {name: held["settings"]["index"]["number_of_replicas"] for name, held in indices.items()} == {
        "jobs_v1": "2", "seekers_v1": "2", "shops_v1": "2"}


@pytest.mark.parametrize("setup", [EMBEDDED_DEFAULTS, TWO_WORKERS])
def test_a_server_killed_mid_work_comes_back_at_once_on_the_same_data(servers, setup):
    settings = settings_for(setup)
    server = servers(**settings)
    server.wait_healthy()
    owner = register(server.base, "someone")
    acknowledged: list[int] = []

    def keep_creating() -> None:
        while len(acknowledged) < 40:
            try:
                acknowledged.append(post_to(server.base, owner, "jobs", salary_min=1000 + len(acknowledged)))
            except (httpx.HTTPError, AssertionError):
                return  # the server died under this request

    writer = threading.Thread(target=keep_creating)
    writer.start()
    try:
        wait_until(lambda: len(acknowledged) >= 8, 30, "jobs are being created")
        engines, workers = engine_children(server.pid), sanic_workers(server.pid)
        assert len(engines) == 1 and len(workers) == (server.workers if server.workers > 1 else 0)
        os.kill(server.pid, signal.SIGKILL)  # the main process alone: the engine and workers must not outlive it
        server.process.wait(10)  # reaped, as its parent (a shell, systemd) would: the engine looks for its pid
        wait_until(lambda: all(state(pid) is None for pid in engines + workers), 15, "the engine and workers exit")
        server.kill_everything()  # a safety net: nothing of the group should be left (see the test below)
    finally:
        writer.join(30)

    again = servers(port=server.port, **settings)
    again.wait_healthy()
    listed = listed_job_ids(again.base)  # the first answer, no waiting
    assert listed is not None and set(acknowledged) <= listed
    if setup == TWO_WORKERS:  # tokens live in Redis: users stay logged in across the crash
        assert httpx.get(f"{again.base}/user/info", headers=owner).status_code == 200


def test_production_starts_without_the_development_packages(servers, tmp_path, engine, pay_keys):
    # The production image installs the project without the `dev` extra: make those packages unimportable.
    blockers = tmp_path / "blockers"
    for package in ("fakeredis", "osmem_server"):
        (blockers / package).mkdir(parents=True)
        (blockers / package / "__init__.py").write_text(f"raise ImportError('{package} is development-only')\n")
    settings = two_worker_settings()
    server = servers(APP_ENV="production", WORKERS="1", DATABASE_URL=settings["DATABASE_URL"],
                     REDIS_URL=settings["REDIS_URL"], ELASTICSEARCH_URL=engine.url, WECHAT_APPID="wx-prod",
                     WECHAT_SECRET="prod-secret", OSS_ENDPOINT="oss-cn-beijing.aliyuncs.com", OSS_BUCKET="jobs-img",
                     OSS_ACCESS_KEY_ID="ak", OSS_ACCESS_KEY_SECRET="sk", PYTHONPATH=str(blockers),
                     WECHAT_PUSH_TOKEN="push-token", WECHAT_PUSH_AES_KEY="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                     # The official WeChat Pay host: public-key mode needs no call to it to start.
                     **{name.upper(): str(value) for name, value in pay_settings(pay_keys, OFFICIAL_WECHATPAY_API).items()})
    server.wait_healthy()
    ready = httpx.get(f"{server.base}/readyz", timeout=5).json()["data"]
    assert ready["database"] == "ok" and ready["cache"] == "ok"
    assert "is development-only" not in server.log() and "development mode" not in server.log()


def empty_mysql_database(suffix: str) -> str:
    require_service(MYSQL_URL, 3306, "MariaDB", "the migration lock is MySQL's")
    return fresh_mysql_database(MYSQL_URL, urlsplit(MYSQL_URL).path.strip("/") + suffix)


async def test_two_servers_started_at_once_on_an_empty_database_both_serve(servers):
    database_url = empty_mysql_database("_starts")
    # The test holds the migration lock (a start already migrating) until both servers are seen waiting for it.
    async with migration_lock_held(database_url) as lock:
        started = [servers(DATABASE_URL=database_url) for _ in range(2)]
        await lock.wait_for_waiters(2)
    for server in started:
        server.wait_healthy()
        register(server.base, f"cook{server.port}")
    assert sum("waiting up to 600 s" in server.log() for server in started) == 2


async def test_a_start_waiting_too_long_for_another_applying_migrations_exits_saying_so(servers):
    database_url = empty_mysql_database("_stuck")
    async with migration_lock_held(database_url):
        server = servers(DATABASE_URL=database_url, DATABASE_MIGRATION_LOCK_SECONDS="1")
        assert server.process.wait(60) == 3
    assert "another process held the migration lock" in server.log()
    assert "DATABASE_MIGRATION_LOCK_SECONDS" in server.log()


def test_every_line_a_restarted_server_writes_on_mariadb_is_json_without_mysql_notes(servers):
    # The second start finds the migrations table there: MySQL's note about it must not reach the log.
    settings = two_worker_settings()
    first = servers(**settings)
    first.wait_healthy()
    register(first.base, "someone")
    first.stop()
    again = servers(port=first.port, **settings)
    again.wait_healthy()
    register(again.base, "someone")
    again.process.terminate()
    assert again.process.wait(15) == 0
    for server in (first, again):
        lines = [line for line in server.log().splitlines() if line.strip()]
        assert lines
        for line in lines:
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError:
                pytest.fail(f"a log line is not JSON: {line!r}")
        assert "already exists" not in server.log() and "Duplicate entry" not in server.log(), server.log()


def test_nothing_of_a_two_worker_server_outlives_its_killed_main_process(servers):
    server = servers(**two_worker_settings())
    server.wait_healthy()
    engines = engine_children(server.pid)
    assert len(processes_in_group(server.pid)) >= 4  # main, two workers, multiprocessing's helpers

    os.kill(server.pid, signal.SIGKILL)  # the main process alone (out of memory, a kill by pid)
    server.process.wait(10)  # reaped, as its parent would

    def left() -> list[str]:
        return [" ".join(cmdline(pid))[:120] for pid in processes_in_group(server.pid) + engines
                if state(pid) not in (None, "Z")]

    try:
        wait_until(lambda: not left(), 15, "every process of the server exits")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; still running: {left()}") from None
    for line in server.log().splitlines():  # the engine's goodbye too ("parent process exited"): JSON or nothing
        if line.strip():
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError:
                pytest.fail(f"a log line is not JSON: {line!r}")


def test_a_posting_closed_just_before_a_crash_is_off_the_lists_once_a_restart_says_ready(servers, cluster):
    settings = {"ELASTICSEARCH_URL": cluster.url, "LISTING_CACHE_SECONDS": "0", **two_worker_settings()}
    # This server leaves the outbox to the indexer daemon: the close below is committed and never drained.
    server = servers(BACKGROUND_INDEX_SYNC="false", **settings)
    server.wait_healthy()
    # Ready, not only alive: the healer has made the cluster's indices (an index the healer builds from an
    # empty database after the daemon drained into nothing would hold neither job).
    wait_until(lambda: httpx.get(f"{server.base}/readyz", timeout=5).status_code == 200, 60, "/readyz is ok")
    owner = register(server.base, "someone")
    kept, closed = post_to(server.base, owner, "jobs"), post_to(server.base, owner, "jobs", positions="面点师")
    daemon = subprocess.run([sys.executable, "-m", "server.cli", "index", "sync", "--once"], env=server_env(**settings),
                            capture_output=True, text=True, timeout=60)
    assert daemon.returncode == 0, daemon.stderr
    wait_until(lambda: listed_job_ids(server.base) == {kept, closed}, 10, "both jobs are listed")
    response = httpx.post(f"{server.base}/job/close", json={"job_id": closed}, headers=owner, timeout=10)
    assert response.status_code == 200, response.text
    server.kill_everything()  # the crash: its outbox row is left

    again = servers(port=server.port, **settings)
    wait_until(lambda: httpx.get(f"{again.base}/readyz", timeout=5).status_code == 200, 60, "/readyz is ok",
               interval=0.02)
    assert listed_job_ids(again.base) == {kept}


def test_the_embedded_engine_heals_a_deleted_index_and_a_stray_one_behind_the_alias(servers):
    server = servers(INDEX_CHECK_SECONDS="0.5", LISTING_CACHE_SECONDS="0")  # `make run`: no ELASTICSEARCH_URL
    server.wait_healthy()
    engine = re.search(r"embedded search engine at (http://[\d.:]+)", server.log()).group(1)
    owner = register(server.base, "someone")
    jobs = {post_to(server.base, owner, "jobs"), post_to(server.base, owner, "jobs", positions="面点师")}
    wait_until(lambda: listed_job_ids(server.base) == jobs, 10, "the jobs are listed")

    for name in httpx.get(f"{engine}/jobs_v*/_alias").json():  # an operator's delete
        assert httpx.delete(f"{engine}/{name}").status_code == 200
    wait_until(lambda: listed_job_ids(server.base) == jobs, 30, "the list comes back after a deleted index")

    # A stray index behind the alias: every write through it fails, and the list would show it too.
    mapping = httpx.get(f"{engine}/jobs/_mapping").json()
    [current] = mapping
    assert httpx.put(f"{engine}/jobs_v99", json={"mappings": mapping[current]["mappings"],
                                                 "aliases": {"jobs": {}}}).status_code == 200
    jobs.add(post_to(server.base, owner, "jobs", positions="洗碗工"))
    wait_until(lambda: listed_job_ids(server.base) == jobs
               and httpx.get(f"{server.base}/readyz", timeout=5).status_code == 200, 30,
               "the list comes back, whole, after a stray index behind the alias")
    assert len(httpx.get(f"{engine}/jobs/_alias").json()) == 1
    assert log_lines(server, "ERROR", r"search index jobs is lost or broken \(its alias is missing\)")
    assert log_lines(server, "ERROR", r"search index jobs is lost or broken \(its alias points at 2 indices")
