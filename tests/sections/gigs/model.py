"""零工 gigs' table: the shared posting fields and a gig's own (a day's pay, a title, a contact name)."""

from tortoise import fields

from models.postings import Posting

BIZ_GIG = 9


class Gig(Posting):
    """A day's work (搬家帮手, 宴席帮厨): paid `pay` yuan a day."""

    biz_type = fields.SmallIntField(default=BIZ_GIG)
    title = fields.CharField(max_length=40)
    pay = fields.IntField()
    contact_name = fields.CharField(max_length=32)

    class Meta:
        table = "gigs"
        indexes = (("user_id", "biz_type", "create_at"),)
