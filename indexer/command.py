"""`jobboard index create|reindex|sync|check|dsl|relevance`: the operator's tool for the sections' indices.

`create`, `reindex`, `check` and `relevance` take every section in turn, or the one `--section NAME` names.
`sync` drains the outbox of every section. `dsl --section NAME [BODY] --keyword 长沙厨师` prints the search
body of that section's list request, ready for Kibana's console.

Reads DATABASE_URL, REDIS_URL and ELASTICSEARCH_URL like the app (`--es-url` overrides the latter).
`relevance` scores the search box on the judged set (indexer/relevance/): on ELASTICSEARCH_URL if set, else
on an embedded engine of its own; it needs no database.
Exit codes: 0 done, 1 drift found (`check`), 2 usage or configuration, 75 another reindex is running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from contextlib import asynccontextmanager, suppress

from elasticsearch import ApiError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, stop_never, wait_exponential

from indexer.check import check
from indexer.heal import IndexHealer
from indexer.lock import reindex_lock, renewed_lock
from indexer.reindex import reindex
from indexer.relevance.run import measure, report
from indexer.sync import drain
from runtime.cache import connect_cache
from runtime.settings import ConfigError
from sections import Section, all_sections, by_name
from search.engine import CREDENTIALS_REFUSED, EmbeddedEngine, SearchEngine, engine_options, refused_credentials
from search.index import ensure_alias
from search.listing import ListingRequest, listing_searches
from search.vocabulary import use_synonyms
from indexer.command_line import database, section_option

log = logging.getLogger("indexer.command")


class EngineRequired(ConfigError):
    detail = "set ELASTICSEARCH_URL (or --es-url): the indexer needs a running engine"


def add_parser(commands) -> None:
    parser = commands.add_parser("index", help="create, rebuild, sync and check the sections' indices",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--es-url", help="search engine URL (default: ELASTICSEARCH_URL)")
    parser.add_argument("--plain-json", action="store_true",
                        help="send plain application/json (for the embedded osmem engine)")
    parser.set_defaults(run=run)
    # After the action, as operators type it: `jobboard index reindex --section seekers`.
    every_or_one, one = section_option(required=False), section_option(required=True)
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("create", parents=[every_or_one],
                       help="create the first versioned index and the alias, if missing")
    p = actions.add_parser("reindex", parents=[every_or_one],
                           help="rebuild into a new index, switch the alias, drop the old one")
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--no-lock", action="store_true",
                   help="skip the Redis lock: the engine is the caller's own (the embedded one of jobboard serve)")
    p = actions.add_parser("sync", help="drain the index outbox of every section (a daemon unless --once)")
    p.add_argument("--once", action="store_true")
    p.add_argument("--interval", type=float, default=1.0)
    p = actions.add_parser("check", parents=[every_or_one],
                           help="compare database and index; exit 1 on drift unless --repair")
    p.add_argument("--repair", action="store_true")
    p.add_argument("--batch-size", type=int, default=1000)
    p = actions.add_parser("dsl", parents=[one],
                           help="print the DSL of one section's list request body (JSON, or - for stdin)")
    p.add_argument("request", nargs="?", default="{}")
    p.add_argument("--keyword", help="the search box's keyword (filter.keyword), as people type it")
    p = actions.add_parser("relevance", parents=[every_or_one],
                           help="recall, P@10, nDCG@10 and zero-result rate of the search box on the judged set")
    p.add_argument("--json", action="store_true", help="the figures as JSON")
    p.add_argument("--verbose", action="store_true", help="every query too, worst first")


def run(args, settings) -> int:
    try:
        if args.action == "dsl":
            return _dsl(args, settings)
        if args.action == "relevance":
            return asyncio.run(_relevance(args, settings))
        return asyncio.run(_run(args, settings))
    except ApiError as exc:
        if status := refused_credentials(exc):  # configuration, not a bug: said so, exit 2
            print(f"jobboard index: {CREDENTIALS_REFUSED.format(status=status)}", file=sys.stderr)
            return 2
        raise


def _sections(args) -> list[Section]:
    return [by_name(args.section)] if args.section else all_sections()


@asynccontextmanager
async def _resources(args, settings):
    url = args.es_url or settings.elasticsearch_url
    if not url:
        raise EngineRequired()
    engine = SearchEngine(url, embedded=args.plain_json, request_timeout=60,
                          **engine_options(settings, embedded=args.plain_json))
    cache = connect_cache(settings.redis_url)
    try:
        async with database(settings):
            yield engine, cache
    finally:
        await engine.close()
        await cache.aclose()


def _retrying(state) -> None:
    exc = state.outcome.exception()
    if status := refused_credentials(exc):
        log.error("sync: " + CREDENTIALS_REFUSED.format(status=status) + "; retrying")
    else:
        log.warning("sync failed, retrying: %s", exc)


async def _sync(args, settings) -> int:
    async with _resources(args, settings) as (engine, cache):
        client = engine.client
        healer = IndexHealer(client, cache, args.interval, engine.policy)
        while True:
            # The daemon waits out an engine outage; a one-off run gives up after a few tries.
            async for attempt in AsyncRetrying(wait=wait_exponential(min=1, max=30),
                                               stop=stop_after_attempt(4) if args.once else stop_never,
                                               retry=retry_if_exception_type(Exception), reraise=True,
                                               before_sleep=_retrying):
                with attempt:
                    with suppress(Exception):  # each section's trouble is logged; the drain goes on regardless
                        await healer.round()  # a lost or broken index is rebuilt first (indexer/heal.py)
                    consumed = await drain(client)
            if consumed:
                log.info("indexed %d outbox rows", consumed)
            if args.once:
                return 0
            await asyncio.sleep(args.interval)


async def _run(args, settings) -> int:
    if args.action == "sync":
        return await _sync(args, settings)
    sections = _sections(args)
    drifted = False
    async with _resources(args, settings) as (engine, cache):
        client = engine.client
        for section in sections:
            if args.action == "create":
                print(await ensure_alias(client, section, policy=engine.policy))
            elif args.action == "reindex":
                # An engine that belongs to the caller alone (the embedded one) needs no lock, hence no Redis.
                lock = None if args.no_lock else renewed_lock(cache, reindex_lock(section.name),
                                                               what=f"a reindex of {section.name}")
                print(await reindex(client, section, lock=lock, policy=engine.policy, batch_size=args.batch_size,
                                    progress=True))
            elif args.action == "check":
                drift = await check(client, section, repair=args.repair, batch_size=args.batch_size, progress=True)
                print(json.dumps({"section": section.name, "missing": drift.missing, "stale": drift.stale,
                                  "extra": drift.extra, "repaired": args.repair}))
                drifted |= not drift.clean
    return 1 if drifted and not args.repair else 0


async def _relevance(args, settings) -> int:
    """Scratch indices only (relevance_<section>), so a production cluster's aliases are never touched."""
    use_synonyms(settings.search_synonyms_path)  # the operator's table, as the app reads it
    url = args.es_url or settings.elasticsearch_url
    embedded = None if url else EmbeddedEngine.start()
    engine = (SearchEngine(url, embedded=args.plain_json, request_timeout=60,
                           **engine_options(settings, embedded=args.plain_json))
              if url else SearchEngine(embedded.url, embedded=True, request_timeout=60))
    try:
        results = [await measure(engine.client, section) for section in _sections(args)]
    finally:
        await engine.close()
        if embedded:
            embedded.stop()
    if args.json:
        print(json.dumps({r.section: r.as_json(args.verbose) for r in results}, ensure_ascii=False, indent=2))
    else:
        print(report(results, args.verbose))
    return 0


def _dsl(args, settings) -> int:
    section = by_name(args.section)
    body = json.loads(args.request if args.request != "-" else sys.stdin.read())
    if args.keyword is not None:  # the search box's query as the app builds it, with this setting's synonyms
        use_synonyms(settings.search_synonyms_path)
        body.setdefault("filter", {})["keyword"] = args.keyword
    searches = listing_searches(section, ListingRequest.from_body(body))
    if len(searches) == 1:
        print(f"GET {section.name}/_search")
        print(json.dumps(searches[0], ensure_ascii=False, indent=2))
    else:  # the recommended list's live tops, then the rest: Dev Tools takes an msearch as NDJSON lines
        print(f"GET {section.name}/_msearch")
        for search in searches:
            print("{}")
            print(json.dumps(search, ensure_ascii=False))
    return 0
