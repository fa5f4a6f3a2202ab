"""Trust and safety: users report jobs; enough reporters hide a job until an operator decides; operators
take jobs down, restore them, ban and unban users. Every action is audited in its own transaction, and
every job change goes through the one job-write function (so the listing follows within a second)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

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


@dataclass(frozen=True)
class ReportRules:
    """Which reports count toward the automatic hide, and how many distinct reporters it takes.

    A report counts when it could be genuine: made while the job was listed (open, not hidden or taken
    down), by an account that existed while it was listed and was at least `min_account_age` old at the
    report (three accounts made a minute ago cannot hide a competitor's job), with a phone when
    `requires_phone`. Detail views are not recorded (a write on the hottest read), so having opened the
    job is not asked. Reports that do not count are kept for the operator all the same."""

    hide_threshold: int = 3
    min_account_age: timedelta = timedelta(hours=24)
    requires_phone: bool = True

    @classmethod
    def from_settings(cls, settings) -> ReportRules:
        return cls(settings.report_hide_threshold, timedelta(hours=settings.report_min_account_age_hours),
                   settings.report_requires_phone)

    def counts(self, report: JobReport, reporter: User | None) -> bool:
        return (reporter is not None and reporter.banned_at is None
                and reporter.create_at <= report.create_at - self.min_account_age
                and (bool(reporter.phone) or not self.requires_phone))


async def _undecided_reports(job_id: int) -> tuple[list[JobReport], ModerationAction | None]:
    """The job's reports since an operator last decided on it (a restore), and the automatic flag raised
    since, if any: reports already decided on no longer count."""
    actions = ModerationAction.filter(target_type="job", target_id=job_id)
    decided = await actions.filter(action="restore").order_by("-id").first()
    since = {"create_at__gt": decided.create_at} if decided else {}
    flag = await actions.filter(action="flag", **({"id__gt": decided.id} if decided else {})).first()
    return await JobReport.filter(job_id=job_id, **since).order_by("id"), flag


async def _counting(reports: list[JobReport], rules: ReportRules) -> int:
    reporters = {user.id: user for user in await User.filter(id__in=[r.user_id for r in reports])}
    return sum(rules.counts(r, reporters.get(r.user_id)) for r in reports)


async def report(user_id: int, job_id: int, reason: str, text: str, rules: ReportRules) -> None:
    """One report per user and job, always recorded. When `rules.hide_threshold` counting reporters since
    an operator's last decision have reported a listed job, it is hidden until an operator decides; one
    with a running paid top stays listed and is flagged for the operator instead (the owner paid for its
    place: an operator, not reports alone, takes it away). A report of a job that is not listed (closed,
    hidden, taken down) never changes it."""
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
    async with job_transaction():
        job = await Job.select_for_update().get(id=job_id)  # against a concurrent takedown or restore
        if job.status != STATUS_OPEN or job.moderation:
            return  # not listed: nothing to hide, and an operator's takedown stays a takedown
        reports, flag = await _undecided_reports(job_id)
        counting = await _counting(reports, rules)
        if counting < rules.hide_threshold:
            return
        if job.top_end_time is not None and now < job.top_end_time:
            if flag is None:
                await audit(SYSTEM, "flag", "job", job_id,
                            f"reported by {counting} users; paid top until {clock.fmt(job.top_end_time)}", now)
                log.warning("job %s flagged for an operator: reported, with a running paid top", job_id)
            return
        await close_locked(job, MODERATION_HIDDEN, SYSTEM, "hide", f"reported by {counting} users", now)


async def close_locked(job: Job, moderation: str, actor: str, action: str, reason: str, now: datetime,
                       also: tuple[str, ...] = ()) -> None:
    """Close a job for moderation (hidden or taken down), write it and audit it, in the caller's
    transaction, which holds the job's row lock. `also`: other fields the caller set on it."""
    job.status, job.moderation = STATUS_CLOSED, moderation
    await save_job(job, action, now, ["status", "moderation", *also])
    await audit(actor, action, "job", job.id, reason, now)
    log.warning("job %s %s by %s", job.id, action, actor)


async def _close(job_id: int, moderation: str, actor: str, action: str, reason: str, now: datetime) -> Job:
    async with job_transaction():
        job = await Job.select_for_update().get_or_none(id=job_id)
        if job is None:
            raise JobNotFound()
        await close_locked(job, moderation, actor, action, reason, now)
    return job


async def take_down(job_id: int, actor: str, reason: str) -> Job:
    """Closed for good: out of the listing, and not editable by its owner (closed jobs are not)."""
    return await _close(job_id, MODERATION_TAKEN_DOWN, actor, "takedown", reason, clock.now())


async def restore(job_id: int, actor: str, reason: str) -> Job:
    """An operator's decision for a hidden or taken-down job: open and listed again. For a job flagged
    (reported while on paid top, still listed), the decision that the reports so far are unfounded."""
    now = clock.now()
    async with job_transaction():
        job = await Job.select_for_update().get_or_none(id=job_id)
        if job is None:
            raise JobNotFound()
        if not job.moderation:
            if (await _undecided_reports(job_id))[1] is None:
                raise NothingToRestore(f"job {job_id} was not hidden, taken down or flagged")
            await audit(actor, "restore", "job", job_id, reason, now)
            return job
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


async def reported_jobs(limit: int, rules: ReportRules) -> list[dict]:
    """Jobs with reports, the most recently reported first: how many users (`counting`: those since the
    last decision that count toward the hide), their reasons, the state (`flagged`: listed on paid top,
    reported enough to hide, waiting for an operator)."""
    rows = await (JobReport.annotate(reporters=Count("id"), latest=Max("create_at")).group_by("job_id")
                  .order_by("-latest").limit(limit).values("job_id", "reporters", "latest"))
    jobs = {job.id: job for job in await Job.filter(id__in=[row["job_id"] for row in rows])}
    reasons: dict[int, list[str]] = {}
    for report_row in await JobReport.filter(job_id__in=list(jobs)).order_by("id").values("job_id", "reason"):
        reasons.setdefault(report_row["job_id"], []).append(report_row["reason"])
    summary = []
    for row in rows:
        job = jobs.get(row["job_id"])
        undecided, flag = await _undecided_reports(row["job_id"])
        state = _state(job)
        summary.append({"job_id": row["job_id"], "reporters": row["reporters"],
                        "counting": await _counting(undecided, rules), "latest": clock.fmt(row["latest"]),
                        "reasons": sorted(set(reasons.get(row["job_id"], []))),
                        "positions": job.positions if job else "", "owner": job.user_id if job else None,
                        "state": "flagged" if flag is not None and state == "open" else state})
    return summary


def _state(job: Job | None) -> str:
    if job is None:
        return "missing"
    return job.moderation or ("open" if job.status == STATUS_OPEN else "closed")


async def moderation_reasons(jobs: list[Job]) -> dict[int, str]:
    """Why each hidden or taken-down job among `jobs` is so, as its owner sees it: the latest hide or
    takedown's reason."""
    moderated = [job.id for job in jobs if job.moderation]
    if not moderated:
        return {}
    actions = await ModerationAction.filter(target_type="job", target_id__in=moderated,
                                            action__in=["hide", "takedown"]).order_by("id")
    return {action.target_id: action.reason for action in actions}


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
