"""The test engine with Elasticsearch's refresh: searches see only what a refresh published.

osmem shows every write to searches at once; Elasticsearch shows it after the index's next refresh (every
`refresh_interval`, 1 s by default, never while it is `-1`), or after `_refresh`, or after a write's own
`refresh=true` / `refresh=wait_for`. A test that reads a listing right after a write without a refresh passes
on osmem and flakes on Elasticsearch. This proxy in front of osmem makes it fail here too.

How: every index X gets a hidden twin (`.published.X`) holding what X's last refresh published. Writes and
realtime GETs go to X unchanged (a GET is realtime on Elasticsearch too) and mark the written ids; searches
and counts are sent to the twins of the indices they name; a refresh copies the marked documents of X (as
they are now) into its twin. Every change of a twin holds its index's lock, so a refresh, a delete and a
re-creation under the same name never interleave.

Recorded in `violations` (the suite fails a test that adds one): a `refresh=wait_for` write on an index whose
refresh_interval is -1 (Elasticsearch holds it until someone refreshes; held here a moment), and an alias
pointed at an index with unrefreshed writes (its readers would see a partial index: this suite's rule).
APIs whose writes it cannot follow (`_delete_by_query`, `_update_by_query`, `_reindex`, scrolls,
`filter_path` on a write) are refused with 400, never passed through half-understood.

It also accepts the official client's compatibility media types (osmem answers them 406), so an app in
external-cluster mode can run against osmem through it.

And it refuses expensive queries as a cluster with `search.allow_expensive_queries: false` does (400, with
Elasticsearch's error; tests/fakes/expensive_queries.py): on by default, as the app sends none.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import orjson
from aiohttp import web
from yarl import URL

from search.engine import EmbeddedEngine, plain_media_type
from tests.fakes.expensive_queries import refused_msearch, refused_search

TWIN = ".published."
DEFAULT_REFRESH_SECONDS = 1.0
WAIT_FOR_HOLD_SECONDS = 1.0  # below any client timeout: the violation is the finding, not a timeout
_TICK_SECONDS = 0.1
_HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "accept-encoding", "content-encoding"}
_SEARCHES = {"_search", "_count"}
_DOC_WRITES = {"_doc", "_create", "_update"}
_REFUSED = {"_delete_by_query", "_update_by_query", "_reindex", "_search_shards"}
_ALL = {"_all", "*"}
# Index settings a twin takes from its index (what changes what a search finds or may ask for).
_COPIED_SETTINGS = ("analysis", "max_result_window", "similarity", "max_ngram_diff", "max_shingle_diff")


def _seconds(interval) -> float | None:
    """A refresh_interval setting in seconds; None for -1 (never)."""
    if interval in (None, ""):
        return DEFAULT_REFRESH_SECONDS
    text = str(interval)
    if text.startswith("-"):
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)?", text)
    if not match:
        return DEFAULT_REFRESH_SECONDS
    number, unit = match.groups()
    scale = {"nanos": 1e-9, "micros": 1e-6, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 0.001}
    return float(number) * scale[unit]


def _refusal(what: str) -> dict:
    return {"error": {"type": "refreshing_engine", "reason": f"the refresh-realistic test engine does not take "
                      f"{what}"}, "status": 400}


def _refused(what: str) -> web.Response:
    return web.json_response(_refusal(what), status=400)


class RefreshingEngine:
    """`RefreshingEngine.start(upstream_url)`: the proxy in a thread of its own (its own event loop), so that
    sync fixtures, other event loops and other processes can all use `.url`."""

    def __init__(self, upstream: str, periodic: bool = True):
        self.upstream = upstream.rstrip("/")
        self.periodic = periodic
        self.refuse_expensive = True  # as a cluster with `search.allow_expensive_queries: false`
        self.url = ""
        self.violations: list[str] = []
        self._dirty: dict[str, set[str]] = defaultdict(set)  # concrete index -> ids written since its refresh
        self._dirty_since: dict[str, float] = {}  # when its oldest unpublished write landed
        self._intervals: dict[str, float | None] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)  # per index: its twin's changes
        self._twins: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self._failed: BaseException | None = None

    # -- life cycle ---------------------------------------------------------------------------------------

    @classmethod
    def start(cls, upstream: str, periodic: bool = True) -> "RefreshingEngine":
        """`periodic` False: no refresh on a timer, only those asked for (`_refresh`, `refresh=`), so that no
        test passes by waiting out the interval where Elasticsearch under load would take longer."""
        proxy = cls(upstream, periodic)
        ready = threading.Event()
        proxy._thread = threading.Thread(target=lambda: asyncio.run(proxy._serve(ready)), name="refreshing-engine",
                                         daemon=True)
        proxy._thread.start()
        if not ready.wait(30) or proxy._failed:
            raise RuntimeError(f"the refresh-realistic engine proxy did not start: {proxy._failed!r}")
        return proxy

    def stop(self) -> None:
        if self._loop and self._stopped:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(10)

    async def _serve(self, ready: threading.Event) -> None:
        try:
            self._loop = asyncio.get_running_loop()
            self._stopped = asyncio.Event()
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
            app = web.Application(client_max_size=256 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", self._handle)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            self.url = "http://127.0.0.1:{}".format(runner.addresses[0][1])
        except BaseException as exc:
            self._failed = exc
            ready.set()
            raise
        ticker = asyncio.create_task(self._tick()) if self.periodic else None
        ready.set()
        await self._stopped.wait()
        if ticker:
            ticker.cancel()
        await runner.cleanup()
        await self._session.close()

    # -- upstream -----------------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, body: bytes | None = None, params=None,
                    headers: dict | None = None) -> tuple[int, bytes, dict]:
        """`path` as sent (percent-encoded): an id such as `a%2Fb` stays one segment."""
        async with self._session.request(method, URL(self.upstream + path, encoded=True), data=body,
                                         params=params, headers=headers or {"Content-Type": "application/json"}
                                         ) as response:
            return response.status, await response.read(), dict(response.headers)

    async def _json(self, method: str, path: str, payload=None, params=None) -> tuple[int, dict]:
        body = None if payload is None else orjson.dumps(payload)
        status, raw, _ = await self._call(method, path, body, params)
        try:
            return status, orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            return status, {}

    async def _concrete(self, target: str | None, ignore_unavailable: bool = False) -> list[str] | None:
        """The concrete indices a target names (aliases, wildcards and lists resolved); None when it names a
        missing one (the request then goes on unchanged and gets the engine's own error)."""
        found: set[str] = set()
        for name in (target or "_all").split(","):
            status, body = await self._json("GET", "/_alias" if name in _ALL else f"/{name}/_alias")
            if status != 200:
                if ignore_unavailable:
                    continue
                return None
            found.update(index for index in body if not index.startswith("."))
        return sorted(found)

    # -- the handler --------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {name: plain_media_type(value) for name, value in request.headers.items()
                   if name.lower() not in _HOP_HEADERS}
        parts = [part for part in request.path.split("/") if part]
        method = request.method
        target = parts[0] if parts and (not parts[0].startswith("_") or parts[0] in _ALL) else None
        rest = parts[1:] if target else parts
        api = rest[0] if rest and rest[0].startswith("_") else None
        if self.refuse_expensive and method in ("GET", "POST") and (refused := self._expensive(api, target, body)):
            return refused
        if api in _REFUSED:
            return _refused(api)
        if api == "_msearch" and method in ("GET", "POST") and len(rest) == 1:
            return await self._msearch(request, target, body, headers)
        if api in _SEARCHES and method in ("GET", "POST"):
            if len(rest) > 1:  # _search/scroll, _search/template: not followed
                return _refused("/".join(rest))
            return await self._search(request, target, api, body, headers)
        if api == "_refresh":
            for index in await self._concrete(target) or []:
                await self._publish(index)
            return await self._forward(request, body, headers)
        if method in ("PUT", "POST", "DELETE") and (api == "_bulk" or api in _DOC_WRITES):
            if "filter_path" in request.query:
                return _refused("filter_path on a write (the written ids must be seen)")
            return await self._write(request, body, headers)
        if method in ("GET", "HEAD", "POST") and api in ("_doc", "_source", "_mget") and \
                request.query.get("refresh") in ("true", ""):
            for index in await self._concrete(target) or []:
                await self._publish(index)
        if target and target not in _ALL and api is None and method == "PUT":
            return await self._create_index(request, target, body, headers)
        if target and api is None and method == "DELETE":
            doomed = await self._concrete(target) or []
            response = await self._forward(request, body, headers)
            if response.status < 300:
                for index in doomed:
                    await self._forget(index)
            return response
        partial = await self._partial_targets(target, body) if api in ("_aliases", "_alias") and \
            method in ("PUT", "POST") else {}  # before: once switched, writes through the alias are the new ones
        response = await self._forward(request, body, headers, hide_twins=method in ("GET", "HEAD"))
        if response.status < 300:
            self.violations += [f"{method} {request.path}: an alias now points at {index}, {unpublished} of whose "
                                "writes no refresh has published: its readers see a partial index"
                                for index, unpublished in partial.items()]
            if method in ("PUT", "POST") and api in ("_mapping", "_settings"):
                for index in await self._concrete(target) or []:
                    await self._follow_definition(index)
        return response

    async def _forward(self, request: web.Request, body: bytes, headers: dict, hide_twins: bool = False,
                       query=None) -> web.Response:
        status, raw, upstream_headers = await self._call(request.method, request.rel_url.raw_path, body or None,
                                                         request.query if query is None else query, headers)
        if hide_twins and raw:
            raw = self._hide_twins(raw)
        return self._answer(status, raw, upstream_headers)

    @staticmethod
    def _answer(status: int, raw: bytes, upstream_headers: dict) -> web.Response:
        kept = {name: value for name, value in upstream_headers.items() if name.lower() not in _HOP_HEADERS}
        return web.Response(status=status, body=raw, headers=kept)

    @staticmethod
    def _hide_twins(raw: bytes) -> bytes:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:  # _cat text
            return b"\n".join(line for line in raw.split(b"\n") if TWIN.encode() not in line)
        if isinstance(body, dict):
            body = {key: value for key, value in body.items() if not key.startswith(TWIN)}
            if isinstance(body.get("indices"), dict):
                body["indices"] = {k: v for k, v in body["indices"].items() if not k.startswith(TWIN)}
        elif isinstance(body, list):
            body = [row for row in body if not (isinstance(row, dict) and str(row.get("index", "")).startswith(TWIN))]
        return orjson.dumps(body)

    # -- searches -----------------------------------------------------------------------------------------

    @staticmethod
    def _expensive(api: str | None, target: str | None, body: bytes) -> web.Response | None:
        """Elasticsearch's answer to a search holding an expensive query, or None."""
        if api in _SEARCHES and (answer := refused_search(body, target)):
            return web.json_response(answer, status=400)
        if api == "_msearch" and any(items := refused_msearch(body, target)):
            # Elasticsearch answers each search of a multi-search apart, in a 200; the cheap ones of a
            # request holding a refused one are not sent here (the test fails on the refusal anyway).
            return web.json_response({"took": 0, "responses": [item or _refusal("_msearch") for item in items]})
        return None

    async def _search(self, request: web.Request, target: str | None, api: str, body: bytes,
                      headers: dict) -> web.Response:
        indices = await self._concrete(target, request.query.get("ignore_unavailable") == "true")
        if not indices:  # a missing index, or a wildcard matching none: the engine's own answer
            return await self._forward(request, body, headers)
        for index in indices:
            async with self._locks[index]:
                await self._twin_ready(index)
        path = "/" + ",".join(TWIN + index for index in indices) + "/" + api
        status, raw, upstream_headers = await self._call(request.method, path, body or None, request.query, headers)
        if status == 200 and api == "_search":
            answer = orjson.loads(raw)
            for hit in answer.get("hits", {}).get("hits", []):
                hit["_index"] = hit["_index"].removeprefix(TWIN)
            raw = orjson.dumps(answer)
        return self._answer(status, raw, upstream_headers)

    async def _msearch(self, request: web.Request, target: str | None, body: bytes,
                       headers: dict) -> web.Response:
        """Each search of the NDJSON pairs sent to the twins of the indices its header (or the path) names."""
        lines = [orjson.loads(line) for line in body.split(b"\n") if line.strip()]
        sent: list[bytes] = []
        for header, search in zip(lines[::2], lines[1::2], strict=True):
            named = header.get("index", target)
            if isinstance(named, list):
                named = ",".join(named)
            indices = await self._concrete(named, header.get("ignore_unavailable") is True)
            if indices:  # else the engine's own answer for a missing index
                for index in indices:
                    async with self._locks[index]:
                        await self._twin_ready(index)
                header = {**header, "index": ",".join(TWIN + index for index in indices)}
            sent += [orjson.dumps(header), orjson.dumps(search)]
        status, raw, upstream_headers = await self._call(request.method, "/_msearch", b"\n".join(sent) + b"\n",
                                                         request.query, headers)
        if status == 200:
            answer = orjson.loads(raw)
            for response in answer.get("responses", []):
                for hit in response.get("hits", {}).get("hits", []):
                    hit["_index"] = hit["_index"].removeprefix(TWIN)
            raw = orjson.dumps(answer)
        return self._answer(status, raw, upstream_headers)

    # -- writes and refreshes -----------------------------------------------------------------------------

    async def _write(self, request: web.Request, body: bytes, headers: dict) -> web.Response:
        refresh = request.query.get("refresh")
        query = {key: value for key, value in request.query.items() if key != "refresh"}
        response = await self._forward(request, body, headers, query=query)
        try:
            answer = orjson.loads(response.body)
        except orjson.JSONDecodeError:
            answer = {}
        results = [next(iter(item.values())) for item in answer.get("items", [])] if "items" in answer else [answer]
        written: set[str] = set()
        for result in results:
            if isinstance(result, dict) and "_index" in result and 200 <= result.get("status", response.status) < 300:
                self._dirty_since.setdefault(result["_index"], time.monotonic())
                self._dirty[result["_index"]].add(result["_id"])
                written.add(result["_index"])
        if refresh in ("true", ""):
            for index in written:
                await self._publish(index)
        elif refresh == "wait_for":
            for index in written:
                await self._wait_for_refresh(index, request)
        return response

    async def _wait_for_refresh(self, index: str, request: web.Request) -> None:
        if await self._interval(index) is not None:
            await self._publish(index)  # the next periodic refresh, without waiting for it
            return
        self.violations.append(f"{request.method} {request.path_qs}: refresh=wait_for on {index}, whose "
                               "refresh_interval is -1: Elasticsearch holds this request until someone refreshes")
        deadline = time.monotonic() + WAIT_FOR_HOLD_SECONDS
        while self._dirty.get(index) and time.monotonic() < deadline:
            await asyncio.sleep(_TICK_SECONDS)

    async def _partial_targets(self, target: str | None, body: bytes) -> dict[str, int]:
        """The indices an alias request points an alias at that hold writes no refresh published (with how
        many): readers would see a partial index (on Elasticsearch until its next refresh; never while it is
        bulk-loading)."""
        names = [target] if target else []
        if not target and body:
            try:
                actions = orjson.loads(body).get("actions", [])
            except (orjson.JSONDecodeError, AttributeError):
                actions = []  # the engine answers the malformed request
            for action in actions:
                added = (action.get("add") or {}) if isinstance(action, dict) else {}
                names += [added["index"]] if "index" in added else list(added.get("indices", []))
        return {index: len(self._dirty[index]) for name in names for index in await self._concrete(name) or []
                if self._dirty.get(index)}

    async def _tick(self) -> None:
        """The periodic refresh: each index with unpublished writes, once its refresh_interval has passed since
        the oldest of them (Elasticsearch's worst case: a write just after a refresh waits a whole interval)."""
        while True:
            await asyncio.sleep(_TICK_SECONDS)
            for index in [name for name, ids in self._dirty.items() if ids]:
                try:
                    interval = await self._interval(index)
                    since = self._dirty_since.get(index, 0)
                    if interval is not None and time.monotonic() - since >= interval:
                        await self._publish(index)
                except Exception:  # noqa: BLE001 - the engine restarting or gone: the next tick tries again
                    continue

    async def _interval(self, index: str) -> float | None:
        if index not in self._intervals:
            status, body = await self._json("GET", f"/{index}/_settings")
            if status != 200:
                return DEFAULT_REFRESH_SECONDS
            setting = body.get(index, {}).get("settings", {}).get("index", {}).get("refresh_interval")
            self._intervals[index] = _seconds(setting)
        return self._intervals[index]

    async def _publish(self, index: str) -> None:
        """A refresh of `index`: its twin takes the current state of every document written since the last."""
        async with self._locks[index]:
            ids = self._dirty.pop(index, set())
            self._dirty_since.pop(index, None)
            if not ids:
                return
            await self._twin_ready(index)
            status, found = await self._json("POST", f"/{index}/_mget", {"ids": sorted(ids)})
            lines = []
            for doc in found.get("docs", []) if status == 200 else []:
                twin_action = {"_index": TWIN + index, "_id": doc["_id"]}
                # Delete then index: the twin's copy is whatever the index holds now, whatever its version.
                lines.append({"delete": twin_action})
                if doc.get("found"):
                    lines += [{"index": twin_action}, doc["_source"]]
            if status == 404:
                return  # the index is gone: nothing to publish
            if status == 200:
                payload = b"".join(orjson.dumps(line) + b"\n" for line in lines)
                status, raw, _ = await self._call("POST", "/_bulk", payload,
                                                  headers={"Content-Type": "application/x-ndjson"})
                if status == 200 and not orjson.loads(raw).get("errors"):
                    return
            self._dirty[index] |= ids  # not published: the next refresh tries again
            self._dirty_since.setdefault(index, time.monotonic())

    # -- twins (each call with its index's lock held) -------------------------------------------------------

    async def _create_index(self, request: web.Request, index: str, body: bytes, headers: dict) -> web.Response:
        """A new index under a name: a fresh twin, made before any refresh of it can run."""
        async with self._locks[index]:
            response = await self._forward(request, body, headers)
            if response.status < 300:
                self._intervals.pop(index, None)
                await self._json("DELETE", f"/{TWIN}{index}")  # one an index of the same name left (404 if none)
                self._twins.discard(index)
                await self._twin_ready(index)
            return response

    async def _twin_ready(self, index: str) -> None:
        if index in self._twins:
            return
        status, body = await self._json("GET", f"/{index}")
        if status != 200 or index not in body:
            return
        definition = body[index]
        settings = definition.get("settings", {}).get("index", {})
        status, answer = await self._json("PUT", f"/{TWIN}{index}", {
            "settings": {name: settings[name] for name in _COPIED_SETTINGS if name in settings},
            "mappings": definition.get("mappings") or {}})
        if status < 300 or "already_exists" in orjson.dumps(answer).decode():
            self._twins.add(index)

    async def _follow_definition(self, index: str) -> None:
        """A changed mapping reaches the twin; a changed refresh_interval is read again."""
        self._intervals.pop(index, None)
        async with self._locks[index]:
            if index not in self._twins:
                return await self._twin_ready(index)
            status, body = await self._json("GET", f"/{index}/_mapping")
            if status == 200 and index in body:
                await self._json("PUT", f"/{TWIN}{index}/_mapping", body[index].get("mappings") or {})

    async def _forget(self, index: str) -> None:
        """A deleted index: its twin and its unpublished writes go with it."""
        async with self._locks[index]:
            self._dirty.pop(index, None)
            self._dirty_since.pop(index, None)
            self._intervals.pop(index, None)
            self._twins.discard(index)
            await self._json("DELETE", f"/{TWIN}{index}")  # 404 when it had none


@contextmanager
def refreshing_embedded_engine(periodic: bool = True) -> Iterator[RefreshingEngine]:
    """An embedded engine of its own behind the proxy; both stopped on leaving."""
    process = EmbeddedEngine.start()
    try:
        proxy = RefreshingEngine.start(process.url, periodic)
        try:
            yield proxy
        finally:
            proxy.stop()
    finally:
        process.stop()
