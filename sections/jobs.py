"""招聘 (biz_type 1): restaurants' job offers. The whole declaration of the section; its routes are
server/routes/jobs.py, its bodies server/schemas/jobs.py."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from pydantic import Field

from models.job import BIZ_RECRUIT, Job
from sections.core import HIGHLIGHT, MinePosting, PostingItem, SavedPosting, Section, register
from search.documents import AREA_DES, AREA_IDS, area_names, posting_document
from search.keywords import word_fields
from search.listing import wildcard_escape

WELFARE_GROUPS = ("basic_protection", "salary_benefits", "attendance_leave")


def job_document(job: Job) -> dict:
    document = posting_document(job)
    document.update(
        positions=job.positions,
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
        clauses.append({"wildcard": {"positions": {"value": f"*{wildcard_escape(positions)}*"}}})
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


class JobItem(PostingItem):
    """A job as the listing and the detail show it."""

    biz_type: int = Field(description="1=招聘、2=求职、3=招租")
    status: int = Field(description="1 招聘中、2 已关闭")
    positions: str
    contact_person_name: str
    salary_min: int
    salary_max: int
    basic_protection: list[str]
    salary_benefits: list[str]
    attendance_leave: list[str]


class ListedJob(JobItem):
    distance: int | None = Field(None, description="附近列表（query_type 2）：距离，米")
    highlight: dict[str, list[str]] | None = HIGHLIGHT


class MyPosting(MinePosting):
    positions: str
    salary_min: int
    salary_max: int


class FavoriteItem(SavedPosting):
    job_id: int
    positions: str
    salary_min: int
    salary_max: int


JOBS = register(Section(
    name="jobs",
    biz_type=BIZ_RECRUIT,
    mapping=files("es_mappings") / "jobs.json",
    document=job_document,
    filters=job_filters,
    model=Job,
    target="job",
    title="招聘",
    # The texts of a job that are published: what the listing and the detail show (tags joined into one).
    texts=("positions", "description", "address", "contact_person_name", "first_area_des", "second_area_des",
           "third_area_des", "four_area_des", *WELFARE_GROUPS),
    summary=lambda job: {"positions": job.positions, "address": job.address},
    keyword_numbers=("salary",),
    suggested="positions",
    highlighted=("positions", *WELFARE_GROUPS, "description", "address", *AREA_DES),
    item=JobItem,
    listed=ListedJob,
    mine=MyPosting,
    favorite=FavoriteItem,
))
