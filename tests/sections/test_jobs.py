"""The 招聘 section's declaration holds together: its document, its mapping and its items name the same fields
(the listing's hot mapper builds items from documents, not from the response models, so this keeps them in step)."""

from __future__ import annotations

from datetime import datetime

from sections.jobs import JOBS
from server.services import posting_shapes
from tests.helpers.postings import sample_job


def test_the_detail_and_listing_items_carry_exactly_the_documented_fields():
    item = posting_shapes.detail(JOBS, sample_job(), datetime(2026, 1, 15, 23, 0))
    # contact_unlocked is added by the masking that follows (services/contacts.py).
    assert set(item) | {"contact_unlocked"} == set(JOBS.item.model_fields)
    assert set(JOBS.listed.model_fields) == set(JOBS.item.model_fields) | {"distance", "highlight"}


def test_my_postings_and_favourite_items_are_built_from_their_models(app):  # the ORM set up: naive times
    job, now = sample_job(), datetime(2026, 1, 15, 23, 0)
    mine = posting_shapes.my_posting(JOBS, job, now)
    assert list(mine) == list(JOBS.mine.model_fields)
    assert JOBS.mine.model_validate(mine).purpose_user_name == job.contact_person_name
    saved = posting_shapes.favorite(JOBS, job, now, collector_id=1, now=now)
    assert JOBS.favorite.model_validate(saved).job_id == job.id and not saved["unavailable"]
    job.moderation = "taken_down"
    withheld = JOBS.favorite.model_validate(posting_shapes.favorite(JOBS, job, now, collector_id=1, now=now))
    assert withheld.unavailable and withheld.positions == "" and withheld.salary_max == 0


def test_the_published_texts_are_fields_of_the_model():
    assert set(JOBS.texts) <= set(JOBS.model._meta.fields_map)
