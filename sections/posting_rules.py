"""The errors of a section's own publishing rules (`Section.prepare`, `Section.check_edit`): each a 400 naming
what is wrong, mapped once for HTTP (server/errors.py) as `PostingRuleBroken`."""

from __future__ import annotations

from runtime.errors import DomainError


class PostingRuleBroken(DomainError):
    """A section's own rule refused a posting's fields."""


class SalaryRangeInverted(PostingRuleBroken):
    detail = "salary_min must not exceed salary_max"


class SalaryNegotiableMixed(PostingRuleBroken):
    detail = "面议 is salary_min = salary_max = -1: change both"


def salary_in_order(salary_min: int, salary_max: int) -> None:
    if salary_min > salary_max:
        raise SalaryRangeInverted(data={"salary_min": salary_min, "salary_max": salary_max})
