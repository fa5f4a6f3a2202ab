"""A user's contact vouchers as the mini-program shows them: the balance and the ledger, newest first."""

from __future__ import annotations

from models.vouchers import VoucherAccount, VoucherLedger
from runtime import clock


async def records(user_id: int, offset: int, limit: int) -> dict:
    account = await VoucherAccount.get_or_none(user_id=user_id)
    query = VoucherLedger.filter(user_id=user_id)
    rows = await query.order_by("-id").offset(offset).limit(limit)
    return {
        "contact_voucher_num": account.balance if account else 0,
        "list": [{"id": row.id, "type": row.type, "title": row.title, "change_num": row.change_num,
                  "create_at": clock.fmt(row.create_at)} for row in rows],
        "list_total": await query.count(),
    }
