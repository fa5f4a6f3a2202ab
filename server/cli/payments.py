"""`jobboard payments reconcile [--since 24h]`: the operator's payments command.

Every order still unpaid (`created`) from the window is checked at WeChat Pay: a paid one is settled (a
notification that never arrived: WeChat stops retrying after about a day), a dead or expired one closed.
Prints one line per order and a summary. Reads the app's settings (DATABASE_URL, WECHATPAY_*).
Exit codes: 0 done, 1 some orders could not be checked (WeChat unavailable) or disagree on the amount,
2 usage or configuration.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from datetime import timedelta

from runtime import clock
from indexer.command_line import database
from server.providers.wechat_pay import build_pay_provider
from server.services import order_sync
from server.services.money import yuan

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def window(text: str) -> timedelta:
    match = re.fullmatch(r"([1-9][0-9]{0,4})([mhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError("a window like 90m, 24h or 7d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def add_parser(commands) -> None:
    parser = commands.add_parser("payments", help="reconcile unpaid orders with WeChat Pay", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=run)
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("reconcile", help="settle or close the unpaid orders of a window, asking WeChat")
    p.add_argument("--since", type=window, default=timedelta(hours=24), help="window: 90m, 24h (default), 7d")


async def run(args, settings) -> int:
    pay = build_pay_provider(settings)
    async with database(settings):
        await pay.start()
        try:
            outcomes = await order_sync.reconcile(pay, args.since)
        finally:
            await pay.close()
    for order, outcome in outcomes:
        print(f"{order.order_no}\t{order.kind}\t{yuan(order.amount_fen):.2f}\tcreated {clock.fmt(order.create_at)}"
              f"\t{outcome}")
    summary = Counter(outcome for _, outcome in outcomes)
    print(f"{len(outcomes)} unpaid orders since {clock.fmt(clock.now() - args.since)}: "
          + (", ".join(f"{count} {outcome}" for outcome, count in sorted(summary.items())) or "nothing to do"))
    return 0 if summary.keys() <= {order_sync.PAID, order_sync.CLOSED, order_sync.UNCHANGED} else 1
