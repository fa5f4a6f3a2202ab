"""The search engine: an Elasticsearch client, and the embedded engine started when none is configured."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from elastic_transport import AiohttpHttpNode, HttpHeaders
from elasticsearch import AsyncElasticsearch
from elasticsearch.serializer import OrjsonSerializer

from search.index import AliasWatch
from search.index_policy import DEFAULT_POLICY, IndexPolicy, index_policy

log = logging.getLogger("search.engine")


def plain_media_type(value: str) -> str:
    """The plain JSON (or NDJSON) type for one of the official client's compatibility media types
    (`application/vnd.elasticsearch+json; compatible-with=8`); any other value as it is."""
    if "vnd.elasticsearch+" not in value:
        return value
    return "application/x-ndjson" if "x-ndjson" in value else "application/json"


class PlainJsonNode(AiohttpHttpNode):
    """For the embedded engine only: it answers 406 to the client's compatibility media types."""

    async def perform_request(self, method, target, body=None, headers=None, **kwargs):
        fixed = HttpHeaders(headers or {})
        for name in ("content-type", "accept"):
            if value := fixed.get(name):
                fixed[name] = plain_media_type(value)
        return await super().perform_request(method, target, body=body, headers=fixed, **kwargs)


def cluster_connection(settings) -> dict:
    """Credentials and TLS for a real cluster (9.x turns security on by default): an API key, or a user and
    password; a CA bundle for certificate verification, which stays on."""
    options: dict = {}
    if settings.elasticsearch_api_key:
        options["api_key"] = settings.elasticsearch_api_key.get_secret_value()
    elif settings.elasticsearch_username:
        password = settings.elasticsearch_password.get_secret_value() if settings.elasticsearch_password else ""
        options["basic_auth"] = (settings.elasticsearch_username, password)
    if settings.elasticsearch_ca_certs:
        options["ca_certs"] = str(settings.elasticsearch_ca_certs)
    return options


def engine_options(settings, *, embedded: bool) -> dict:
    """SearchEngine's keyword arguments from the settings (duck-typed: search/ never reads them itself): the
    connections per node, the operator's index policy and, for a cluster, its credentials and TLS."""
    return {"connections_per_node": settings.elasticsearch_connections_per_node,
            "policy": index_policy(settings, embedded=embedded), **cluster_connection(settings)}


# What the operator sees when the cluster answers 401 or 403: not the query's fault, not a passing outage.
CREDENTIALS_REFUSED = ("the search cluster refused our credentials (HTTP {status}): check ELASTICSEARCH_API_KEY "
                       "(or ELASTICSEARCH_USERNAME/PASSWORD) and its role (README: the search cluster's role)")


def refused_credentials(exc: Exception) -> int | None:
    """401 or 403 when the cluster refused who we are or what we may do (a rotated API key, a missing
    privilege); None for any other error."""
    status = getattr(getattr(exc, "meta", None), "status", None)
    return status if status in (401, 403) else None


# A listing the engine cannot answer in this time is an outage to report (503), not a wait to impose.
LISTING_TIMEOUT_SECONDS = 3.0


# ELASTICSEARCH_CONNECTIONS_PER_NODE's default (runtime/settings.py says why), for engines made without settings.
CONNECTIONS_PER_NODE = 64


class SearchEngine:
    """One client per process; `embedded` says whether the URL is the engine we started ourselves; `policy`
    is what every index this process makes gets (replicas, the health a reindex waits for)."""

    def __init__(self, url: str, embedded: bool = False, request_timeout: float = 5.0, *,
                 connections_per_node: int = CONNECTIONS_PER_NODE, policy: IndexPolicy = DEFAULT_POLICY,
                 **connection):
        """`connection`: a cluster's credentials and TLS (`cluster_connection(settings)`); `engine_options(settings)`
        gives all of these."""
        self.url = url
        self.embedded = embedded
        self.policy = policy
        options = {"node_class": PlainJsonNode} if embedded else connection
        # orjson for bodies both ways (the default stdlib json decoder was a tenth of a listing's CPU).
        self.client = AsyncElasticsearch(url, request_timeout=request_timeout, max_retries=0,
                                         connections_per_node=connections_per_node,
                                         serializer=OrjsonSerializer(), **options)
        # The listing's client, made once: `.options()` builds a whole client (and its telemetry) per call.
        self.listing_client = self.client.options(request_timeout=LISTING_TIMEOUT_SECONDS)
        self.aliases = AliasWatch(self.listing_client)  # what readiness and the listing's empty pages look at

    async def ping(self) -> None:
        await self.client.info()

    async def close(self) -> None:
        await self.client.close()


@dataclass
class EmbeddedEngine:
    """An osmem-server child process: Elasticsearch's REST API, in memory, for dev and tests."""

    process: subprocess.Popen
    url: str

    @property
    def address(self) -> str:
        """`host:port`: where a successor must listen for clients to keep their URL."""
        return urlsplit(self.url).netloc

    @classmethod
    def start(cls, addr: str = "127.0.0.1:0", timeout: float = 30.0) -> "EmbeddedEngine":
        from osmem_server import resolve_binary

        # --parent-pid: the engine exits by itself when this process dies, even by SIGKILL. A process group
        # of its own: a signal to this process's group (a shutdown) leaves it to this process to stop.
        args = [resolve_binary(), "--no-ja", "--no-stdin-watch", "--parent-pid", str(os.getpid()), "--addr", addr]
        # Its stderr through this process's log (every line JSON); once this process is gone, nowhere.
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, process_group=0)
        ready: dict = {}
        settled = threading.Event()  # the ready line was read, or stdout closed before it

        def read_stdout() -> None:
            assert process.stdout is not None
            for line in process.stdout:  # read to the end: a full pipe would block the engine
                if ready:
                    continue
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict) and "url" in message:
                    ready.update(message)
                    settled.set()
            settled.set()

        def read_stderr() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                if line.strip():
                    log.info("embedded search engine: %s", line.strip())

        threading.Thread(target=read_stdout, name="embedded-engine-stdout", daemon=True).start()
        threading.Thread(target=read_stderr, name="embedded-engine-stderr", daemon=True).start()
        settled.wait(timeout)
        if not ready:
            quit_by_itself = settled.is_set()  # its stdout closed: it is exiting (e.g. the address is taken)
            try:
                process.wait(5 if quit_by_itself else 0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()  # reaped: no zombie left behind
            reason = (f"exited with code {process.returncode}" if quit_by_itself
                      else f"was not ready within {timeout:g} s")
            raise RuntimeError(f"the embedded search engine did not start at {addr}: it {reason}")
        log.info("embedded search engine at %s (pid %s)", ready["url"], process.pid)
        return cls(process, ready["url"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
