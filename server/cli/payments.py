"""`jobboard payments`: the operator's payments command.

    reconcile [--since 24h]
        Every order still unpaid (`created`) from the window is checked at WeChat Pay: a paid one is settled
        (a notification that never arrived: WeChat stops retrying after about a day), a dead or expired one
        closed. Every refund still open (pending, processing) from the window is submitted or asked about
        and settled. One line per order and per refund, and a summary each.
    refund ORDER_NO [--amount-fen N] --by NAME --reason TEXT
        Refund N fen of a paid order (without --amount-fen: all that is left), taking back what the money
        bought (a top's hours, unspent vouchers); audited. WeChat away: recorded as pending, submitted by
        the app's sweeper (or reconcile).

Reads the app's settings (DATABASE_URL, WECHATPAY_*).
Exit codes: 0 done, 1 refused (reconcile: some orders or refunds could not be checked, WeChat unavailable,
or disagree on the amount), 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from datetime import timedelta

from runtime import clock
from indexer.command_line import database, index_now
from server.providers.wechat_pay import build_pay_provider
from server.services import messages, order_sync, refunds
from server.services.money import yuan

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def window(text: str) -> timedelta:
    match = re.fullmatch(r"([1-9][0-9]{0,4})([mhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError("a window like 90m, 24h or 7d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def add_parser(commands) -> None:
    parser = commands.add_parser("payments", help="reconcile orders and refunds with WeChat Pay; refund an order",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=run)
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("reconcile", help="settle or close the unpaid orders of a window, asking WeChat")
    p.add_argument("--since", type=window, default=timedelta(hours=24), help="window: 90m, 24h (default), 7d")
    p = actions.add_parser("refund", help="refund a paid order, or part of it (audited)")
    p.add_argument("order_no")
    p.add_argument("--amount-fen", type=int, default=None, help="fen to refund (default: all that is left)")
    p.add_argument("--by", required=True, help="who refunds (written to the audit table)")
    p.add_argument("--reason", required=True, help="why (written to the audit table; WeChat shows the payer "
                                                     "its first 80 characters)")


async def run(args, settings) -> int:
    pay = build_pay_provider(settings)
    messages.use_templates(settings.subscribe_templates)  # a refund settled here tells its payer
    async with database(settings):
        await pay.start()
        try:
            if args.action == "refund":
                done = await refunds.refund(args.order_no, args.amount_fen, args.by, args.reason, pay)
            else:
                outcomes = await order_sync.reconcile(pay, args.since)
                refunded = await refunds.reconcile(pay, args.since)
        finally:
            await pay.close()
    if args.action == "refund":
        print("\t".join(f"{key}={done[key]}" for key in ("refund_no", "order_no", "amount_fen", "status",
                                                          "top_hours", "vouchers", "vouchers_short")))
        if done["top_hours"]:
            await index_now(settings)
        return 0
    for order, outcome in outcomes:
        print(f"{order.order_no}\t{order.kind}\t{yuan(order.amount_fen):.2f}\tcreated {clock.fmt(order.create_at)}"
              f"\t{outcome}")
    summary = Counter(outcome for _, outcome in outcomes)
    print(f"{len(outcomes)} unpaid orders since {clock.fmt(clock.now() - args.since)}: "
          + (", ".join(f"{count} {outcome}" for outcome, count in sorted(summary.items())) or "nothing to do"))
    for refund, order_no, outcome in refunded:
        print(f"{refund.refund_no}\trefund of {order_no}\t{yuan(refund.amount_fen):.2f}\tcreated "
              f"{clock.fmt(refund.create_at)}\t{outcome}")
    refund_summary = Counter(outcome for _, _, outcome in refunded)
    print(f"{len(refunded)} open refunds since {clock.fmt(clock.now() - args.since)}: "
          + (", ".join(f"{count} {outcome}" for outcome, count in sorted(refund_summary.items())) or "nothing to do"))
    fine = summary.keys() <= {order_sync.PAID, order_sync.CLOSED, order_sync.UNCHANGED}
    return 0 if fine and refund_summary.keys() <= {refunds.REFUNDED, refunds.PROCESSING, refunds.CLOSED,
                                                   refunds.ABNORMAL, refunds.UNCHANGED} else 1
