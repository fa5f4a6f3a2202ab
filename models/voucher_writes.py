"""The one way to change a voucher balance: the account row locked, the balance changed, a ledger row."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.vouchers import VoucherAccount, VoucherLedger
from runtime.errors import DomainError


class NotEnoughVouchers(DomainError):
    detail = "no contact voucher left: buy some with /contact_voucher/buy"


async def open_account(user_id: int, now: datetime) -> None:
    """Make sure the user's account row exists. Call it *before* the transaction that changes the balance:
    inserting it there would take a shared lock that two concurrent transactions then both try to upgrade
    (a deadlock on MySQL); rows are never deleted, so once is enough. A plain read first: an INSERT of an
    existing row would wait for its lock, behind any change of the balance in progress. A plain INSERT whose
    duplicate is caught, not INSERT IGNORE: MySQL answers that with a warning, which the driver logs."""
    if await VoucherAccount.exists(user_id=user_id):
        return
    try:
        await VoucherAccount.create(user_id=user_id, balance=0, update_at=now)
    except IntegrityError:  # a concurrent call opened it a moment ago (MySQL undoes the statement only)
        pass


async def balance_of(user_id: int) -> int:
    account = await VoucherAccount.get_or_none(user_id=user_id)
    return account.balance if account else 0


async def locked_balance(user_id: int) -> int:
    """The balance, its row locked until the caller's transaction ends: everything that then decides
    whether to spend (has this already been paid for?) is decided by one request of this user at a time."""
    return (await VoucherAccount.select_for_update().get(user_id=user_id)).balance


async def change_balance(user_id: int, change: int, kind: str, title: str, now: datetime,
                         order_id: int | None = None, refund_id: int | None = None) -> int:
    """Add `change` (negative to spend) to the balance and write the ledger row; returns the new balance.

    Runs in the caller's transaction (or its own); the account must exist (`open_account`). Refuses to go
    below zero with NotEnoughVouchers, changing nothing."""
    async with in_transaction():
        account = await VoucherAccount.select_for_update().get(user_id=user_id)
        balance = account.balance + change
        if balance < 0:
            raise NotEnoughVouchers(data={"contact_voucher_num": account.balance})
        account.balance, account.update_at = balance, now
        await account.save(update_fields=["balance", "update_at"])
        await VoucherLedger.create(user_id=user_id, type=kind, title=title, change_num=change,
                                   balance_after=balance, order_id=order_id, refund_id=refund_id,
                                   create_at=now)
    return balance
