"""Content security for what users publish: a job's texts and a profile name, checked before they are
stored. Risky: refused, naming the field. Review: stored and flagged for an operator. No verdict (WeChat
slow, down or rate-limited): stored, and checked again in the background; a job is never lost to that."""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from models.job import CONTENT_PENDING, CONTENT_REVIEW, MODERATION_HIDDEN, STATUS_CLOSED, STATUS_OPEN, Job
from models.job_writes import save_job
from models.user import User
from runtime import clock
from runtime.periodic import PeriodicTask
from server.providers.content_check import (
    SCENE_FORUM,
    SCENE_PROFILE,
    ContentChecker,
    ContentCheckUnavailable,
    Verdict,
)
from server.services import image_checks
from server.services.errors import ContentRefused
from server.services.moderation import SYSTEM, audit

log = logging.getLogger("server.content")

# The texts of a job that are published: what the listing and the detail show.
JOB_TEXTS = ("positions", "description", "address", "contact_person_name")


async def _verdict(checker: ContentChecker, openid: str, texts: dict[str, str], scene: int) -> str:
    """"" (publishable), CONTENT_REVIEW, or CONTENT_PENDING (no verdict yet); ContentRefused for a risky one."""
    outcome = ""
    for field, text in texts.items():
        if not text:
            continue
        try:
            verdict = await checker.check_text(text, openid, scene)
        except ContentCheckUnavailable as exc:
            log.warning("content check unavailable (errcode %s): stored, checked again later", exc.errcode)
            return CONTENT_PENDING
        if verdict == Verdict.RISKY:
            raise ContentRefused(f"{field} was refused by content security: change it and try again",
                                 {"field": field})
        if verdict == Verdict.REVIEW:
            outcome = CONTENT_REVIEW
    return outcome


async def check_job(checker: ContentChecker, openid: str, job_texts: dict[str, str]) -> str:
    """The verdict for a job's texts as they will be stored (all of them, so an edit cannot keep a flag
    or lose one): what its `content_check` becomes."""
    return await _verdict(checker, openid, {f: job_texts.get(f) or "" for f in JOB_TEXTS}, SCENE_FORUM)


async def check_profile_name(checker: ContentChecker, openid: str, name: str) -> None:
    """A risky name is refused; anything else is stored (a name is short and shown only with a job)."""
    await _verdict(checker, openid, {"name": name}, SCENE_PROFILE)


async def recheck_pending(checker: ContentChecker, limit: int = 50) -> dict[str, int]:
    """One round of the background check: jobs stored while WeChat gave no verdict. A risky one leaves
    the listing (hidden, as after reports, until an operator decides) and the decision is audited."""
    counts: dict[str, int] = {}
    for job in await Job.filter(content_check=CONTENT_PENDING).order_by("update_at", "id").limit(limit):
        owner = await User.get_or_none(id=job.user_id)
        try:
            outcome = await check_job(checker, owner.openid if owner else "", {f: getattr(job, f) for f in JOB_TEXTS})
        except ContentRefused as refused:
            outcome = "risky"
            await _hide_risky(job.id, refused.data["field"])
        else:
            if outcome == CONTENT_PENDING:
                raise ContentCheckUnavailable()  # still no verdict: the next round tries them again
            await _record(job.id, outcome)
        counts[outcome or "pass"] = counts.get(outcome or "pass", 0) + 1
    return counts


async def _record(job_id: int, outcome: str) -> None:
    now = clock.now()
    async with in_transaction():
        job = await Job.select_for_update().get(id=job_id)
        if job.content_check != CONTENT_PENDING:
            return  # edited meanwhile: that edit's own check stands
        job.content_check = outcome
        await save_job(job, "content", now, ["content_check"])


async def _hide_risky(job_id: int, field: str) -> None:
    now = clock.now()
    async with in_transaction():
        job = await Job.select_for_update().get(id=job_id)
        if job.content_check != CONTENT_PENDING:
            return
        job.content_check = "risky"
        changed = ["content_check"]
        if job.status == STATUS_OPEN and not job.moderation:
            job.status, job.moderation = STATUS_CLOSED, MODERATION_HIDDEN
            changed += ["status", "moderation"]
        await save_job(job, "content", now, changed)
        await audit(SYSTEM, "hide", "job", job_id, f"content check: {field} is risky", now)
    log.warning("job %s hidden: content check found %s risky", job_id, field)


class ContentRechecker(PeriodicTask):
    log = log
    what = "content recheck"

    def __init__(self, checker: ContentChecker, interval: float):
        super().__init__(interval)
        self._checker = checker

    async def round(self) -> None:
        await image_checks.submit_unsent(self._checker)
        outcomes = await recheck_pending(self._checker)
        if outcomes:
            self.log.info("pending content checks done: %s", outcomes)
