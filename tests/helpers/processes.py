"""Running `jobboard serve` as a real process tree, as an operator would, and looking at it."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

T = TypeVar("T")

LATEST_FIRST = {"query_type": 3, "page_num": 1, "page_size": 50}


def wait_until(check: Callable[[], T], timeout: float, what: str, interval: float = 0.2) -> T:
    """Call `check` until it returns something truthy (returned) or `timeout` passes (test fails)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (httpx.HTTPError, OSError):
            result = None
        if result:
            return result
        assert time.monotonic() < deadline, f"{what}: not within {timeout:g} s"
        time.sleep(interval)


def server_env(**settings: str) -> dict[str, str]:
    """This environment without any of the app's settings, plus `settings`."""
    prefixes = ("DATABASE_", "REDIS_", "ELASTIC", "WECHAT_", "WECHATPAY_", "PRICE_", "ORDER_", "WORKERS",
                "APP_ENV", "DATA_DIR", "JOBBOARD_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update({"APP_ENV": "dev", "IMAGE_URL_PREFIXES": "https://", **settings})
    if "ELASTICSEARCH_URL" in settings:  # the tests' cluster is one osmem node: a replica is never placed
        env.setdefault("ELASTICSEARCH_WAIT_FOR_STATUS", "yellow")
    return env


class ServerProcess:
    """`jobboard serve` in its own process group, its log (stderr) in a file; `stop()` leaves nothing."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        with open(log_path, "a") as log:
            # A new session: the whole tree (workers, engine, reindex) can be killed by its group id.
            self.process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1",
                                             "--port", str(port)], env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log, start_new_session=True)
        self.pid = self.process.pid
        self.workers = int(env.get("WORKERS", "1"))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, timeout: float = 60) -> None:
        def healthy() -> bool:
            assert self.process.poll() is None, f"server exited with {self.process.returncode}:\n{self.log()}"
            return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200

        wait_until(healthy, timeout, "the server answers /healthz")
        # All of them: Sanic's manager waits 30 s for a worker stopped while starting. And Sanic answers the
        # requests queued during its start-up before it handles SIGTERM: a server stopped at that instant dies
        # of it (-15); "Worker ready" comes once its handlers are in place.
        wait_until(lambda: self.log().count("Worker ready [") >= self.workers, timeout, "every worker is ready")

    def kill_everything(self) -> None:
        """SIGKILL the whole process group: what a container kill or a power cut does."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL for whatever of the group is left after 15 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
        self.kill_everything()


def register(base: str, name: str) -> dict[str, str]:
    """Log in as the development user `name`; returns the headers that authenticate as them."""
    response = httpx.post(f"{base}/wechat/user/register", json={"login_code": f"test:{name}",
                                                                "phone_code": f"test:{name}"}, timeout=10)
    assert response.status_code == 200, response.text
    return {"Authorization": response.headers["authorization"]}


def listed_job_ids(base: str) -> set[int] | None:
    """The ids on the first page of the latest-first listing; None while the listing does not answer."""
    response = httpx.post(f"{base}/jobs/list", json=LATEST_FIRST, timeout=5)
    if response.status_code != 200:
        return None
    return {job["id"] for job in response.json()["data"]["jobs"]}


# -- the process tree, from /proc (Linux) ------------------------------------------------------------

def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def state(pid: int) -> str | None:
    """The process's state letter (R, S, Z for a zombie...), or None when no such process exists."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    except OSError:
        return []


def environ(pid: int) -> dict[str, str]:
    try:
        pairs = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return {}
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def processes_in_group(pgid: int) -> list[int]:
    """The live (not zombie) processes of process group `pgid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def engine_children(pid: int) -> list[int]:
    """The embedded search engines (osmem-server) started by process `pid`."""
    return [child for child in children(pid) if any(arg.endswith("osmem-server") for arg in cmdline(child)[:1])]


def worker_name(pid: int) -> str:
    """The name Sanic's manager knows a worker process by (`Sanic-Server-0-0`...)."""
    return environ(pid)["SANIC_WORKER_NAME"]


def sanic_workers(pid: int) -> list[int]:
    """Sanic's server worker processes under its main process `pid` (Sanic names them in their environment)."""
    return [child for child in children(pid)
            if environ(child).get("SANIC_WORKER_NAME", "").startswith("Sanic-Server") and state(child) != "Z"]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def connection_owner(server_port: int, client_port: int, candidates: list[int]) -> int | None:
    """Which of `candidates` holds the server side of the TCP connection 127.0.0.1:client_port → server_port."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            inode = fields[9]
    if inode is None:
        return None
    return next((pid for pid in candidates if inode in _socket_inodes(pid)), None)


def request_on_new_connection(port: int, method: str, path: str, headers: dict[str, str],
                              owners: list[int]) -> tuple[int, int | None]:
    """One request on a fresh connection; returns its status and which of `owners` served it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.read()
        # The connection is still open (keep-alive): its server side sits in the serving process.
        return response.status, connection_owner(port, connection.sock.getsockname()[1], owners)
    finally:
        connection.close()


# -- dedicated databases for a server subprocess ------------------------------------------------------

def mysql_query(database_url: str, sql: str, *args) -> list[tuple]:
    """One statement on a connection of its own to the MySQL server of `database_url` (in its database, if
    the URL names one), committed; returns the rows."""
    import asyncio

    import asyncmy

    parts = urlsplit(database_url)

    async def query() -> list[tuple]:
        connection = await asyncmy.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                                           user=unquote(parts.username or "root"),
                                           password=unquote(parts.password or ""),
                                           database=parts.path.strip("/") or None, autocommit=True)
        try:
            async with connection.cursor() as cursor:
                await cursor.execute(sql, args or None)
                return list(await cursor.fetchall())
        finally:
            connection.close()

    # In a thread of its own: asyncio.run would unset the event loop pytest-asyncio keeps for the session.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, query()).result()


def execute_sql(database_url: str, *statements: str) -> None:
    for statement in statements:
        mysql_query(database_url, statement)


def fresh_mysql_database(server_url: str, name: str) -> str:
    """(Re)create the database `name` on the server of `server_url`; returns its URL. Only for names a test owns."""
    server = urlunsplit(urlsplit(server_url)._replace(path=""))
    execute_sql(server, f"DROP DATABASE IF EXISTS `{name}`",
                f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def fresh_redis_db(server_url: str, number: int) -> str:
    """Flush Redis database `number` (never the suite's own) on the server of `server_url`; returns its URL."""
    import redis

    url = urlunsplit(urlsplit(server_url)._replace(path=f"/{number}"))
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url
