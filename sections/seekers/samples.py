"""Seeded random 求职 cards (unsaved rows): the same data for benchmarks, tests and the demo board."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from itertools import cycle

from models.postings import MODERATION_HIDDEN, STATUS_CLOSED, STATUS_OPEN
from models.seeker import AVAILABLE, SALARY_NEGOTIABLE, Seeker
from models.samples import AREAS, NAMES, POSITIONS, area_fields, lifecycle
from runtime import clock

# Workers' homes around Shanghai: a few shared exact points (distance ties), the rest anywhere in about
# 10 × 11 km, off the published 0.005° grid, so a card's shown place and distance differ from its exact ones;
# one exactly halfway between grid lines (the rounding's tie).
HOMES = [(121.4207 + 0.0093 * i, 31.1809 + 0.0061 * ((i * 5) % 17)) for i in range(12)] + [(121.4725, 31.2325)]

def _home(rng: random.Random) -> tuple[float, float]:
    if rng.random() < 0.3:
        return rng.choice(HOMES)
    return round(121.42 + rng.uniform(0, 0.11), 6), round(31.18 + rng.uniform(0, 0.10), 6)


def random_seekers(count: int, owner_ids: int | Sequence[int], seed: int = 7,
                   now: datetime | None = None) -> list[Seeker]:
    """`count` 求职 cards, card i owned by owner_ids[i % len(owner_ids)] (one id: all of them). Some 面议;
    ages 16-80 this year; some closed by their owner, some hidden by moderation, some held for a photo."""
    rng = random.Random(seed)
    now = now or clock.now()
    owners = cycle([owner_ids] if isinstance(owner_ids, int) else owner_ids)
    cards = []
    for owner_id in (next(owners) for _ in range(count)):
        times = lifecycle(rng, now)
        salary_min = rng.randrange(3000, 15000, 500)
        salary = (salary_min, salary_min + rng.randrange(0, 6000, 500))
        if rng.random() < 0.15:
            salary = (SALARY_NEGOTIABLE, SALARY_NEGOTIABLE)
        age = rng.randint(16, 80)
        lon, lat = _home(rng)
        area = rng.choice(AREAS)
        roll = rng.random()
        status, moderation = (STATUS_CLOSED, "") if roll < 0.08 else (
            (STATUS_CLOSED, MODERATION_HIDDEN) if roll < 0.12 else (STATUS_OPEN, ""))
        cards.append(Seeker(
            user_id=owner_id, name=rng.choice(NAMES), sex=rng.choice((1, 2)), birth_year=now.year - age,
            positions=rng.sample(POSITIONS, rng.randint(1, 3)), salary_min=salary[0], salary_max=salary[1],
            experience_years=rng.randint(0, min(50, age - 16)), available=rng.choice(AVAILABLE),
            longitude=lon, latitude=lat, address=f"{area[2][1]}某路", contact="13900139000",
            description="能吃苦，服从安排。", photo_urls=[],
            **area_fields(area),
            status=status, moderation=moderation, photo_held=rng.random() < 0.04, **times,
        ))
    return cards


# Values the shop filters' tests use as bounds, so that rows sit exactly on them.
