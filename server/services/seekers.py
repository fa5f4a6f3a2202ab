"""The 求职 section's own rules: a worker has one open card, written by themselves (the name they chose, never
their WeChat profile's), with an expected salary range or 面议. Publishing, editing, closing, refreshing, the
detail and "my postings" are every section's (server/services/postings.py)."""

from __future__ import annotations

from models.seeker import SALARY_NEGOTIABLE, Seeker
from sections import SEEKERS
from server.providers.content_check import ContentChecker
from server.services import postings
from server.services.errors import SalaryNegotiableMixed, SalaryRangeInverted
from server.services.images import ImageUrls
from server.services.posting_caps import PostingCaps


def _salary_range(salary_min: int, salary_max: int) -> None:
    if (salary_min == SALARY_NEGOTIABLE) != (salary_max == SALARY_NEGOTIABLE):
        raise SalaryNegotiableMixed(data={"salary_min": salary_min, "salary_max": salary_max})
    if salary_min > salary_max:
        raise SalaryRangeInverted(data={"salary_min": salary_min, "salary_max": salary_max})


async def create(user_id: int, fields: dict, image_urls: ImageUrls, checker: ContentChecker,
                 caps: PostingCaps) -> int:
    """A new open card; OneOpenPosting (naming the open one) when the worker already has one (the
    section's `one_open_per_user`)."""
    _salary_range(fields["salary_min"], fields["salary_max"])
    return await postings.publish(SEEKERS, user_id, fields, image_urls, checker, caps)


def _rules(card: Seeker, changes: dict) -> None:
    _salary_range(changes.get("salary_min", card.salary_min), changes.get("salary_max", card.salary_max))


async def update(user_id: int, card_id: int, changes: dict, image_urls: ImageUrls, checker: ContentChecker) -> None:
    await postings.edit(SEEKERS, user_id, card_id, changes, image_urls, checker, rules=_rules)
