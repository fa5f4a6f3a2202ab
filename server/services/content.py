"""Content security for what users publish: a posting's texts (each section names them: `Section.texts`) and
a profile name, checked before they are stored. Risky: refused, naming the field. Review: stored and flagged
for an operator. No verdict (WeChat slow, down or rate-limited): stored, and checked again in the
background; a posting is never lost to that."""

from __future__ import annotations

import logging

from models.postings import CONTENT_PENDING, CONTENT_REVIEW, MODERATION_HIDDEN, STATUS_OPEN
from models.posting_writes import posting_transaction, save_posting
from models.user import User
from runtime import clock
from runtime.periodic import PeriodicTask
from sections import Section, all_sections
from server.providers.content_check import (
    SCENE_FORUM,
    SCENE_PROFILE,
    ContentChecker,
    ContentCheckUnavailable,
    Verdict,
)
from server.services import image_checks
from server.services.errors import ContentRefused
from server.services.moderation import SYSTEM, close_locked

log = logging.getLogger("server.content")

def _as_text(value) -> str:
    if isinstance(value, list):
        return "，".join(str(item) for item in value)
    return value or ""


async def _verdict(checker: ContentChecker, openid: str, texts: dict[str, str], scene: int,
                   strict: bool = False) -> str:
    """"" (publishable), CONTENT_REVIEW, or CONTENT_PENDING (no verdict yet; `strict`: the
    ContentCheckUnavailable itself); ContentRefused for a risky one."""
    outcome = ""
    for field, text in texts.items():
        if not text:
            continue
        try:
            verdict = await checker.check_text(text, openid, scene)
        except ContentCheckUnavailable as exc:
            if strict:
                raise
            log.warning("content check unavailable (errcode %s): stored, checked again later", exc.errcode)
            return CONTENT_PENDING
        if verdict == Verdict.RISKY:
            raise ContentRefused(f"{field} was refused by content security: change it and try again",
                                 {"field": field})
        if verdict == Verdict.REVIEW:
            outcome = CONTENT_REVIEW
    return outcome


async def check_posting(section: Section, checker: ContentChecker, openid: str, posting_texts: dict,
                        strict: bool = False) -> str:
    """The verdict for a posting's texts as they will be stored (all of them, so an edit cannot keep a flag
    or lose one): what its `content_check` becomes. One call for them all; only a risky whole is checked
    field by field, to name the field."""
    texts = {f: _as_text(posting_texts.get(f)) for f in section.texts}
    try:
        return await _verdict(checker, openid, {section.target: "\n".join(t for t in texts.values() if t)},
                              SCENE_FORUM, strict)
    except ContentRefused:
        await _verdict(checker, openid, texts, SCENE_FORUM, strict)  # raises naming the risky field
        raise


async def check_profile_name(checker: ContentChecker, openid: str, name: str) -> None:
    """A risky name is refused; anything else is stored (a name is short and shown only with a job)."""
    await _verdict(checker, openid, {"name": name}, SCENE_PROFILE)


async def recheck_pending(section: Section, checker: ContentChecker, limit: int = 50,
                          after_id: int = 0) -> tuple[dict[str, int], int]:
    """One round of the background check of a section: postings stored while WeChat gave no verdict, after
    `after_id`. A risky one leaves the listing (hidden, as after reports, until an operator decides) and
    the decision is audited. Returns the outcomes and the id the next round starts after."""
    counts: dict[str, int] = {}
    model = section.model
    jobs = await model.filter(content_check=CONTENT_PENDING, id__gt=after_id).order_by("id").limit(limit)
    for job in jobs:
        owner = await User.get_or_none(id=job.user_id)
        texts = {f: getattr(job, f) for f in section.texts}
        try:
            outcome = await check_posting(section, checker, owner.openid if owner else "", texts, strict=True)
        except ContentRefused as refused:
            outcome = "risky"
            await _hide_risky(model, job.id, refused.data["field"])
        except ContentCheckUnavailable as exc:
            if exc.errcode is None or exc.retry_after:
                raise  # WeChat unreachable or rate-limited: the next round tries them all again
            # WeChat refuses this one (e.g. its owner's openid is too old for it): the next round goes on
            # after it (the cursor), so it never holds up the others.
            outcome = "still pending"
        else:
            await _record(model, job.id, outcome)
        counts[outcome or "pass"] = counts.get(outcome or "pass", 0) + 1
    # Where the next round goes on: after this batch, or from the start once the end was reached.
    return counts, jobs[-1].id if len(jobs) == limit else 0



async def _record(model, job_id: int, outcome: str) -> None:
    now = clock.now()
    async with posting_transaction():
        job = await model.select_for_update().get(id=job_id)
        if job.content_check != CONTENT_PENDING:
            return  # edited meanwhile: that edit's own check stands
        job.content_check = outcome
        await save_posting(job, "content", now, ["content_check"])


async def _hide_risky(model, job_id: int, field: str) -> None:
    now = clock.now()
    async with posting_transaction():
        job = await model.select_for_update().get(id=job_id)
        if job.content_check != CONTENT_PENDING:
            return
        job.content_check = "risky"
        if job.status == STATUS_OPEN and not job.moderation:
            await close_locked(job, MODERATION_HIDDEN, SYSTEM, "hide", f"content check: {field} is risky", now,
                               also=("content_check",))
        else:  # already out of the listing: the finding is recorded, the operator's state left alone
            await save_posting(job, "content", now, ["content_check"])


class ContentRechecker(PeriodicTask):
    log = log
    what = "content recheck"

    def __init__(self, checker: ContentChecker, interval: float):
        super().__init__(interval)
        self._checker = checker
        self._cursors: dict[str, int] = {}  # per section: where its next round goes on

    async def round(self) -> None:
        try:  # images first, but a failure there must not keep the texts waiting
            await image_checks.submit_unsent(self._checker)
        except ContentCheckUnavailable:
            log.warning("media check unavailable: unsent images wait for the next round")
        for section in all_sections():
            outcomes, self._cursors[section.name] = await recheck_pending(
                section, self._checker, after_id=self._cursors.get(section.name, 0))
            if outcomes:
                self.log.info("pending content checks of %s done: %s", section.name, outcomes)
