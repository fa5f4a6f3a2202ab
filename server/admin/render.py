"""HTML from the console's Jinja2 templates. Autoescaped everywhere: nothing a user wrote can become markup
in an operator's browser (and the CSP forbids every script besides)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sanic import response

_templates = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                         autoescape=select_autoescape(default=True, default_for_string=True),
                         undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

STATES = {"open": "展示中", "closed": "已关闭", "hidden": "举报隐藏", "taken_down": "已下架", "flagged": "待处理（置顶中）",
          "missing": "已删除"}
DONE = {"takedown": "已下架", "restore": "已恢复", "ban": "已封禁，其登录已失效", "unban": "已解封", "block": "已屏蔽",
        "unblock": "已取消屏蔽", "disable": "已停用，其会话已全部结束", "enable": "已启用",
        "refund": "退款已提交（微信支付处理中时由后台跟进）", "approve": "已通过：其招聘、招租信息将显示认证",
        "reject": "已驳回", "unverify": "已撤销认证：标识将从其所有信息上消失"}
ROLES = {"moderator": "审核员", "finance": "财务", "admin": "管理员"}
_templates.globals.update(STATES=STATES, DONE=DONE, ROLES=ROLES)


def page(template: str, status: int = 200, **context) -> response.HTTPResponse:
    return response.html(_templates.get_template(template).render(**context), status=status)
