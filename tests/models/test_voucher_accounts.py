"""Opening a voucher account (models/voucher_writes.py) is idempotent under races, and quiet: MySQL gives it
no warning, which the driver would log as a bare line."""

from __future__ import annotations

import asyncio
import logging

from models.voucher_writes import balance_of, open_account
from models.vouchers import VoucherAccount
from runtime import clock
from tests.helpers.api import login_as


async def test_accounts_opened_at_once_make_one_row_and_no_driver_warning(client, caplog):
    user_id = int((await login_as(client, "racer"))["user_id"])
    await VoucherAccount.filter(user_id=user_id).delete()
    caplog.set_level(logging.WARNING)
    # Both rounds: calls racing past the existence check, then one finding the row there.
    await asyncio.gather(*(open_account(user_id, clock.now()) for _ in range(8)))
    await asyncio.gather(*(open_account(user_id, clock.now()) for _ in range(8)))
    assert await VoucherAccount.filter(user_id=user_id).count() == 1
    assert await balance_of(user_id) == 0
    assert [r.getMessage() for r in caplog.records if r.name.startswith("asyncmy")] == []
