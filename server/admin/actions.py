"""The console's actions (POST, each with a required reason where it decides something): the same service
functions as `jobboard moderation`, with the operator's name as the actor in the audit. After an action the
browser is sent back to the page it came from (post, redirect, get)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sanic import response

from runtime.errors import DomainError
from server.admin.guard import bp, console, sessions
from server.admin.pages import _known, _posting_page
from server.admin.render import page
from server.context import JobBoardRequest
from server.routes.guard import posting_caps, tokens
from server.services import hot_searches, lookup, moderation, money, operators, refunds, verification
from server.services.errors import OperatorInvalid


def _reason(request: JobBoardRequest) -> str:
    reason = ((request.form or {}).get("reason") or "").strip()
    if not reason:
        raise OperatorInvalid("请填写理由：每个处理都会记录理由")
    return reason[:500]


def _back(path: str, done: str) -> response.HTTPResponse:
    return response.redirect(f"{path}?done={done}", status=303)


@bp.post("/postings/<section:str>/<posting_id:int>/takedown")
@console("moderate", "下架信息")
async def take_down(request: JobBoardRequest, operator, session, section: str, posting_id: int):
    chosen = _known(section)
    await moderation.take_down(chosen, posting_id, operator.name, _reason(request),
                               request.app.ctx.settings.refund_top_on_takedown)
    return _back(f"/admin/postings/{section}/{posting_id}", "takedown")


@bp.post("/postings/<section:str>/<posting_id:int>/restore")
@console("moderate", "恢复信息")
async def restore(request: JobBoardRequest, operator, session, section: str, posting_id: int):
    chosen = _known(section)
    await moderation.restore(chosen, posting_id, operator.name, _reason(request), posting_caps(request))
    return _back(f"/admin/postings/{section}/{posting_id}", "restore")


@bp.post("/postings/<section:str>/<posting_id:int>/phone")
@console("view_phone", "查看完整电话")
async def posting_phone(request: JobBoardRequest, operator, session, section: str, posting_id: int):
    chosen = _known(section)
    phone = await lookup.full_phone(chosen, posting_id, operator.name)
    return _posting_page(operator, session, await lookup.posting_page(chosen, posting_id), chosen, phone=phone)


@bp.post("/users/<user_id:int>/phone")
@console("view_phone", "查看完整电话")
async def user_phone(request: JobBoardRequest, operator, session, user_id: int):
    phone = await lookup.user_phone(user_id, operator.name)
    return page("user.html", operator=operator, csrf=session.csrf, u=await lookup.user_page(user_id), phone=phone,
                done="")


@bp.post("/users/<user_id:int>/ban")
@console("moderate", "封禁用户")
async def ban(request: JobBoardRequest, operator, session, user_id: int):
    await moderation.ban(user_id, operator.name, _reason(request), tokens(request),
                         request.app.ctx.settings.refund_top_on_takedown)
    return _back(f"/admin/users/{user_id}", "ban")


@bp.post("/users/<user_id:int>/unban")
@console("moderate", "解封用户")
async def unban(request: JobBoardRequest, operator, session, user_id: int):
    await moderation.unban(user_id, operator.name, _reason(request), tokens(request))
    return _back(f"/admin/users/{user_id}", "unban")


@bp.post("/hot/<change:str>")
@console("moderate", "管理热门搜索")
async def hot_rule(request: JobBoardRequest, operator, session, change: str):
    if change not in ("block", "unblock"):
        raise OperatorInvalid("block or unblock")
    keyword = ((request.form or {}).get("keyword") or "").strip()
    apply = hot_searches.set_rule if change == "block" else hot_searches.drop_rule
    await apply("block", keyword, operator.name, _reason(request))
    request.app.ctx.hot_searches.rules_changed()
    return _back("/admin/hot", change)


@bp.post("/verifications/<verification_id:int>/<decision:str>")
@console("moderate", "审核营业执照")
async def decide_licence(request: JobBoardRequest, operator, session, verification_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise OperatorInvalid("approve or reject")
    decide = verification.approve if decision == "approve" else verification.reject
    await decide(verification_id, operator.name, _reason(request))
    return _back("/admin/verifications", decision)


@bp.post("/users/<user_id:int>/unverify")
@console("moderate", "撤销营业执照认证")
async def unverify(request: JobBoardRequest, operator, session, user_id: int):
    await verification.revoke(user_id, operator.name, _reason(request))
    return _back(f"/admin/users/{user_id}", "unverify")


@bp.post("/orders/<order_no:str>/refund")
@console("refund", "退款")
async def refund(request: JobBoardRequest, operator, session, order_no: str):
    amount = _fen((request.form or {}).get("amount") or "")
    reason = _reason(request)
    # The form's own one-time token: a double click, or the form sent again from the browser's history, is
    # one refund (each would otherwise be a refund of its own, up to what is left of the order).
    once = f"console:once:{(request.form or {}).get('once', '')[:64]}"
    if len(once) < 30 or not await request.app.ctx.cache.set(once, operator.name, nx=True, ex=86400):
        raise OperatorInvalid("这个退款表单已经提交过：请打开订单页面查看结果，需要再退款请重新填写")
    try:
        await refunds.refund(order_no, amount, operator.name, reason, request.app.ctx.pay)
    except DomainError:
        await request.app.ctx.cache.delete(once)  # refused, nothing changed: the form may be corrected and sent
        raise
    return _back(f"/admin/orders/{order_no}", "refund")


def _fen(yuan: str) -> int | None:
    """The refund form's amount in yuan ("" → all that is left), as whole fen."""
    if not yuan.strip():
        return None
    try:
        amount = Decimal(yuan.strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount * 100 != (amount * 100).to_integral_value() or amount <= 0:
        raise OperatorInvalid("退款金额是正的元数，最多到分（如 12.50），留空为全部剩余")
    return money.fen(amount)


@bp.post("/operators/<name:str>/<change:str>")
@console("operators", "管理操作员")
async def operator_state(request: JobBoardRequest, operator, session, name: str, change: str):
    if change not in ("disable", "enable"):
        raise OperatorInvalid("disable or enable")
    if change == "disable":
        await operators.disable(name, operator.name, _reason(request), sessions(request))
    else:
        await operators.enable(name, operator.name, _reason(request))
    return _back("/admin/operators", change)
