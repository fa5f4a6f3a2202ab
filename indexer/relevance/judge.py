"""Relevance from the ground truth: a query's intent (constraints on what a posting really is) against a
posting's `truth` (indexer/relevance/corpus.py) gives a grade: 2 the exact intent, 1 partially relevant (a
related position: a 厨师长 job for 厨师; a shop that suits the trade without being one), 0 not relevant.

Intents, by section (every constraint given must hold; a missing one is no constraint):
- jobs: `family` (any of the canonical positions), `city`, `district`, `salary` (a monthly figure the job's
  range holds), `daily_pay` (really paid by the day), `meals` / `housing` (包吃 / 包住).
- seekers: `family` (any of the card's families), `city`, `district`, `salary` (the card's expected range holds
  it; 面议 cards do not), `experience_min` (years).
- shops: `trade` (any of; grade 2 when it is the shop's own trade, 1 when it only suits it), `deal_type`
  ("transfer" 转让/出兑/出让 or "rent" 出租), `area_near` (m², within ±20 %), `facilities` (all of), `city`,
  `district`.
Nothing here looks at texts or asks the search engine: the judgments cannot follow the code under test.
"""

from __future__ import annotations

# A job or card of the key family is partially relevant to a query for the value's.
RELATED = {"厨师长": "厨师"}
AREA_TOLERANCE = 0.2


def _family_grade(wanted: list[str] | None, families: list[str]) -> int:
    if not wanted:
        return 2
    if any(family in wanted for family in families):
        return 2
    return 1 if any(RELATED.get(family) in wanted for family in families) else 0


def _place(intent: dict, truth: dict) -> bool:
    return all(intent.get(level) in (None, truth[level]) for level in ("city", "district"))


def _holds(salary: list[int] | None, figure: int | None) -> bool:
    return figure is None or (salary is not None and salary[0] <= figure <= salary[1])


def job_grade(intent: dict, truth: dict) -> int:
    if not (_place(intent, truth) and _holds(truth["salary"], intent.get("salary"))):
        return 0
    if any(intent.get(flag) and not truth[flag] for flag in ("daily_pay", "meals", "housing")):
        return 0
    return _family_grade(intent.get("family"), [truth["family"]])


def seeker_grade(intent: dict, truth: dict) -> int:
    if not (_place(intent, truth) and _holds(truth["salary"], intent.get("salary"))):
        return 0
    if truth["experience_years"] < intent.get("experience_min", 0):
        return 0
    return _family_grade(intent.get("family"), truth["families"])


def shop_grade(intent: dict, truth: dict) -> int:
    if not _place(intent, truth) or intent.get("deal_type") not in (None, truth["deal_type"]):
        return 0
    if (near := intent.get("area_near")) is not None and abs(truth["area_m2"] - near) > near * AREA_TOLERANCE:
        return 0
    if not set(intent.get("facilities", ())) <= set(truth["facilities"]):
        return 0
    if trades := intent.get("trade"):
        if truth["trades"][0] in trades:
            return 2
        return 1 if set(trades) & set(truth["trades"]) else 0
    return 2


GRADERS = {"jobs": job_grade, "seekers": seeker_grade, "shops": shop_grade}


def judgments(section: str, intent: dict, corpus: list[dict]) -> dict[str, int]:
    """The corpus keys (posting ids, as strings) with a grade above 0."""
    grade = GRADERS[section]
    return {str(posting["fields"]["id"]): g for posting in corpus if (g := grade(intent, posting["truth"]))}
