"""A user's contact vouchers as the mini-program shows them: the balance and the ledger, newest first."""

from __future__ import annotations

from models.voucher_writes import balance_of
from models.vouchers import VoucherLedger
from runtime import clock


async def records(user_id: int, offset: int, limit: int) -> dict:
    query = VoucherLedger.filter(user_id=user_id)
    rows = await query.order_by("-id").offset(offset).limit(limit)
    return {
        "contact_voucher_num": await balance_of(user_id),
        "list": [{"id": row.id, "type": row.type, "title": row.title, "change_num": row.change_num,
                  "create_at": clock.fmt(row.create_at)} for row in rows],
        "list_total": await query.count(),
    }
