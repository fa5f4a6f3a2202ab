"""`python -m server.moderation`: the operator's trust-and-safety command.

    reports [--limit 50]                      jobs with reports, most recently reported first (state=flagged:
                                              listed on paid top, reported enough to hide: decide)
    flagged [--limit 50]                      jobs content security flagged (review, pending, risky)
    audit [--limit 50]                        the latest actions, newest first
    takedown JOB_ID --by NAME --reason TEXT   close a job for good (out of the listing)
    restore JOB_ID --by NAME --reason TEXT    reopen a hidden or taken-down job; clear a flagged one's reports
    ban USER_ID --by NAME --reason TEXT       revoke the user's tokens, refuse their logins, take their
                                              postings of every section down
    unban USER_ID --by NAME --reason TEXT     allow logins again (their postings stay down)
    hot-rules                                 热门搜索: the allowed words and blocked keywords
    hot-allow WORD --by NAME --reason TEXT    let a word outside the trade's vocabulary (a chain's name) count
    hot-block KEYWORD --by NAME --reason TEXT never show this keyword (or any keyword holding this word)
    hot-unallow / hot-unblock KEYWORD --by NAME --reason TEXT    drop that rule

reports, flagged, takedown and restore take `--section NAME` (default jobs) for another section's postings.
Every action is written to the audit table with who, what, why and when. Posting changes are indexed at
once when ELASTICSEARCH_URL is set (else by the app's drainer or `python -m indexer sync` within
seconds). Reads the app's settings (DATABASE_URL, REDIS_URL, ELASTICSEARCH_URL).
Exit codes: 0 done, 1 refused (no such job or user, nothing to restore), 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from indexer.sync import drain
from models import db
from runtime.cache import connect_cache
from runtime.errors import DomainError
from runtime.logs import configure_logging
from runtime.settings import ConfigError, load_settings
from sections.jobs import JOBS
from sections import by_name
from search.engine import SearchEngine, cluster_connection
from server.services import hot_searches, moderation
from server.services.auth import TokenStore
from server.services.posting_caps import PostingCaps


def _table(rows: list[dict]) -> None:
    for row in rows:
        print("\t".join(f"{key}={value}" for key, value in row.items()))
    if not rows:
        print("(none)")


async def _index_now(settings) -> None:
    if not settings.elasticsearch_url:
        print("index: left to the app's drainer (no ELASTICSEARCH_URL here)")
        return
    engine = SearchEngine(settings.elasticsearch_url, **cluster_connection(settings))
    try:
        print(f"index: {await drain(engine.client)} change(s) written")
    except Exception as exc:  # the change is committed; its outbox row waits for the drainer
        print(f"index: not reached ({type(exc).__name__}); the drainer will write it", file=sys.stderr)
    finally:
        await engine.close()


async def _run(args) -> int:
    settings = load_settings()
    section = by_name(args.section) if getattr(args, "section", None) else JOBS
    await db.connect(settings.resolved_database_url)
    try:
        if args.command == "reports":
            _table(await moderation.reported(section, args.limit, moderation.ReportRules.from_settings(settings)))
        elif args.command == "flagged":
            _table(await moderation.flagged(section, args.limit))
        elif args.command == "audit":
            _table(await moderation.audit_log(args.limit))
        elif args.command == "takedown":
            posting = await moderation.take_down(section, args.id, args.by, args.reason)
            print(f"{section.target} {posting.id} taken down")
            await _index_now(settings)
        elif args.command == "restore":
            posting = await moderation.restore(section, args.id, args.by, args.reason,
                                               PostingCaps.from_settings(settings))
            print(f"{section.target} {posting.id} restored")
            await _index_now(settings)
        elif args.command == "hot-rules":
            _table(await hot_searches.rules())
        elif args.command.startswith("hot-"):
            rule = args.command.removeprefix("hot-un").removeprefix("hot-")
            change = hot_searches.drop_rule if args.command.startswith("hot-un") else hot_searches.set_rule
            keyword = await change(rule, args.keyword, args.by, args.reason)
            print(f"热门搜索 {args.command.removeprefix('hot-')} {keyword!r}: shown lists follow within 90 s")
        elif args.command in ("ban", "unban"):
            if not settings.redis_url:  # the tokens live there: an in-process cache here would revoke nothing
                raise ConfigError("ban and unban need REDIS_URL: the login tokens are kept there")
            cache = connect_cache(settings.redis_url)
            try:
                tokens = TokenStore.from_settings(cache, settings)
                if args.command == "ban":
                    taken_down = await moderation.ban(args.id, args.by, args.reason, tokens)
                    down = ", ".join(f"{target} {posting_id}" for target, posting_id in taken_down)
                    print(f"user {args.id} banned; postings taken down: {down or 'none'}")
                else:
                    await moderation.unban(args.id, args.by, args.reason, tokens)
                    print(f"user {args.id} may log in again")
            finally:
                await cache.aclose()
            if args.command == "ban":
                await _index_now(settings)
    finally:
        await db.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.moderation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    one_section = argparse.ArgumentParser(add_help=False)
    one_section.add_argument("--section", help="the section of the postings (default: jobs)")
    for name in ("reports", "flagged", "audit"):
        p = commands.add_parser(name, parents=[one_section] if name != "audit" else [])
        p.add_argument("--limit", type=int, default=50)
    for name in ("takedown", "restore", "ban", "unban"):
        p = commands.add_parser(name, parents=[one_section] if name in ("takedown", "restore") else [])
        p.add_argument("id", type=int)
        p.add_argument("--by", required=True, help="who decides (written to the audit table)")
        p.add_argument("--reason", required=True, help="why (written to the audit table)")
    commands.add_parser("hot-rules")
    for name in ("hot-allow", "hot-block", "hot-unallow", "hot-unblock"):
        p = commands.add_parser(name)
        p.add_argument("keyword")
        p.add_argument("--by", required=True, help="who decides (written to the audit table)")
        p.add_argument("--reason", required=True, help="why (written to the audit table)")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        return asyncio.run(_run(args))
    except ConfigError as exc:
        print(f"moderation: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"moderation: {exc.detail}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
