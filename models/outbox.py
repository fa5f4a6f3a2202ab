from tortoise import fields
from tortoise.models import Model


# One row per committed change of a job, written in the same transaction; the indexer drains it.
class IndexOutbox(Model):
    """A change of a job waiting for the indexer."""

    id = fields.BigIntField(primary_key=True)
    job_id = fields.BigIntField(db_index=True)
    reason = fields.CharField(max_length=16)
    create_at = fields.DatetimeField()

    class Meta:
        table = "index_outbox"


async def enqueue(job_id: int, reason: str, at) -> None:
    """Record a change of a job for the indexer; call inside the transaction that made the change."""
    await IndexOutbox.create(job_id=job_id, reason=reason, create_at=at)
