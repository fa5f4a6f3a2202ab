"""Trust and safety: users report jobs; enough reporters hide a job until an operator decides; operators
take jobs down, restore them, ban and unban users. Every action is audited in its own transaction, and
every job change goes through the one job-write function (so the listing follows within a second)."""

from __future__ import annotations

import logging
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Max
from tortoise.transactions import in_transaction

from models.job import (
    CONTENT_PENDING,
    CONTENT_REVIEW,
    MODERATION_HIDDEN,
    MODERATION_TAKEN_DOWN,
    STATUS_CLOSED,
    STATUS_OPEN,
    Job,
)
from models.job_writes import job_transaction, save_job
from models.moderation import JobReport, ModerationAction
from models.user import User
from runtime import clock
from server.services.auth import TokenStore
from server.services.errors import (
    AlreadyReported,
    CannotReportOwnJob,
    JobNotFound,
    NothingToRestore,
    UserNotFound,
)

log = logging.getLogger("server.moderation")
SYSTEM = "system"


async def audit(actor: str, action: str, target_type: str, target_id: int, reason: str, now: datetime) -> None:
    await ModerationAction.create(actor=actor, action=action, target_type=target_type, target_id=target_id,
                                  reason=reason[:500], create_at=now)


async def report(user_id: int, job_id: int, reason: str, text: str, hide_threshold: int) -> None:
    """One report per user and job; the `hide_threshold`-th distinct reporter since an operator's last
    decision hides an open job."""
    job = await Job.get_or_none(id=job_id)
    if job is None:
        raise JobNotFound()
    if job.user_id == user_id:
        raise CannotReportOwnJob()
    now = clock.now()
    try:
        await JobReport.create(job_id=job_id, user_id=user_id, reason=reason, text=text, create_at=now)
    except IntegrityError:
        raise AlreadyReported() from None
    # Reports an operator has already decided on (by restoring the job) no longer count.
    decided = await ModerationAction.filter(target_type="job", target_id=job_id, action="restore").order_by(
        "-id").first()
    recent = JobReport.filter(job_id=job_id)
    reporters = await (recent.filter(create_at__gt=decided.create_at) if decided else recent).count()
    if reporters >= hide_threshold:
        await _close(job_id, MODERATION_HIDDEN, SYSTEM, "hide", f"reported by {reporters} users", now,
                     only_open=True)


async def close_locked(job: Job, moderation: str, actor: str, action: str, reason: str, now: datetime,
                       also: tuple[str, ...] = ()) -> None:
    """Close a job for moderation (hidden or taken down), write it and audit it, in the caller's
    transaction, which holds the job's row lock. `also`: other fields the caller set on it."""
    job.status, job.moderation = STATUS_CLOSED, moderation
    await save_job(job, action, now, ["status", "moderation", *also])
    await audit(actor, action, "job", job.id, reason, now)
    log.warning("job %s %s by %s", job.id, action, actor)


async def _close(job_id: int, moderation: str, actor: str, action: str, reason: str, now: datetime,
                 only_open: bool = False) -> Job:
    async with job_transaction():
        job = await Job.select_for_update().get_or_none(id=job_id)
        if job is None:
            raise JobNotFound()
        if only_open and (job.status != STATUS_OPEN or job.moderation):
            return job  # already closed, hidden or taken down: nothing to hide
        await close_locked(job, moderation, actor, action, reason, now)
    return job


async def take_down(job_id: int, actor: str, reason: str) -> Job:
    """Closed for good: out of the listing, and not editable by its owner (closed jobs are not)."""
    return await _close(job_id, MODERATION_TAKEN_DOWN, actor, "takedown", reason, clock.now())


async def restore(job_id: int, actor: str, reason: str) -> Job:
    """An operator's decision for a hidden or taken-down job: open and listed again."""
    now = clock.now()
    async with job_transaction():
        job = await Job.select_for_update().get_or_none(id=job_id)
        if job is None:
            raise JobNotFound()
        if not job.moderation:
            raise NothingToRestore(f"job {job_id} was not hidden or taken down")
        if await User.filter(id=job.user_id, banned_at__not_isnull=True).exists():
            raise NothingToRestore(f"the owner of job {job_id} is banned: unban them first")
        # The operator's decision covers what content security found, too.
        job.status, job.moderation = STATUS_OPEN, ""
        job.content_check = "" if job.content_check == "risky" else job.content_check
        await save_job(job, "restore", now, ["status", "moderation", "content_check"])
        await audit(actor, "restore", "job", job_id, reason, now)
    return job


async def ban(user_id: int, actor: str, reason: str, tokens: TokenStore) -> list[int]:
    """The user can no longer log in (their tokens revoked), so neither post nor pay; their open jobs are
    taken down. Returns the ids of those jobs."""
    now = clock.now()
    async with job_transaction():
        user = await User.select_for_update().get_or_none(id=user_id)
        if user is None:
            raise UserNotFound()
        user.banned_at, user.update_at = now, now
        await user.save(update_fields=["banned_at", "update_at"])
        await audit(actor, "ban", "user", user_id, reason, now)
        # Open ones, and those only hidden by reports (an operator's restore must not re-list them).
        open_jobs = [job for job in await Job.select_for_update().filter(user_id=user_id)
                     if job.status == STATUS_OPEN or job.moderation == MODERATION_HIDDEN]
        for job in open_jobs:
            await close_locked(job, MODERATION_TAKEN_DOWN, actor, "takedown", f"owner banned: {reason}", now)
    # After the commit: a login attempted meanwhile is refused by banned_at; the tokens go now, and any
    # issued in the same instant are refused by the marker (if Redis fails here, the command fails: run
    # it again, the ban itself is already recorded).
    await tokens.ban(user_id)
    log.warning("user %s banned by %s", user_id, actor)
    return [job.id for job in open_jobs]


async def unban(user_id: int, actor: str, reason: str, tokens: TokenStore) -> None:
    """The user may log in again; their taken-down jobs stay down (restore them one by one)."""
    now = clock.now()
    async with in_transaction():
        if not await User.filter(id=user_id).update(banned_at=None, update_at=now):
            raise UserNotFound()
        await audit(actor, "unban", "user", user_id, reason, now)
    await tokens.unban(user_id)


async def reported_jobs(limit: int) -> list[dict]:
    """Jobs with reports, the most recently reported first: how many users, their reasons, the state."""
    rows = await (JobReport.annotate(reporters=Count("id"), latest=Max("create_at")).group_by("job_id")
                  .order_by("-latest").limit(limit).values("job_id", "reporters", "latest"))
    jobs = {job.id: job for job in await Job.filter(id__in=[row["job_id"] for row in rows])}
    reasons: dict[int, list[str]] = {}
    for report_row in await JobReport.filter(job_id__in=list(jobs)).order_by("id").values("job_id", "reason"):
        reasons.setdefault(report_row["job_id"], []).append(report_row["reason"])
    return [{"job_id": row["job_id"], "reporters": row["reporters"], "latest": clock.fmt(row["latest"]),
             "reasons": sorted(set(reasons.get(row["job_id"], []))),
             "positions": jobs[row["job_id"]].positions if row["job_id"] in jobs else "",
             "owner": jobs[row["job_id"]].user_id if row["job_id"] in jobs else None,
             "state": _state(jobs.get(row["job_id"]))} for row in rows]


def _state(job: Job | None) -> str:
    if job is None:
        return "missing"
    return job.moderation or ("open" if job.status == STATUS_OPEN else "closed")


async def flagged_jobs(limit: int) -> list[dict]:
    """Jobs content security flagged (review), could not judge yet (pending) or found risky later, newest
    change first."""
    jobs = await Job.filter(content_check__in=[CONTENT_REVIEW, CONTENT_PENDING, "risky"]).order_by(
        "-update_at").limit(limit)
    return [{"job_id": job.id, "content_check": job.content_check, "positions": job.positions,
             "owner": job.user_id, "state": _state(job), "updated": clock.fmt(job.update_at)} for job in jobs]


async def audit_log(limit: int) -> list[dict]:
    return [{"at": clock.fmt(a.create_at), "actor": a.actor, "action": a.action,
             "target": f"{a.target_type} {a.target_id}", "reason": a.reason}
            for a in await ModerationAction.all().order_by("-id").limit(limit)]
