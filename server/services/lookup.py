"""What the console shows of postings and users: any posting of any section as users see it, found by id,
owner, phone or keyword, and a user's whole page. Read-only, except that showing an operator a posting's or
a user's full phone number is audited (action `view_phone`)."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from models.contacts import ContactHistory
from models.moderation import ModerationAction, Report
from models.order import Order
from models.user import User
from models.vouchers import VoucherAccount, VoucherLedger
from runtime import clock
from sections import Section, all_sections
from server.services import money, posting_shapes, verification
from server.services.contacts import mask_contact
from server.services.errors import PostingNotFound, UserNotFound
from server.services.moderation import audit, moderation_state, reported

LIMIT = 50


def _row(section: Section, posting) -> dict:
    return {"section": section.name, "title": section.title, "target": section.target, "id": posting.id,
            "owner": posting.user_id, "summary": " · ".join(str(v) for v in section.summary(posting).values() if v),
            "state": moderation_state(posting), "created": clock.fmt(posting.create_at)[:16]}


async def find_postings(kind: str, value: str, sections: list[Section], operator: str) -> list[dict]:
    """Postings of `sections` by `id`, `owner` (account id), `phone` (the posting's contact or its owner's
    account phone; the look-up is audited) or `keyword` (in its texts), newest first. An unusable value
    finds nothing."""
    value = value.strip()
    if len(value) > 32:  # longer than any stored phone, id or searchable text: nothing to find
        return []
    if kind == "phone" and value:
        await audit(operator, "find_phone", "phone", 0, f"postings looked up by phone {mask_contact(value)}",
                    clock.now())
    found: list[dict] = []
    for section in sections:
        query = section.model.filter(biz_type=section.biz_type)
        if kind in ("id", "owner"):
            if not value.isdigit() or len(value) > 18:
                return []
            query = query.filter(**{"id" if kind == "id" else "user_id": int(value)})
        elif kind == "phone":
            if not value:
                return []
            owners = await User.filter(phone=value).values_list("id", flat=True)
            query = query.filter(Q(contact=value) | Q(user_id__in=list(owners) or [0]))
        elif kind == "keyword":
            if not value:
                return []
            texts = Q(*(Q(**{f"{field}__icontains": value}) for field in ("description", "address")), join_type="OR")
            query = query.filter(texts)
        else:
            return []
        found += [_row(section, posting) for posting in await query.order_by("-id").limit(LIMIT)]
    return sorted(found, key=lambda row: row["created"], reverse=True)[:LIMIT]


async def posting_page(section: Section, posting_id: int) -> dict:
    """A posting as users see it (the detail item, phone masked), whatever its state, with its state, owner,
    reports and moderation history."""
    posting = await section.model.get_or_none(id=posting_id, biz_type=section.biz_type)
    if posting is None:
        raise PostingNotFound(section.target)
    item = posting_shapes.detail(section, posting, clock.now())
    item["contact"] = mask_contact(posting.contact) if posting.contact else ""
    reports = await Report.filter(biz_type=section.biz_type, posting_id=posting_id).order_by("-id").limit(LIMIT)
    history = await ModerationAction.filter(target_type=section.target, target_id=posting_id).order_by("-id")
    return {"row": _row(section, posting), "item": item, "photos": list(posting.photo_urls or []),
            "reports": [_report(report) for report in reports], "history": [_action(a) for a in history],
            "top_until": clock.fmt(posting.top_end_time) if posting.top_end_time else ""}


async def full_phone(section: Section, posting_id: int, operator: str) -> str:
    """The posting's contact number unmasked, for an operator; the view is audited."""
    posting = await section.model.get_or_none(id=posting_id, biz_type=section.biz_type)
    if posting is None:
        raise PostingNotFound(section.target)
    await audit(operator, "view_phone", section.target, posting_id, "full contact number shown", clock.now())
    return posting.contact


async def user_phone(user_id: int, operator: str) -> str:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise UserNotFound()
    await audit(operator, "view_phone", "user", user_id, "full account phone shown", clock.now())
    return user.phone


def _age(since: datetime, at: datetime) -> str:
    hours = max((at - since).total_seconds(), 0) / 3600
    if hours < 1:
        return f"{hours * 60:.0f} 分钟"
    return f"{hours:.0f} 小时" if hours < 48 else f"{hours / 24:.0f} 天"


def _report(report: Report) -> dict:
    return {"user_id": report.user_id, "reason": report.reason, "text": report.text, "made": report.create_at,
            "at": clock.fmt(report.create_at)[:16], "biz_type": report.biz_type, "posting_id": report.posting_id}


def _action(action: ModerationAction) -> dict:
    return {"at": clock.fmt(action.create_at)[:16], "actor": action.actor, "action": action.action,
            "target": f"{action.target_type} {action.target_id}", "reason": action.reason}


async def reporters(reports: list[dict]) -> list[dict]:
    """Each report with its reporter's account age at the report and whether they have a phone."""
    users = {u.id: u for u in await User.filter(id__in=[r["user_id"] for r in reports])}
    shown = []
    for report in reports:
        user = users.get(report["user_id"])
        shown.append({**report, "account_age": _age(user.create_at, report["made"]) if user else "已删除",
                      "has_phone": bool(user and user.phone), "banned": bool(user and user.banned_at)})
    return shown


async def user_page(user_id: int) -> dict:
    """Everything about one user an operator needs: profile (phone masked), postings of every section, orders,
    voucher ledger, reports made and received, moderation history."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise UserNotFound()
    postings, received, history = [], [], []
    for section in all_sections():
        mine = await section.model.filter(user_id=user_id, biz_type=section.biz_type).order_by("-id").limit(LIMIT)
        postings += [_row(section, posting) for posting in mine]
        ids = [posting.id for posting in mine]
        received += [_report(r) for r in await Report.filter(biz_type=section.biz_type, posting_id__in=ids)
                     .order_by("-id").limit(LIMIT)] if ids else []
        history += [_action(a) for a in await ModerationAction.filter(target_type=section.target, target_id__in=ids)
                    .order_by("-id").limit(LIMIT)] if ids else []
    history += [_action(a) for a in await ModerationAction.filter(target_type="user", target_id=user_id)
                .order_by("-id").limit(LIMIT)]
    account = await VoucherAccount.get_or_none(user_id=user_id)
    return {
        "profile": {"id": user.id, "name": user.name, "phone": mask_contact(user.phone) if user.phone else "",
                    "has_phone": bool(user.phone), "created": clock.fmt(user.create_at)[:16],
                    "banned": clock.fmt(user.banned_at)[:16] if user.banned_at else "",
                    "address": user.address, "vouchers": account.balance if account else 0,
                    "contacts_made": await ContactHistory.filter(user_id=user_id).count(),
                    "verified": await verification.label_of(user_id) or ""},
        "postings": postings,
        "orders": [order_row(o) for o in await Order.filter(user_id=user_id).order_by("-id").limit(LIMIT)],
        "ledger": [{"at": clock.fmt(row.create_at)[:16], "type": row.type, "title": row.title,
                    "change": row.change_num, "balance": row.balance_after}
                   for row in await VoucherLedger.filter(user_id=user_id).order_by("-id").limit(LIMIT)],
        "reports_made": [_report(r) for r in await Report.filter(user_id=user_id).order_by("-id").limit(LIMIT)],
        "reports_received": sorted(received, key=lambda r: r["at"], reverse=True),
        "history": sorted(history, key=lambda a: a["at"], reverse=True),
    }


def order_row(order: Order) -> dict:
    return {"order_no": order.order_no, "kind": order.kind, "user_id": order.user_id,
            "amount": money.shown(order.amount_fen), "status": order.status,
            "posting": f"{order.biz_type}/{order.posting_id}" if order.posting_id else "",
            "created": clock.fmt(order.create_at)[:16], "paid": clock.fmt(order.paid_at)[:16] if order.paid_at else "",
            "close_reason": order.close_reason}


async def report_queue(sections: list[Section], rules, limit: int = 30) -> list[dict]:
    """Reported postings waiting for a decision (reported since the last one, and listed or hidden by the
    reports) first, then the rest, most recently reported first: each as users see it, with its reporters."""
    rows = []
    for section in sections:
        for row in await reported(section, limit, rules):
            posting_id = row[f"{section.target}_id"]
            if row["state"] == "missing":
                continue
            shown = await posting_page(section, posting_id)
            waiting = bool(row["undecided"]) and row["state"] in ("open", "hidden", "flagged")
            rows.append({**row, "id": posting_id, "section": section.name, "title": section.title,
                         "waiting": waiting, "item": shown["item"], "photos": shown["photos"],
                         "reports": await reporters(shown["reports"])})
    waiting = [row for row in rows if row["waiting"]]
    waiting.sort(key=lambda row: row["latest"], reverse=True)
    rest = sorted((row for row in rows if not row["waiting"]), key=lambda row: row["latest"], reverse=True)
    return (waiting + rest)[:limit]
