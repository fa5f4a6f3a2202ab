"""Verified businesses (营业执照): a poster's licence submissions, and which account each registration number
backs. The licence photo itself is private (a storage key under the private prefix, never a public URL)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# A submission's life: READING (stored, WeChat's OCR not read yet: retried in the background) → PENDING
# (read, waiting for an operator) → APPROVED or REJECTED; an approved one ends REVOKED (an operator), EXPIRED
# (its validity date passed) or REPLACED (the same account's next approved licence).
READING, PENDING, APPROVED, REJECTED = "reading", "pending", "approved", "rejected"
REVOKED, EXPIRED, REPLACED = "revoked", "expired", "replaced"
# The states that hold a registration number for their account (a LicenceClaim).
HOLDING = (READING, PENDING, APPROVED)


class BusinessVerification(Model):
    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    status = fields.CharField(max_length=12, db_index=True)
    image_key = fields.CharField(max_length=128)  # private storage key
    # What the OCR read ("" until read). valid_until null: 长期 (no end date).
    registration_number = fields.CharField(max_length=64, default="", db_index=True)
    enterprise_name = fields.CharField(max_length=128, default="")
    legal_representative = fields.CharField(max_length=64, default="")
    address = fields.CharField(max_length=255, default="")
    valid_period = fields.CharField(max_length=64, default="")  # as printed
    valid_until = fields.DateField(null=True)
    # Another account's submission holding the same registration number when this one was read: held for
    # the operator, who cannot approve it while that one holds the number.
    duplicate_of = fields.BigIntField(null=True)
    read_attempts = fields.SmallIntField(default=0)
    decided_by = fields.CharField(max_length=64, default="")
    reason = fields.CharField(max_length=500, default="")
    create_at = fields.DatetimeField()
    update_at = fields.DatetimeField()

    class Meta:
        table = "business_verifications"


class LicenceClaim(Model):
    """One row per registration number held by a submission (READING, PENDING or APPROVED): the unique key
    is what makes "one account at a time" hold under concurrent submissions."""

    registration_number = fields.CharField(max_length=64, primary_key=True)
    user_id = fields.BigIntField()
    verification_id = fields.BigIntField()
    create_at = fields.DatetimeField()

    class Meta:
        table = "licence_claims"
