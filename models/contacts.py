"""Contacts: a user who spent a voucher on a posting, which unlocks its phone number for them for good."""

from __future__ import annotations

from functools import cache

from tortoise import connections, fields
from tortoise.expressions import Subquery
from tortoise.models import Model

from models.blocks import Block

PURPOSE_JOB = 1  # seed: purpose_type 1 = a job posting (job seekers and shop rentals come later)


# One row per (caller, posting): the unlock that shows them the number, and their contact history entry.
class ContactHistory(Model):
    """A contact of a posting by a user."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()  # who called
    purpose_type = fields.SmallIntField(default=PURPOSE_JOB)
    purpose_id = fields.BigIntField()  # the job
    biz_type = fields.SmallIntField()
    owner_id = fields.BigIntField()  # whom they called: the posting's owner
    create_at = fields.DatetimeField()

    class Meta:
        table = "contact_history"
        unique_together = (("user_id", "purpose_type", "purpose_id"),)
        indexes = (("user_id", "biz_type", "create_at"), ("owner_id", "biz_type", "create_at"))


@cache
def _unlocked_sql(dialect: str, count: int) -> str:
    # Built by Tortoise once per database kind and page size; its placeholders are, in order: the user,
    # the purpose type, the ids, then the user again. An owner who blocks the user is out: a number unlocked
    # before the block is theirs no more (the same query, no extra round trip).
    blockers = Subquery(Block.filter(blocked_id=0).values("user_id"))
    return ContactHistory.filter(user_id=0, purpose_type=0, purpose_id__in=[0] * count).exclude(
        owner_id__in=blockers).values_list("purpose_id", flat=True).sql()


async def unlocked_among(user_id: int, purpose_type: int, ids: list[int]) -> set[int]:
    """Which postings of `ids` (of the section `purpose_type`) the user unlocked: one query, without the
    query builder (it runs on every listing and detail a logged-in user opens; building it cost more CPU
    than running it)."""
    if not ids:
        return set()
    connection = connections.get("default")
    _, rows = await connection.execute_query(_unlocked_sql(connection.capabilities.dialect, len(ids)),
                                             [user_id, purpose_type, *ids, user_id])
    return {next(iter(row.values())) if isinstance(row, dict) else row[0] for row in rows}
