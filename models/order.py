"""Orders: what a user buys (a top, a paid refresh, contact vouchers), for how much, and what WeChat said."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

KIND_TOP = "top"
KIND_REFRESH = "refresh"
KIND_CONTACT_VOUCHER = "contact_voucher"

# created → paid (exactly once, by server.services.settlement) or created → closed (unpaid and expired, or the
# prepay failed). closed → paid happens only when WeChat proves a payment that came in late.
STATUS_CREATED = "created"
STATUS_PAID = "paid"
STATUS_CLOSED = "closed"


class Order(Model):
    id = fields.BigIntField(primary_key=True)
    # WeChat's out_trade_no: TOP/REF/CV + Shanghai timestamp + random digits, at most 32 characters.
    order_no = fields.CharField(max_length=32, unique=True)
    kind = fields.CharField(max_length=16)
    user_id = fields.BigIntField()
    # The posting a top or refresh is for, by its section (models.postings); null for contact vouchers.
    biz_type = fields.SmallIntField(null=True)
    posting_id = fields.BigIntField(null=True)
    top_hours = fields.IntField(null=True)
    voucher_count = fields.IntField(null=True)
    amount_fen = fields.IntField()  # money is whole fen everywhere inside; yuan only at the API edge
    refunded_fen = fields.IntField(default=0, db_default=0)  # the sum of its successful refunds (models.refund)
    status = fields.CharField(max_length=8, default=STATUS_CREATED)
    prepay_id = fields.CharField(max_length=64, null=True)
    transaction_id = fields.CharField(max_length=32, null=True, unique=True)
    paid_at = fields.DatetimeField(null=True)  # when WeChat says the payer paid
    settled_at = fields.DatetimeField(null=True)  # when the effect was applied here
    closed_at = fields.DatetimeField(null=True)
    close_reason = fields.CharField(max_length=64, default="")  # for the operator: why it was closed
    expire_at = fields.DatetimeField()
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()

    class Meta:
        table = "orders"
        indexes = (("status", "create_at"), ("user_id", "create_at"))
