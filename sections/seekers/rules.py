"""The 求职 section's own rules: an expected salary range in order, or 面议 (both -1). One open card per worker
is the declaration's `one_open_per_user`, kept by the shared core."""

from __future__ import annotations

from models.seeker import SALARY_NEGOTIABLE, Seeker
from sections.posting_rules import SalaryNegotiableMixed, salary_in_order


def _salary_range(salary_min: int, salary_max: int) -> None:
    if (salary_min == SALARY_NEGOTIABLE) != (salary_max == SALARY_NEGOTIABLE):
        raise SalaryNegotiableMixed(data={"salary_min": salary_min, "salary_max": salary_max})
    salary_in_order(salary_min, salary_max)


async def prepare(user_id: int, fields: dict) -> None:
    _salary_range(fields["salary_min"], fields["salary_max"])


def check_edit(card: Seeker, changes: dict) -> None:
    _salary_range(changes.get("salary_min", card.salary_min), changes.get("salary_max", card.salary_max))
