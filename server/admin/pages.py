"""The console's pages (GET): each parses its query, calls one service function, renders one template."""

from __future__ import annotations

import secrets
from pathlib import Path

from sanic import response

from sections import all_sections, by_name
from server.admin.guard import bp, console
from server.admin.render import page
from server.context import JobBoardRequest
from server.services import hot_searches, lookup, moderation, operators, order_lookup, overview, verification
from server.services.errors import PostingNotFound

_CSS = Path(__file__).with_name("static").joinpath("console.css").read_bytes()
SEARCH_KINDS = {"id": "编号", "owner": "发布者账号", "phone": "电话", "keyword": "关键词"}


def _rules(request: JobBoardRequest) -> moderation.ReportRules:
    return moderation.ReportRules.from_settings(request.app.ctx.settings)


def _sections(name: str):
    return [by_name(name)] if name in {section.name for section in all_sections()} else all_sections()


@bp.get("/static/console.css")
async def css(request: JobBoardRequest):
    return response.raw(_CSS, content_type="text/css; charset=utf-8")


@bp.get("")
@console("today")
async def today(request: JobBoardRequest, operator, session):
    figures = await overview.today(_rules(request), request.app.ctx.hot_searches)
    return page("today.html", operator=operator, csrf=session.csrf, today=figures)


@bp.get("/reports")
@console("moderate", "处理举报")
async def reports(request: JobBoardRequest, operator, session):
    section = request.args.get("section", "")
    queue = await lookup.report_queue(_sections(section), _rules(request))
    return page("reports.html", operator=operator, csrf=session.csrf, queue=queue, sections=all_sections(),
                chosen=section, done=request.args.get("done", ""))


@bp.get("/postings")
@console("moderate", "查找信息")
async def postings(request: JobBoardRequest, operator, session):
    kind, value, section = (request.args.get(name, "") for name in ("kind", "q", "section"))
    found = await lookup.find_postings(kind, value, _sections(section), operator.name) if value else None
    return page("postings.html", operator=operator, csrf=session.csrf, found=found, kind=kind, q=value,
                kinds=SEARCH_KINDS, sections=all_sections(), chosen=section)


def _posting_page(operator, session, shown: dict, section, phone: str = "", done: str = ""):
    return page("posting.html", operator=operator, csrf=session.csrf, p=shown, section=section, phone=phone,
                done=done)


@bp.get("/postings/<section:str>/<posting_id:int>")
@console("moderate", "查看信息")
async def posting(request: JobBoardRequest, operator, session, section: str, posting_id: int):
    chosen = _known(section)
    return _posting_page(operator, session, await lookup.posting_page(chosen, posting_id), chosen,
                         done=request.args.get("done", ""))


def _known(name: str):
    if name not in {section.name for section in all_sections()}:
        raise PostingNotFound("posting")
    return by_name(name)


@bp.get("/users/<user_id:int>")
@console("moderate", "查看用户")
async def user(request: JobBoardRequest, operator, session, user_id: int):
    return page("user.html", operator=operator, csrf=session.csrf, u=await lookup.user_page(user_id), phone="",
                done=request.args.get("done", ""))


@bp.get("/orders")
@console("orders", "查看订单")
async def orders(request: JobBoardRequest, operator, session):
    wanted = {name: request.args.get(name, "") for name in ("status", "since", "until", "user")}
    found = await order_lookup.orders(wanted["status"], wanted["since"], wanted["until"], wanted["user"])
    return page("orders.html", operator=operator, csrf=session.csrf, orders=found, wanted=wanted)


@bp.get("/orders/<order_no:str>")
@console("orders", "查看订单")
async def order(request: JobBoardRequest, operator, session, order_no: str):
    shown = await order_lookup.order_page(request.app.ctx.pay, order_no)
    if shown is None:
        return page("error.html", status=404, operator=operator, csrf=session.csrf, title="找不到",
                    message="没有这个订单")
    return page("order.html", operator=operator, csrf=session.csrf, o=shown, done=request.args.get("done", ""),
                once=secrets.token_urlsafe(24))


@bp.get("/audit")
@console("audit", "查看审计日志")
async def audit(request: JobBoardRequest, operator, session):
    # Each filter within its column's size (a longer one matches nothing anyway).
    wanted = {name: request.args.get(name, "").strip()[:size]
              for name, size in (("actor", 64), ("action", 16), ("target_type", 8), ("target_id", 19))}
    target_id = int(wanted["target_id"]) if wanted["target_id"].isdigit() and len(wanted["target_id"]) < 19 else None
    rows = await moderation.audit_log(200, wanted["actor"], wanted["action"], wanted["target_type"], target_id)
    return page("audit.html", operator=operator, csrf=session.csrf, entries=rows, wanted=wanted)


@bp.get("/hot")
@console("moderate", "管理热门搜索")
async def hot(request: JobBoardRequest, operator, session):
    hot_list = request.app.ctx.hot_searches
    candidates = {section.title: await hot_list.candidates(section.name) for section in all_sections()}
    return page("hot.html", operator=operator, csrf=session.csrf, candidates=candidates,
                rules=await hot_searches.rules(), done=request.args.get("done", ""))


@bp.get("/verifications")
@console("moderate", "审核营业执照")
async def verifications(request: JobBoardRequest, operator, session):
    queue = await verification.review_queue(request.app.ctx.storage, request.app.ctx.settings.licence_url_seconds)
    return page("verifications.html", operator=operator, csrf=session.csrf, queue=queue,
                done=request.args.get("done", ""))


@bp.get("/operators")
@console("operators", "管理操作员")
async def operator_list(request: JobBoardRequest, operator, session):
    return page("operators.html", operator=operator, csrf=session.csrf, operators=await operators.listing(),
                done=request.args.get("done", ""))
