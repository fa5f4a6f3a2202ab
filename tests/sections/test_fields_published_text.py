"""One rule for published text: no field of any body takes invisible format characters (Unicode Cf: zero-width
spaces, bidi controls, the BOM...), except the search keyword, which loses them before anything else."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from indexer.sync import drain
from models.job import Job
from sections.fields import drop_format_characters
from sections.jobs.bodies import JobListBody
from tests.helpers.api import login_as
from tests.helpers.postings import SEED_JOB, post_job, try_post
from tests.sections.test_fields import probe_every_field

# Fields where a format character is dropped, not refused: the search box's keyword.
DROPPED = {"filter.keyword"}


@pytest.mark.parametrize("bad", ["138\u200b0013\u200b8000", "\u202e王小明", "\u2066x\u2069", "\ufeffa", "a\u00adb",
                                 "\U000e0041tag", "厨\u3164师", "王\u2800", "a\u2028b"])
async def test_format_characters_are_refused_in_every_field_of_every_body(client, app, bad):
    async for path, body, field, response in probe_every_field(client, app, bad):
        reason = response.json()["data"].get(field, "") if response.status_code == 400 else ""
        if field in DROPPED:
            assert "format characters" not in reason, (path, body, response.json())
        else:
            assert "invisible format characters" in reason, (path, body, response.json())


def test_every_format_character_is_dropped_from_a_keyword():
    every_cf = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    assert len(every_cf) > 150
    body = JobListBody.model_validate({"filter": {"keyword": f"厨{every_cf}师"}})
    assert body.filter.keyword == "厨师"
    assert drop_format_characters(every_cf) == ""
    # Only format characters: no keyword at all (the unfiltered list), not an error.
    assert JobListBody.model_validate({"filter": {"keyword": "\u200b\u200b"}}).filter.keyword is None


async def test_a_keyword_split_by_zero_width_spaces_is_the_plain_word(client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner, SEED_JOB, positions="厨师长")
    await drain(app.ctx.search.client)
    response = await client.post("/jobs/list", json={"query_type": 3, "filter": {"keyword": "厨\u200b师\u2060长"}})
    assert response.status_code == 200, response.text
    assert [job["id"] for job in response.json()["data"]["jobs"]] == [job_id]


async def test_an_emoji_keeps_its_joiner(client):
    owner = await login_as(client, "owner")
    chef = "\U0001f468\u200d\U0001f373"  # 👨‍🍳: man, zero-width joiner, cooking
    job_id = await post_job(client, owner, SEED_JOB, description=f"招厨师{chef}，包吃住")
    assert (await Job.get(id=job_id)).description == f"招厨师{chef}，包吃住"
    lone = await try_post(client, owner, "jobs", description="13800\u200d138000")
    assert lone.status_code == 400 and "description" in lone.json()["data"]
