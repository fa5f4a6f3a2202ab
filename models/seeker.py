from tortoise import fields

from models.postings import Posting

BIZ_SEEKER = 2  # the seed's biz_type of 求职

# When a worker can start (到岗时间), as the card shows it.
AVAILABLE = ("随时", "一周内", "一月内")
SALARY_NEGOTIABLE = -1  # salary_min = salary_max = -1: 面议


class Seeker(Posting):
    """A 求职 card: a worker's own posting (what they want, where, how to reach them).

    Its `longitude`/`latitude` are exact and never served: the card shows a rounded point (sections.seekers)."""

    biz_type = fields.SmallIntField(default=BIZ_SEEKER)
    name = fields.CharField(max_length=32)  # the 称呼 the worker wrote (王师傅), never their WeChat name
    sex = fields.SmallIntField()  # 1 男, 2 女
    birth_year = fields.SmallIntField()
    positions = fields.JSONField(default=list)  # 1-3 wanted positions
    salary_min = fields.IntField()  # yuan a month; both SALARY_NEGOTIABLE: 面议
    salary_max = fields.IntField()
    experience_years = fields.SmallIntField(default=0)
    available = fields.CharField(max_length=8, default=AVAILABLE[0])

    class Meta:
        table = "seekers"
        indexes = (("user_id", "biz_type", "create_at"),)
