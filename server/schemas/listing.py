"""The body of `POST /jobs/list`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from search.listing import RESULT_WINDOW
from server.schemas.fields import Body, Latitude, Longitude
from server.schemas.jobs import PageBody, TagList


def _blank_is_none(value):
    return None if value == "" else value


class ListFilter(Body):
    positions: Annotated[str | None, BeforeValidator(_blank_is_none),
                         StringConstraints(strip_whitespace=True, max_length=20)] = None
    salary_min: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    salary_max: Annotated[int, Field(ge=-1, le=10_000_000)] | None = None  # -1: unbounded
    basic_protection: TagList = []
    salary_benefits: TagList = []
    attendance_leave: TagList = []
    longitude: Longitude | None = None
    latitude: Latitude | None = None
    distance_km: Annotated[float, Field(gt=0, le=1000)] | None = None

    @model_validator(mode="after")
    def _salary_order(self):
        if (self.salary_min is not None and self.salary_max not in (None, -1)
                and self.salary_min > self.salary_max):
            raise ValueError("salary_min must not exceed salary_max (-1 means no maximum)")
        return self


class ListBody(PageBody):
    request_id: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v),
                          StringConstraints(max_length=64)] | None = None
    query_type: Literal[1, 2, 3] = 1
    filter: ListFilter = ListFilter()

    @model_validator(mode="after")
    def _nearby_needs_a_place(self):
        if self.query_type == 2 and (self.filter.longitude is None or self.filter.latitude is None):
            raise ValueError("filter.longitude and filter.latitude are required for query_type 2 (nearby)")
        if self.page_num * self.page_size > RESULT_WINDOW:
            raise ValueError(f"page too deep: page_num * page_size may be at most {RESULT_WINDOW}")
        return self
