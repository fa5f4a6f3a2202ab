"""Refunds: money given back for a paid order (all of it or part), through WeChat Pay's refund API.

pending → processing → success, each step once (server.services.refunds). `pending`: recorded here, not yet
accepted by WeChat (WeChat was down, or the process died before asking): the sweeper submits it under the
same refund_no, which makes the retry safe. `closed`: WeChat refused or closed it: its amount is free again.
`abnormal`: WeChat could not pay the money into the payer's account: an operator finishes it on the
merchant platform; its amount stays taken.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

REFUND_PENDING = "pending"
REFUND_PROCESSING = "processing"
REFUND_SUCCESS = "success"
REFUND_CLOSED = "closed"
REFUND_ABNORMAL = "abnormal"
# The refunds whose money is given back or on its way: their sum never exceeds what the order paid.
REFUND_HOLDING = (REFUND_PENDING, REFUND_PROCESSING, REFUND_SUCCESS, REFUND_ABNORMAL)
REFUND_OPEN = (REFUND_PENDING, REFUND_PROCESSING)


class Refund(Model):
    id = fields.BigIntField(primary_key=True)
    # WeChat's out_refund_no: the order's number + "R" + its refund's ordinal; one per refund, for good.
    refund_no = fields.CharField(max_length=64, unique=True)
    order_id = fields.BigIntField()
    amount_fen = fields.IntField()
    status = fields.CharField(max_length=12, default=REFUND_PENDING)
    # What the refund took back, in the transaction that recorded it: a top's hours, vouchers.
    top_hours = fields.IntField(default=0)
    vouchers = fields.IntField(default=0)
    actor = fields.CharField(max_length=64)  # the operator who refunded, or whose takedown did
    reason = fields.CharField(max_length=500)
    wechat_refund_id = fields.CharField(max_length=64, null=True)
    note = fields.CharField(max_length=128, default="")  # for the operator: WeChat's last word on it
    success_at = fields.DatetimeField(null=True)
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()

    class Meta:
        table = "refunds"
        indexes = (("order_id", "id"), ("status", "update_at"))
