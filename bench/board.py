"""A board of N synthetic 招聘 postings, as index documents, made without a database: the relevance corpus's
jobs (indexer/relevance/corpus.py: five cities, the trade's positions, welfare and salaries), given the times a
board of months has, turned into documents by the section's own `job_document` from unsaved rows."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from indexer.relevance.corpus import generate_jobs
from models.job import Job
from models.samples import millis
from sections.jobs import job_document

MONTHS_OF_POSTINGS = 180  # days: rank_time spread over half a year
REFRESHED = 0.3  # share refreshed since creation (rank_time = the refresh)
CLOSED = 0.1  # share closed (status 2): in the index, never listed
EXPIRED_TOP = 0.05  # share whose paid top has ended
TOPS = 40  # postings on top now, whatever the board's size: a few dozen pay at any moment


def _times(rng: random.Random, now: datetime, on_top: bool) -> dict:
    created = millis(now - timedelta(days=rng.uniform(0, MONTHS_OF_POSTINGS)))
    refreshed = millis(created + (now - created) * rng.random()) if rng.random() < REFRESHED else None
    top_end = None
    if on_top:
        top_end = millis(now + timedelta(hours=rng.uniform(1, 72)))
    elif rng.random() < EXPIRED_TOP:
        top_end = millis(created + timedelta(hours=rng.uniform(24, 168)))
        top_end = min(top_end, now - timedelta(minutes=1))
    return {"create_at": created, "update_at": created, "last_refresh_time": refreshed,
            "top_start_time": top_end and top_end - timedelta(days=3), "top_end_time": top_end}


def job_documents(first_id: int, count: int, now: datetime, tops: frozenset[int] = frozenset()) -> list[dict]:
    """Documents of postings `first_id` .. `first_id + count - 1` (the same ids, the same postings); those
    whose id is in `tops` are on top at `now`."""
    rng = random.Random(first_id)
    documents = []
    for number, posting in enumerate(generate_jobs(count, seed=first_id)):
        job_id = first_id + number
        fields = {**posting["fields"], **_times(rng, now, job_id in tops), "id": job_id, "user_id": 1 + job_id // 5,
                  "status": 2 if rng.random() < CLOSED else 1}
        documents.append(job_document(Job(**fields)))
    return documents


def top_ids(first_board: int, seed: int = 33) -> frozenset[int]:
    """Which of the first board's postings (ids 1 .. first_board) are on top."""
    return frozenset(random.Random(seed).sample(range(1, first_board + 1), min(TOPS, first_board)))
