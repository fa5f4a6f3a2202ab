"""`jobboard moderation`: the operator's trust-and-safety command.

    reports [--section NAME] [--limit 50]     postings with reports, most recently reported first (state=flagged:
                                              listed on paid top, reported enough to hide: decide)
    flagged [--section NAME] [--limit 50]     postings content security flagged (review, pending, risky)
    audit [--limit 50]                        the latest actions, newest first
    takedown ID --section NAME --by NAME --reason TEXT   close a posting for good (out of the listing); with
                                              REFUND_TOP_ON_TAKEDOWN=prorata its running top's unused hours
                                              are refunded (recorded now, submitted by the app's sweeper)
    restore ID --section NAME --by NAME --reason TEXT    reopen a hidden or taken-down posting; clear a
                                              flagged one's reports
    ban USER_ID --by NAME --reason TEXT       revoke the user's tokens, refuse their logins, take their
                                              postings of every section down
    unban USER_ID --by NAME --reason TEXT     allow logins again (their postings stay down)
    hot-rules                                 热门搜索: the allowed words and blocked keywords
    hot-allow WORD --by NAME --reason TEXT    let a word outside the trade's vocabulary (a chain's name) count
    hot-block KEYWORD --by NAME --reason TEXT never show this keyword (or any keyword holding this word)
    hot-unallow / hot-unblock KEYWORD --by NAME --reason TEXT    drop that rule
    operator add NAME --role ROLE             a console account (moderator, finance or admin); the password is
                                              asked twice on a terminal, else read from the first line of stdin
    operator passwd NAME                      a new password (asked or read the same way)
    operator role NAME --role ROLE            change what they may do
    operator disable NAME [--reason TEXT]     no more logins; their console sessions end now
    operator enable NAME [--reason TEXT]
    operator totp NAME                        a new TOTP second factor: prints the otpauth:// URI to scan
    operator list
    verifications [--limit 50]                营业执照 waiting for a decision, oldest first, each with a signed
                                              URL of its photo (LICENCE_URL_SECONDS) and duplicate_of= when
                                              another account holds its registration number
    verify-approve ID --by NAME --reason TEXT approve a pending licence: the owner's 招聘/招租 postings show it
    verify-reject ID --by NAME --reason TEXT  reject a waiting licence
    verify-revoke USER_ID --by NAME --reason TEXT   take a user's verification away (label removed everywhere)

reports and flagged list every section in turn unless `--section` names one (each row names its posting:
job_id=..., card_id=...); takedown and restore need `--section`.
Every action is written to the audit table with who, what, why and when. Posting changes are indexed at
once when ELASTICSEARCH_URL is set (else by the app's drainer or `jobboard index sync` within
seconds). Reads the app's settings (DATABASE_URL, REDIS_URL, ELASTICSEARCH_URL).
Exit codes: 0 done, 1 refused (no such posting or user, nothing to restore), 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from runtime.cache import connect_cache
from runtime.settings import ConfigError
from sections import all_sections, by_name
from indexer.command_line import apply_migrations, database, index_now, section_option
from models.operator import ROLES
from server.providers.storage import build_storage
from server.services import hot_searches, messages, moderation, operators, verification
from server.services.console_sessions import ConsoleSessions
from server.services.errors import OperatorInvalid
from server.services.auth import TokenStore
from server.services.posting_caps import PostingCaps


def add_parser(commands) -> None:
    parser = commands.add_parser("moderation", help="reports, takedowns, bans and the hot-search rules",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=run)
    actions = parser.add_subparsers(dest="action", required=True)
    every_or_one, one = section_option(required=False), section_option(required=True)
    for name, parents in (("reports", [every_or_one]), ("flagged", [every_or_one]), ("audit", [])):
        actions.add_parser(name, parents=parents).add_argument("--limit", type=int, default=50)
    for name, parents in (("takedown", [one]), ("restore", [one]), ("ban", []), ("unban", [])):
        _decision(actions.add_parser(name, parents=parents)).add_argument("id", type=int)
    actions.add_parser("hot-rules")
    _operator_parsers(actions.add_parser("operator", help="the console's operator accounts"))
    actions.add_parser("verifications").add_argument("--limit", type=int, default=50)
    for name in ("verify-approve", "verify-reject", "verify-revoke"):
        _decision(actions.add_parser(name)).add_argument("id", type=int)
    for name in ("hot-allow", "hot-block", "hot-unallow", "hot-unblock"):
        _decision(actions.add_parser(name)).add_argument("keyword")


def _operator_parsers(parser: argparse.ArgumentParser) -> None:
    changes = parser.add_subparsers(dest="change", required=True)
    for name in ("add", "passwd", "role", "disable", "enable", "totp"):
        change = changes.add_parser(name)
        change.add_argument("name")
        change.add_argument("--by", default="cli", help="who does it (written to the audit table)")
        if name in ("add", "role"):
            change.add_argument("--role", required=True, choices=ROLES)
        if name in ("disable", "enable"):
            change.add_argument("--reason", default="by the command line")
    changes.add_parser("list")


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise OperatorInvalid("the two passwords differ")
    return first


async def _operator(args, settings) -> None:
    if args.change == "list":
        _table(await operators.listing())
    elif args.change == "add":
        await operators.add(args.name, args.role, _password(), args.by)
        print(f"operator {args.name} added as {args.role}; log in at /admin/login")
    elif args.change == "passwd":
        await operators.set_password(args.name, _password(), args.by)
        print(f"password of {args.name} changed")
    elif args.change == "role":
        await operators.set_role(args.name, args.role, args.by)
        print(f"{args.name} is now {args.role}")
    elif args.change == "totp":
        print(await operators.start_totp(args.name, args.by))
    elif args.change == "enable":
        await operators.enable(args.name, args.by, args.reason)
        print(f"{args.name} may log in again")
    else:
        cache = connect_cache(settings.redis_url)  # the sessions live there (in-process: none to end)
        try:
            await operators.disable(args.name, args.by, args.reason, ConsoleSessions.from_settings(cache, settings))
        finally:
            await cache.aclose()
        print(f"{args.name} disabled; their console sessions ended")


def _decision(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--by", required=True, help="who decides (written to the audit table)")
    parser.add_argument("--reason", required=True, help="why (written to the audit table)")
    return parser


def _table(rows: list[dict]) -> None:
    for row in rows:
        print("\t".join(f"{key}={value}" for key, value in row.items()))
    if not rows:
        print("(none)")


async def run(args, settings) -> int:
    sections = [by_name(args.section)] if getattr(args, "section", None) else all_sections()
    if args.action == "operator":  # the first admin may be made before the app ever started
        await apply_migrations(settings)
    messages.use_templates(settings.subscribe_templates)  # a takedown or restore tells the owner and reporters
    async with database(settings):
        if args.action == "reports":
            rules = moderation.ReportRules.from_settings(settings)
            _table([row for section in sections for row in await moderation.reported(section, args.limit, rules)])
        elif args.action == "flagged":
            _table([row for section in sections for row in await moderation.flagged(section, args.limit)])
        elif args.action == "audit":
            _table(await moderation.audit_log(args.limit))
        elif args.action in ("takedown", "restore"):
            [section] = sections
            if args.action == "takedown":
                posting = await moderation.take_down(section, args.id, args.by, args.reason,
                                                     settings.refund_top_on_takedown)
            else:
                posting = await moderation.restore(section, args.id, args.by, args.reason,
                                                   PostingCaps.from_settings(settings))
            print(f"{section.target} {posting.id} {'taken down' if args.action == 'takedown' else 'restored'}")
            await index_now(settings)
        elif args.action == "hot-rules":
            _table(await hot_searches.rules())
        elif args.action.startswith("hot-"):
            rule = args.action.removeprefix("hot-un").removeprefix("hot-")
            change = hot_searches.drop_rule if args.action.startswith("hot-un") else hot_searches.set_rule
            keyword = await change(rule, args.keyword, args.by, args.reason)
            print(f"热门搜索 {args.action.removeprefix('hot-')} {keyword!r}: shown lists follow within 90 s")
        elif args.action in ("ban", "unban"):
            await _ban_or_unban(args, settings)
        elif args.action == "operator":
            await _operator(args, settings)
        elif args.action == "verifications" or args.action.startswith("verify-"):
            await _verification(args, settings)
    return 0


async def _verification(args, settings) -> None:
    if args.action == "verifications":
        storage = build_storage(settings)
        try:
            rows = await verification.waiting(args.limit)
            for row in rows:
                row["licence_url"] = await verification.licence_url(storage, row["id"], settings.licence_url_seconds)
            _table(rows)
        finally:
            await storage.close()
        return
    if args.action == "verify-approve":
        done = await verification.approve(args.id, args.by, args.reason)
        print(f"verification {done['id']} approved: user {done['user_id']} is {done['enterprise_name']}; "
              f"postings labelled: {done['postings']}")
    elif args.action == "verify-reject":
        done = await verification.reject(args.id, args.by, args.reason)
        print(f"verification {done['id']} rejected (user {done['user_id']})")
    else:
        done = await verification.revoke(args.id, args.by, args.reason)
        print(f"user {args.id}'s verification {done['id']} revoked; postings unlabelled: {done['postings']}")
    await index_now(settings)


async def _ban_or_unban(args, settings) -> None:
    if not settings.redis_url:  # the tokens live there: an in-process cache here would revoke nothing
        raise ConfigError("ban and unban need REDIS_URL: the login tokens are kept there")
    cache = connect_cache(settings.redis_url)
    try:
        tokens = TokenStore.from_settings(cache, settings)
        if args.action == "ban":
            taken_down = await moderation.ban(args.id, args.by, args.reason, tokens,
                                              settings.refund_top_on_takedown)
            down = ", ".join(f"{target} {posting_id}" for target, posting_id in taken_down)
            print(f"user {args.id} banned; postings taken down: {down or 'none'}")
        else:
            await moderation.unban(args.id, args.by, args.reason, tokens)
            print(f"user {args.id} may log in again")
    finally:
        await cache.aclose()
    if args.action == "ban":
        await index_now(settings)
