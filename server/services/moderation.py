"""Trust and safety, for the postings of every section: users report postings; enough reporters hide one until
an operator decides; operators take postings down, restore them, ban and unban users. Every action is audited
(target_type: the section's `target`, e.g. "job", or "user"), and every posting change goes through the one
posting-write function (so the listing follows within a second)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Max
from tortoise.transactions import in_transaction

from models.moderation import ModerationAction, Report
from models.posting_writes import posting_transaction, save_posting
from models.postings import (
    CONTENT_PENDING,
    CONTENT_REVIEW,
    MODERATION_HIDDEN,
    MODERATION_TAKEN_DOWN,
    STATUS_CLOSED,
    STATUS_OPEN,
)
from models.user import User
from runtime import clock
from sections import Section, all_sections, by_biz_type
from server.services import messages, posting_shapes, refunds
from server.services.auth import TokenStore
from server.services.errors import (
    AlreadyReported,
    CannotReportOwnPosting,
    NothingToRestore,
    OneOpenPosting,
    PostingCapReached,
    PostingNotFound,
    UserNotFound,
)
from server.services.posting_caps import PostingCaps, within_open_cap

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

    def counts(self, report: Report, reporter: User | None) -> bool:
        return self.trusted(reporter, report.create_at)

    def trusted(self, user: User | None, at: datetime) -> bool:
        """Could `user` have reported at `at`: not banned, old enough then, with a phone when required. What
        such an account does may change what everyone sees (a hide, 热门搜索)."""
        return (user is not None and user.banned_at is None and user.create_at <= at - self.min_account_age
                and (bool(user.phone) or not self.requires_phone))


async def _undecided_reports(section: Section, job_id: int) -> tuple[list[Report], ModerationAction | None]:
    """The posting's reports since an operator last decided on it (a restore), and the automatic flag raised
    since, if any: reports already decided on no longer count."""
    actions = ModerationAction.filter(target_type=section.target, target_id=job_id)
    decided = await actions.filter(action="restore").order_by("-id").first()
    since = {"create_at__gt": decided.create_at} if decided else {}
    flag = await actions.filter(action="flag", **({"id__gt": decided.id} if decided else {})).first()
    return await Report.filter(biz_type=section.biz_type, posting_id=job_id, **since).order_by("id"), flag


async def _counting(reports: list[Report], rules: ReportRules) -> int:
    reporters = {user.id: user for user in await User.filter(id__in=[r.user_id for r in reports])}
    return sum(rules.counts(r, reporters.get(r.user_id)) for r in reports)


async def report(section: Section, user_id: int, job_id: int, reason: str, text: str, rules: ReportRules) -> None:
    """One report per user and job, always recorded. When `rules.hide_threshold` counting reporters since
    an operator's last decision have reported a listed job, it is hidden until an operator decides; one
    with a running paid top stays listed and is flagged for the operator instead (the owner paid for its
    place: an operator, not reports alone, takes it away). A report of a job that is not listed (closed,
    hidden, taken down) never changes it."""
    job = await section.model.get_or_none(id=job_id)
    if job is None or posting_shapes.private_to_others(section, job, user_id):
        raise PostingNotFound(section.target)
    if job.user_id == user_id:
        raise CannotReportOwnPosting(section.target)
    now = clock.now()
    try:
        await Report.create(biz_type=section.biz_type, posting_id=job_id, user_id=user_id, reason=reason, text=text,
                            create_at=now)
    except IntegrityError:
        raise AlreadyReported(section.target) from None
    async with posting_transaction():
        job = await section.model.select_for_update().get(id=job_id)  # against a concurrent takedown or restore
        if job.status != STATUS_OPEN or job.moderation:
            return  # not listed: nothing to hide, and an operator's takedown stays a takedown
        reports, flag = await _undecided_reports(section, job_id)
        counting = await _counting(reports, rules)
        if counting < rules.hide_threshold:
            return
        if job.top_end_time is not None and now < job.top_end_time:
            if flag is None:
                await audit(SYSTEM, "flag", section.target, job_id,
                            f"reported by {counting} users; paid top until {clock.fmt(job.top_end_time)}", now)
                log.warning("%s %s flagged for an operator: reported, with a running paid top", section.target,
                            job_id)
            return
        await close_locked(job, MODERATION_HIDDEN, SYSTEM, "hide", f"reported by {counting} users", now)


async def close_locked(job, moderation: str, actor: str, action: str, reason: str, now: datetime,
                       also: tuple[str, ...] = (), top_refund: str = refunds.NONE) -> None:
    """Close a job for moderation (hidden or taken down), write it and audit it, in the caller's
    transaction, which holds the job's row lock. `also`: other fields the caller set on it. A takedown with
    `top_refund` prorata records the refund of its running top's unused hours in the same transaction."""
    if moderation == MODERATION_TAKEN_DOWN and top_refund == refunds.PRORATA:
        if await refunds.refund_unused_top(job, actor, reason, now):
            also = (*also, "top_end_time")
    job.status, job.moderation = STATUS_CLOSED, moderation
    await save_posting(job, action, now, ["status", "moderation", *also])
    section = by_biz_type(job.biz_type)
    await audit(actor, action, section.target, job.id, reason, now)
    # The owner is told why (the reason moderation_reasons shows them); an operator's takedown decides the
    # reports made since the last decision, and their reporters are told.
    await messages.moderated(job, action, reason, now)
    if action == "takedown":
        await messages.reports_decided(job, (await _undecided_reports(section, job.id))[0], action, now)
    log.warning("%s %s %s by %s", section.target, job.id, action, actor)


async def _close(section: Section, job_id: int, moderation: str, actor: str, action: str, reason: str,
                 now: datetime, top_refund: str):
    async with posting_transaction():
        job = await section.model.select_for_update().get_or_none(id=job_id)
        if job is None:
            raise PostingNotFound(section.target)
        await close_locked(job, moderation, actor, action, reason, now, top_refund=top_refund)
    return job


async def take_down(section: Section, job_id: int, actor: str, reason: str, top_refund: str = refunds.PRORATA):
    """Closed for good: out of the listing, and not editable by its owner (closed postings are not). Its
    running top's unused hours are refunded when `top_refund` (REFUND_TOP_ON_TAKEDOWN) is prorata."""
    return await _close(section, job_id, MODERATION_TAKEN_DOWN, actor, "takedown", reason, clock.now(), top_refund)


async def restore(section: Section, job_id: int, actor: str, reason: str, caps: PostingCaps = PostingCaps()):
    """An operator's decision for a hidden or taken-down posting: open and listed again, unless its owner
    has as many open postings as the caps allow (a restore is no way around them). For one flagged
    (reported while on paid top, still listed), the decision that the reports so far are unfounded."""
    now = clock.now()
    target = section.target
    async with posting_transaction():
        job = await section.model.get_or_none(id=job_id)
        if job is None:
            raise PostingNotFound(target)
        # The owner's row first, as a create and a ban take it: a restore and a create of one section with
        # one open posting per user cannot both pass.
        await User.select_for_update().get(id=job.user_id)
        job = await section.model.select_for_update().get(id=job_id)
        reports, flag = await _undecided_reports(section, job_id)  # decided by this restore
        if not job.moderation:
            if flag is None:
                raise NothingToRestore(f"{target} {job_id} was not hidden, taken down or flagged")
            await audit(actor, "restore", target, job_id, reason, now)
            await messages.reports_decided(job, reports, "restore", now)
            return job
        if await User.filter(id=job.user_id, banned_at__not_isnull=True).exists():
            raise NothingToRestore(f"the owner of {target} {job_id} is banned: unban them first")
        try:
            if job.status != STATUS_OPEN:  # a hidden one is still open, so already counted
                await within_open_cap(section, job.user_id, caps, reopening=job_id)
        except OneOpenPosting as exc:
            other = exc.data[f"{target}_id"]
            raise NothingToRestore(f"the owner of {target} {job_id} has another open {target} ({other}), and "
                                   f"one is all a user may have: it stays down unless they close that one") from None
        except PostingCapReached as exc:
            raise NothingToRestore(f"the owner of {target} {job_id} has {exc.data['limit']} open {section.name}, "
                                   f"the most one account may have: it stays down unless they close one") from None
        # The operator's decision covers what content security found, too.
        job.status, job.moderation = STATUS_OPEN, ""
        job.content_check = "" if job.content_check == "risky" else job.content_check
        await save_posting(job, "restore", now, ["status", "moderation", "content_check"])
        await audit(actor, "restore", target, job_id, reason, now)
        await messages.moderated(job, "restore", reason, now)
        await messages.reports_decided(job, reports, "restore", now)
    return job


async def ban(user_id: int, actor: str, reason: str, tokens: TokenStore,
              top_refund: str = refunds.PRORATA) -> list[tuple[str, int]]:
    """The user can no longer log in (their tokens revoked), so neither post nor pay; their open postings
    of every section are taken down (with `top_refund`, as `take_down`). Returns those postings, as
    (section target, id)."""
    now = clock.now()
    async with posting_transaction():
        user = await User.select_for_update().get_or_none(id=user_id)
        if user is None:
            raise UserNotFound()
        user.banned_at, user.update_at = now, now
        await user.save(update_fields=["banned_at", "update_at"])
        await audit(actor, "ban", "user", user_id, reason, now)
        # Every section's postings locked before any plain read: MySQL fixes what this transaction's plain
        # reads see at the first one, and a top's refund reads the orders and refunds of its posting (a later
        # section's top paid meanwhile would be missed, another order refunded in its place).
        mine = [(section, posting) for section in all_sections() for posting in await section.model
                .select_for_update().filter(user_id=user_id, biz_type=section.biz_type)]
        # Open ones, and those only hidden by reports (an operator's restore must not re-list them).
        taken_down = []
        for section, job in mine:
            if job.status == STATUS_OPEN or job.moderation == MODERATION_HIDDEN:
                await close_locked(job, MODERATION_TAKEN_DOWN, actor, "takedown", f"owner banned: {reason}", now,
                                   top_refund=top_refund)
                taken_down.append((section.target, job.id))
    # After the commit: a login attempted meanwhile is refused by banned_at; the tokens go now, and any
    # issued in the same instant are refused by the marker (if Redis fails here, the command fails: run
    # it again, the ban itself is already recorded).
    await tokens.ban(user_id)
    log.warning("user %s banned by %s", user_id, actor)
    return taken_down


async def unban(user_id: int, actor: str, reason: str, tokens: TokenStore) -> None:
    """The user may log in again; their taken-down jobs stay down (restore them one by one)."""
    now = clock.now()
    async with in_transaction():
        if not await User.filter(id=user_id).update(banned_at=None, update_at=now):
            raise UserNotFound()
        await audit(actor, "unban", "user", user_id, reason, now)
    await tokens.unban(user_id)


async def reported(section: Section, limit: int, rules: ReportRules) -> list[dict]:
    """The section's postings with reports, the most recently reported first: how many users (`counting`:
    those since the last decision that count toward the hide), their reasons, the state (`flagged`: listed
    on paid top, reported enough to hide, waiting for an operator)."""
    job_reports = Report.filter(biz_type=section.biz_type)
    rows = await (job_reports.annotate(reporters=Count("id"), latest=Max("create_at")).group_by("posting_id")
                  .order_by("-latest").limit(limit).values("posting_id", "reporters", "latest"))
    jobs = {job.id: job for job in await section.model.filter(id__in=[row["posting_id"] for row in rows])}
    reasons: dict[int, list[str]] = {}
    for report_row in await job_reports.filter(posting_id__in=[row["posting_id"] for row in rows]).order_by(
            "id").values("posting_id", "reason"):
        reasons.setdefault(report_row["posting_id"], []).append(report_row["reason"])
    summary = []
    for row in rows:
        job_id = row["posting_id"]
        job = jobs.get(job_id)
        undecided, flag = await _undecided_reports(section, job_id)
        state = moderation_state(job)
        summary.append({f"{section.target}_id": job_id, "reporters": row["reporters"],
                        "undecided": len(undecided), "counting": await _counting(undecided, rules), "latest": clock.fmt(row["latest"]),
                        "reasons": sorted(set(reasons.get(job_id, []))), **_summary(section, job),
                        "owner": job.user_id if job else None,
                        "state": "flagged" if flag is not None and state == "open" else state})
    return summary


def _summary(section: Section, posting) -> dict:
    """What the operator's tables show of a posting: its summary's first field (a job's positions)."""
    if posting is None:
        return {}
    name, value = next(iter(section.summary(posting).items()))
    return {name: value}


def moderation_state(job) -> str:
    """open, closed (by its owner), hidden, taken_down, or missing."""
    if job is None:
        return "missing"
    return job.moderation or ("open" if job.status == STATUS_OPEN else "closed")


async def moderation_reasons(section: Section, postings: list) -> dict[int, str]:
    """Why each hidden or taken-down posting among `postings` (of `section`) is so, as its owner sees it:
    the latest hide or takedown's reason."""
    moderated = [posting.id for posting in postings if posting.moderation]
    if not moderated:
        return {}
    actions = await ModerationAction.filter(target_type=section.target, target_id__in=moderated,
                                            action__in=["hide", "takedown"]).order_by("id")
    return {action.target_id: action.reason for action in actions}


async def flagged(section: Section, limit: int) -> list[dict]:
    """The section's postings content security flagged (review), could not judge yet (pending) or found
    risky later, newest change first."""
    jobs = await section.model.filter(biz_type=section.biz_type, content_check__in=[
        CONTENT_REVIEW, CONTENT_PENDING, "risky"]).order_by("-update_at").limit(limit)
    return [{f"{section.target}_id": job.id, "content_check": job.content_check, **_summary(section, job),
             "owner": job.user_id, "state": moderation_state(job), "updated": clock.fmt(job.update_at)} for job in jobs]


async def audit_log(limit: int, actor: str = "", action: str = "", target_type: str = "",
                    target_id: int | None = None) -> list[dict]:
    """The latest actions, newest first; each filter given ("" or None: any) narrows them."""
    wanted = {name: value for name, value in (("actor", actor), ("action", action), ("target_type", target_type),
                                              ("target_id", target_id)) if value not in ("", None)}
    return [{"at": clock.fmt(a.create_at), "actor": a.actor, "action": a.action,
             "target": f"{a.target_type} {a.target_id}", "reason": a.reason}
            for a in await ModerationAction.filter(**wanted).order_by("-id").limit(limit)]
