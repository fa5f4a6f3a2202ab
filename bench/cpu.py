"""What the app process spends per request: CPU milliseconds per call, latency and throughput, with the
ratio to `GET /healthz` measured in the same run.

    .venv/bin/python -m bench.cpu --jobs 10000 --database-url mysql://root:@127.0.0.1:3306/bench_cpu \\
        --redis-url redis://127.0.0.1:6379/12

POSTING_STATS=false in the environment turns the counting of views and impressions off (what it costs);
`--blocks N` adds the latest list of an account blocking N users.

`--seekers N` 求职 cards and `--shops N` 招租 shops are listed as well (`/seekers/list`, `/shops/list`; by
default as many as jobs). Each list also runs with a keyword (the search box), to show what one costs.

`python -m server` runs as its own process (one worker) with its embedded engine (a child process, whose
CPU is not counted); the load comes from `wrk` (Debian package), another process, so the client's own
work never counts as the app's. CPU is read from /proc for the server process before and after each run. The database is
emptied first: never point it at real data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.listing import BODIES, _fresh_database, _seed
from models import db
from models.job import BIZ_RECRUIT, STATUS_OPEN, Job
from sections.seekers.samples import random_seekers
from sections.shops.samples import random_shops
from models.seeker import Seeker
from models.shop import Shop
from models.user import User
from runtime import clock

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The 求职 list's calls, as bench.listing's BODIES are the jobs': the same place for nearby, a few filters for latest.
SEEKER_BODIES = {
    "recommended": {"query_type": 1, "filter": {}, "page_size": 10},
    "nearby": {"query_type": 2, "filter": {"longitude": 121.4737, "latitude": 31.2304, "distance_km": 3},
               "page_size": 10},
    "latest": {"query_type": 3, "filter": {"positions": "厨师", "age_min": 25, "age_max": 45, "salary_min": 6000},
               "page_size": 10},
}
# 招租's list: the same three list types, with the section's own filters.
SHOP_BODIES = {
    "recommended": {"query_type": 1, "filter": {}, "page_size": 10},
    "nearby": {"query_type": 2, "filter": {"longitude": 116.397, "latitude": 39.916, "distance_km": 10},
               "page_size": 10},
    "latest": {"query_type": 3, "filter": {"rent_max": 20000, "facilities": ["明火"]}, "page_size": 10},
}
# The search box: each list's recommended and latest calls again with a keyword: one character, one word
# (with its synonyms), two words typed without a space (a place and a position); for the jobs also the
# costliest reading there is: five words with their synonyms (the words and readings are capped).
KEYWORDS = {"/jobs/list": ("厨", "厨师", "上海厨师", "厨师服务员收银员洗碗工传菜员"), "/seekers/list": ("面", "面点", "上海面点"),
            "/shops/list": ("铺", "火锅", "上海火锅")}


def engine_cpu_seconds(pid: int) -> float:
    """The CPU of the server's children: the embedded engine."""
    import psutil

    total = 0.0
    for child in psutil.Process(pid).children(recursive=True):
        try:
            times = child.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _wrk_script(method: str, body: dict | None, headers: dict[str, str], job_ids: range | None = None) -> str:
    lines = [f'wrk.method = "{method}"']
    if job_ids is not None:  # a different job each request: the detail's kept rows rarely help
        lines.append("request = function() return wrk.format(nil, nil, nil, "
                     f"'{{\"job_id\": ' .. math.random({job_ids.start}, {job_ids.stop - 1}) .. '}}') end")
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(json.dumps(body, ensure_ascii=False), ensure_ascii=False)}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    return "\n".join(lines) + "\n"


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, script: Path, connections: int, seconds: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
                          "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": int(re.search(r"(\d+) requests in", out)[1]),
            "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
            # No distribution when no request completed (a warm-up on a slow engine).
            "p50": _milliseconds(percentiles["50"]) if "50" in percentiles else float("nan"),
            "p99": _milliseconds(percentiles["99"]) if "99" in percentiles else float("nan"),
            "errors": int(errors[1]) if errors else 0}


async def _seed_postings(model, sample, count: int, openid: str) -> int:
    """`count` postings of one owner (the one-open-card rule is the create route's; the listing never reads
    it); how many the section's list counts (open, not held)."""
    now = clock.now()
    owner = await User.create(openid=openid, create_at=now, update_at=now)
    for start in range(0, count, 5000):
        await model.bulk_create(sample(min(5000, count - start), owner.id, seed=start, now=now), batch_size=1000)
    return await model.filter(status=STATUS_OPEN, photo_held=False).count()


async def _prepare(args, database_url: str) -> tuple[int, int, range, dict[str, int]]:
    """Seed the jobs, cards and shops; the id of an open job, how many the default listing counts (open
    recruiting), the range of every job's id, and how many the other sections' lists count, by path."""
    await _fresh_database(database_url)
    await db.connect(database_url)
    try:
        await _seed(args.jobs)
        listed = {"/seekers/list": await _seed_postings(Seeker, random_seekers, args.seekers, "bench-worker"),
                  "/shops/list": await _seed_postings(Shop, random_shops, args.shops, "bench-shop-owner")}
        open_jobs = Job.filter(status=STATUS_OPEN, biz_type=BIZ_RECRUIT)
        ids = range((await Job.first().order_by("id")).id, (await Job.first().order_by("-id")).id + 1)
        return (await open_jobs.first().order_by("id")).id, await open_jobs.count(), ids, listed
    finally:
        await db.close()


async def _users(database_url: str, count: int) -> list[int]:
    """`count` new accounts' ids (for a blocker to block)."""
    await db.connect(database_url)
    try:
        now = clock.now()
        await User.bulk_create([User(openid=f"bench-blocked-{n}", create_at=now, update_at=now) for n in range(count)])
        return await User.filter(openid__startswith="bench-blocked-").values_list("id", flat=True)
    finally:
        await db.close()


def _wait_for_index(base: str, path: str, total: int) -> None:
    """Until the server's engine lists every open posting of `path`'s list (it fills its embedded engine
    itself at start)."""
    for _ in range(600):
        try:
            answer = httpx.post(f"{base}{path}", json={"query_type": 3}, timeout=5)
            if answer.status_code == 200 and answer.json()["data"]["total"] == total:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server's engine was not filled in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--seekers", type=int, help="求职 cards (default: as many as --jobs)")
    parser.add_argument("--shops", type=int, help="招租 shops (default: as many as --jobs)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--port", type=int, default=18789)
    parser.add_argument("--kept-seconds", type=float,
                        help="JOB_DETAIL_CACHE_SECONDS and LISTING_CACHE_SECONDS (default: the app's; 0: every "
                             "request reads the database and the engine)")
    parser.add_argument("--only", help="run only the calls whose label contains this text (/healthz always runs)")
    parser.add_argument("--blocks", type=int, default=0,
                        help="also list as an account blocking this many users (at most MAX_BLOCKS_PER_USER)")
    args = parser.parse_args()
    args.seekers = args.jobs if args.seekers is None else args.seekers
    args.shops = args.jobs if args.shops is None else args.shops
    workdir = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    database_url = args.database_url or f"sqlite://{workdir}/bench.sqlite3"
    server = None
    try:
        job_id, open_jobs, job_ids, listed = asyncio.run(_prepare(args, database_url))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "ELASTIC", "WECHAT"))}
        env.update(APP_ENV="dev", DATA_DIR=str(workdir), DATABASE_URL=database_url, WORKERS="1", BACKGROUND_INDEX_SYNC="false", RATE_LIMIT_WRITES_PER_USER="0",
                   RATE_LIMIT_LOGIN_PER_IP="0", RATE_LIMIT_LOGIN_PER_CODE="0",
                   RATE_LIMIT_READS_PER_IP="0", RATE_LIMIT_READS_PER_USER="0")  # one client: the load itself
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
        if args.kept_seconds is not None:
            env["JOB_DETAIL_CACHE_SECONDS"] = env["LISTING_CACHE_SECONDS"] = str(args.kept_seconds)
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen([sys.executable, "-m", "server", "--port", str(args.port)], env=env,
                                  stdout=open(workdir / "server.log", "w"), stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        _wait_for_index(base, "/jobs/list", open_jobs)
        for path, total in listed.items():
            _wait_for_index(base, path, total)
        registered = httpx.post(f"{base}/wechat/user/register", json={"login_code": "test:bench", "phone_code": "test:bench"})
        token = {"Authorization": registered.headers["authorization"]}
        blocker = None
        if args.blocks:  # another account, blocking that many users: its lists carry the block set
            answer = httpx.post(f"{base}/wechat/user/register", json={"login_code": "test:blocker",
                                                                       "phone_code": "test:blocker"})
            blocker = {"Authorization": answer.headers["authorization"]}
            for user_id in asyncio.run(_users(database_url, args.blocks)):
                assert httpx.post(f"{base}/user/block", json={"user_id": user_id}, headers=blocker).status_code == 200
        calls = [("GET /healthz", "GET", "/healthz", None, {}, None),
                 ("POST /jobs/info", "POST", "/jobs/info", {"job_id": job_id}, {}, None),
                 ("POST /jobs/info (logged in)", "POST", "/jobs/info", {"job_id": job_id}, token, None),
                 ("POST /jobs/info (any of the jobs)", "POST", "/jobs/info", None, {}, job_ids)]
        calls += [(f"POST /jobs/list {name}", "POST", "/jobs/list", body, {}, None) for name, body in BODIES.items()]
        calls.append(("POST /jobs/list latest (logged in)", "POST", "/jobs/list", BODIES["latest"], token, None))
        if blocker:
            calls.append((f"POST /jobs/list latest (logged in, blocking {args.blocks})", "POST", "/jobs/list",
                          BODIES["latest"], blocker, None))
        calls += [(f"POST /seekers/list {name}", "POST", "/seekers/list", body, {}, None)
                  for name, body in SEEKER_BODIES.items()]
        calls.append(("POST /seekers/list latest (logged in)", "POST", "/seekers/list", SEEKER_BODIES["latest"],
                      token, None))
        calls += [(f"POST /shops/list {name}", "POST", "/shops/list", body, {}, None)
                  for name, body in SHOP_BODIES.items()]
        for path, bodies in (("/jobs/list", BODIES), ("/seekers/list", SEEKER_BODIES), ("/shops/list", SHOP_BODIES)):
            for name in ("recommended", "latest"):
                for keyword in KEYWORDS[path]:
                    with_keyword = {**bodies[name], "filter": {**bodies[name]["filter"], "keyword": keyword}}
                    calls.append((f"POST {path} {name} + keyword {keyword}", "POST", path, with_keyword, {}, None))
        if args.only:
            calls = [call for call in calls if call[0] == "GET /healthz" or args.only in call[0]]
        kept = "app default" if args.kept_seconds is None else f"{args.kept_seconds:g} s"
        print(f"{args.jobs} jobs, {args.seekers} 求职 cards, {args.shops} shops, {args.connections} connections, {args.seconds} s each, "
              f"one worker, answers kept: {kept}\n")
        print("| call | app CPU ms / request | engine CPU ms / request | req/s | × /healthz | p50 ms | p99 ms |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        healthz_rate = None
        for label, method, path, body, headers, ids in calls:
            script = workdir / "call.lua"
            script.write_text(_wrk_script(method, body, {"Content-Type": "application/json", **headers}
                                          if ids else headers, ids))
            run_wrk(base + path, script, args.connections, 2)  # warm-up
            before, engine_before = cpu_seconds(server.pid), engine_cpu_seconds(server.pid)
            result = run_wrk(base + path, script, args.connections, args.seconds)
            spent = cpu_seconds(server.pid) - before
            engine = engine_cpu_seconds(server.pid) - engine_before
            assert result["errors"] == 0, f"{label}: {result['errors']} error answers (see {workdir}/server.log)"
            healthz_rate = healthz_rate or result["rate"]
            print(f"| `{label}` | {spent * 1000 / result['requests']:.3f} | {engine * 1000 / result['requests']:.3f} | "
                  f"{result['rate']:,.0f} | "
                  f"{result['rate'] / healthz_rate:.2f} | {result['p50']:.1f} | {result['p99']:.1f} |")
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)


if __name__ == "__main__":
    main()
