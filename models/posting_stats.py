"""What a posting did, per Shanghai day: counted in Redis off the request path (server/services/posting_stats.py)
and flushed here once a minute."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PostingStat(Model):
    """One posting's figures of one day."""

    id = fields.BigIntField(primary_key=True)
    biz_type = fields.SmallIntField()
    posting_id = fields.BigIntField()
    day = fields.DateField()
    views = fields.IntField(default=0)  # distinct logged-in viewers but the owner (a HyperLogLog's count)
    favorites = fields.IntField(default=0)
    contacts = fields.IntField(default=0)  # phone unlocks
    impressions = fields.IntField(default=0)  # times shown in a list page

    class Meta:
        table = "posting_stats"
        unique_together = (("biz_type", "posting_id", "day"),)


class StatsFlush(Model):
    """A batch of counters applied to posting_stats: its row commits with the counts, so a flush that died
    after its commit and runs again finds it and applies nothing twice."""

    id = fields.BigIntField(primary_key=True)
    batch = fields.CharField(max_length=64, unique=True)
    create_at = fields.DatetimeField()

    class Meta:
        table = "posting_stats_flushes"
