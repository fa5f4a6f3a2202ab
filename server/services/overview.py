"""The console's first page: what happened today (Shanghai day) and what waits for an operator."""

from __future__ import annotations

from datetime import datetime, time

from tortoise.functions import Count, Sum

from models.order import STATUS_PAID, Order
from models.postings import CONTENT_PENDING
from runtime import clock
from sections import all_sections
from server.services import moderation, money
from server.services.hot_searches import HotSearches


async def today(rules: moderation.ReportRules, hot: HotSearches) -> dict:
    midnight = datetime.combine(clock.now().date(), time())
    sections = []
    for section in all_sections():
        postings = section.model.filter(biz_type=section.biz_type)
        reported = await moderation.reported(section, 200, rules)
        sections.append({
            "name": section.name, "title": section.title,
            "created": await postings.filter(create_at__gte=midnight).count(),
            # Reported since the last decision, and still listed or hidden by the reports.
            "reports_waiting": sum(1 for row in reported if row["undecided"] and row["state"] in
                                   ("open", "hidden", "flagged")),
            "flagged": len(await moderation.flagged(section, 200)),
            "texts_waiting": await postings.filter(content_check=CONTENT_PENDING).count(),
            "hot": await hot.hot(section.name),
        })
    paid = await (Order.filter(status=STATUS_PAID, paid_at__gte=midnight).annotate(n=Count("id"), fen=Sum("amount_fen"))
                  .first().values("n", "fen"))
    return {"day": f"{midnight:%Y-%m-%d}", "sections": sections,
            "orders_paid": paid["n"] if paid else 0, "paid_amount": money.shown((paid or {}).get("fen") or 0)}
