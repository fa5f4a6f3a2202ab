"""The jobs section's index document and list filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.job import Job
from search.contains import contains, substrings_of
from search.documents import AREA_IDS, POSITION_PARTS, area_names, posting_document, verified_document
from search.keywords import word_fields

WELFARE_GROUPS = ("basic_protection", "salary_benefits", "attendance_leave")


def job_document(job: Job) -> dict:
    document = posting_document(job)
    document.update(
        **verified_document(job),
        positions=job.positions,
        **{POSITION_PARTS: substrings_of([job.positions])},  # the positions filter's field
        contact_person_name=job.contact_person_name,
        salary_min=job.salary_min,
        salary_max=job.salary_max,
        basic_protection=list(job.basic_protection or []),
        salary_benefits=list(job.salary_benefits or []),
        attendance_leave=list(job.attendance_leave or []),
        # The search box's words: what a job publishes, but not the contact person's name.
        **word_fields(title=[job.positions], tags=[tag for group in WELFARE_GROUPS for tag in getattr(job, group) or []],
                      text=[job.description], place=[job.address, *area_names(job)]),
    )
    return document


def job_filters(wanted: Mapping[str, Any], now_iso: str) -> list[dict]:
    """`/jobs/list`'s filter: positions (contains), salary ranges overlapping, every welfare tag asked for, in
    the given areas."""
    clauses: list[dict] = []
    if positions := wanted.get("positions"):
        clauses.append(contains(POSITION_PARTS, positions))
    # Salary ranges overlap: the job pays at least the asked minimum somewhere in its range...
    if (salary_min := wanted.get("salary_min")) is not None:
        clauses.append({"range": {"salary_max": {"gte": salary_min}}})
    # ...and starts no higher than the asked maximum (-1: no maximum).
    if (salary_max := wanted.get("salary_max")) is not None and salary_max != -1:
        clauses.append({"range": {"salary_min": {"lte": salary_max}}})
    for group in WELFARE_GROUPS:
        for tag in wanted.get(group) or ():
            clauses.append({"term": {group: tag}})
    for area_id in AREA_IDS:
        if (value := wanted.get(area_id)) is not None:
            clauses.append({"term": {area_id: value}})
    return clauses


