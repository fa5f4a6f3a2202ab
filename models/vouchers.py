"""Contact vouchers (联系券): each user's balance and the ledger of every change to it."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

LEDGER_BUY = "buy"
LEDGER_COST = "cost"
LEDGER_GIFT = "gift"
LEDGER_REFUND = "refund"  # vouchers taken back by a refund of the order that bought them


# One row per user that ever held vouchers; its row lock serialises changes to the balance.
class VoucherAccount(Model):
    """A contact voucher balance."""

    user_id = fields.BigIntField(primary_key=True, generated=False)
    balance = fields.IntField(default=0)
    update_at = fields.DatetimeField()

    class Meta:
        table = "contact_voucher_accounts"


# The balance always equals the sum of the user's change_num.
class VoucherLedger(Model):
    """A change of a contact voucher balance."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    type = fields.CharField(max_length=8)  # buy, cost, gift, refund
    title = fields.CharField(max_length=32)
    change_num = fields.IntField()
    balance_after = fields.IntField()
    # Unique: an order can credit vouchers once, whatever path settles it.
    order_id = fields.BigIntField(null=True, unique=True)
    # Unique too: a refund takes vouchers back once.
    refund_id = fields.BigIntField(null=True, unique=True)
    create_at = fields.DatetimeField()

    class Meta:
        table = "contact_voucher_ledger"
        indexes = (("user_id", "id"),)
