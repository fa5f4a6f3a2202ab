"""The console's journeys in a real browser: Debian's headless Chromium driven by Playwright, against the
live test app. A screenshot of every page is kept in var/test-artifacts/console/."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image
from playwright.async_api import Page, async_playwright

from runtime import clock
from tests.helpers.api import listed_now, login_as
from tests.helpers.console import PASSWORD, make_operator
from tests.helpers.payments import order, pay
from tests.helpers.postings import post_job

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[3] / "var" / "test-artifacts" / "console"
XSS = '<script>alert("xss")</script><img src="/xss-probe.png" onerror="alert(1)">'


@pytest.fixture(scope="session")
async def chromium():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


@pytest.fixture
async def page(chromium, server, client):
    """A fresh browser profile on the live app; every dialog and every request it makes are recorded."""
    context = await chromium.new_context(base_url=server[1], viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.dialogs, page.requested = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    await context.close()


async def shot(page: Page, name: str, width: int | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    if width:
        await page.set_viewport_size({"width": width, "height": 900})
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def log_in(page: Page, name: str, password: str = PASSWORD) -> None:
    await page.goto("/admin/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")


async def decide(page: Page, scope: str, label: str, reason: str) -> None:
    """Fill the reason of the `label` form inside `scope` and send it."""
    form = page.locator(scope).locator("form.decide", has=page.get_by_role("button", name=label, exact=True)).first
    await form.locator("input[name=reason]").fill(reason)
    await form.get_by_role("button", name=label, exact=True).click()


async def test_log_in_and_fail_with_a_wrong_password(page):
    await make_operator("li", "moderator")
    await log_in(page, "li", "not the password")
    await shot(page, "login-refused")
    assert "用户名或密码错误" in await page.inner_text("[role=alert]")
    await log_in(page, "li")
    assert page.url.endswith("/admin") and "今日" in await page.inner_text("h1")
    await shot(page, "today")
    await shot(page, "today-phone", width=390)


async def test_take_a_reported_posting_down_then_restore_it(page, client, app):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner, positions="厨师")
    reporter = await login_as(client, "reporter")
    await client.post("/job/report", json={"job_id": job_id, "reason": "fraud", "text": "收押金"}, headers=reporter)
    await make_operator("li", "moderator")
    await log_in(page, "li")
    await page.click("text=举报")
    card = f"#jobs-{job_id}"
    assert "收押金" in await page.inner_text(card) and "待处理" in await page.inner_text(card)
    await shot(page, "reports")
    await decide(page, card, "下架", "假招聘，收押金")
    assert "已下架" in await page.inner_text("[role=status]")
    assert job_id not in await listed_now(client, app)
    await shot(page, "posting-taken-down")
    await decide(page, "main", "恢复", "举报不实")
    assert "已恢复" in await page.inner_text("[role=status]")
    assert job_id in await listed_now(client, app)
    await page.goto("/admin/audit?actor=li")
    audit = await page.inner_text("table")
    assert "takedown" in audit and "restore" in audit and "假招聘，收押金" in audit
    await shot(page, "audit")


async def test_ban_a_user_whose_token_then_answers_403(page, client):
    owner = await login_as(client, "owner")
    await post_job(client, owner)
    await make_operator("li", "moderator")
    await log_in(page, "li")
    await page.goto(f"/admin/postings?kind=owner&q={owner['user_id']}")
    await shot(page, "postings-search")
    await page.click(f"a[href='/admin/users/{owner['user_id']}']")
    await shot(page, "user")
    await decide(page, "main", "封禁", "诈骗团伙")
    assert "已封禁" in await page.inner_text("[role=status]")
    response = await client.get("/user/info", headers=owner)
    assert (response.status_code, response.json()["message"]) == (403, "this account is banned")


async def test_block_a_hot_search(page, client, app, tune, travel):
    tune(hot_search_min_users=1)
    travel(clock.now() - timedelta(days=2))
    owner, searcher = await login_as(client, "owner"), await login_as(client, "searcher")
    clock.reset()
    await post_job(client, owner, positions="厨师")
    await listed_now(client, app)
    await client.post("/jobs/list", json={"filter": {"keyword": "厨师"}}, headers=searcher)
    await app.ctx.hot_searches.round()
    app.ctx.hot_searches.forget_shown()
    assert "厨师" in [item["keyword"] for item in (await client.get("/search/hot")).json()["data"]["jobs"]]
    await make_operator("li", "moderator")
    await log_in(page, "li")
    await page.goto("/admin/hot")
    await shot(page, "hot-searches")
    await decide(page, "table", "屏蔽", "测试屏蔽")
    assert "已屏蔽" in await page.inner_text("[role=status]")
    assert (await client.get("/search/hot")).json()["data"]["jobs"] == []


async def test_a_form_without_its_token_or_from_another_site_is_refused(page, client, app, server):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner)
    await make_operator("li", "moderator")
    await log_in(page, "li")
    await page.goto(f"/admin/postings/jobs/{job_id}")
    await page.evaluate("document.querySelectorAll('input[name=csrf]').forEach(input => input.remove())")
    await decide(page, "main", "下架", "没有令牌")
    assert "表单已失效" in await page.inner_text("h1")
    await shot(page, "csrf-refused")
    # A page of another site posting to the console: the cookie does not come (SameSite=Strict), nor would
    # the form get past the token.
    other_site = (f'<form method="post" action="{server[1]}/admin/postings/jobs/{job_id}/takedown">'
                  '<input name="reason" value="cross-site"><button id="go">go</button></form>')
    await page.goto("data:text/html;charset=utf-8," + quote(other_site))
    await page.click("#go")
    await page.wait_for_load_state()
    assert "/admin/login" in page.url
    assert job_id in await listed_now(client, app)


async def test_a_users_markup_is_shown_inert(page, client, server):
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner, description=f"招厨师 {XSS}")
    await make_operator("li", "moderator")
    await log_in(page, "li")
    await page.goto(f"/admin/postings/jobs/{job_id}")
    await page.wait_for_load_state("networkidle")
    assert XSS in await page.inner_text("main")  # shown as the text it is
    assert await page.locator("main script, main img[onerror]").count() == 0
    assert page.dialogs == []
    assert not [url for url in page.requested if "xss-probe" in url]
    await shot(page, "posting-with-markup")


async def test_every_page_for_an_admin_on_a_laptop_and_a_phone(page, client, app, wechat_pay):
    """One of everything on the board, then each page of the console, screenshotted at both widths."""
    owner = await login_as(client, "owner")
    job_id = await post_job(client, owner, positions="厨师")
    await client.post("/job/report", json={"job_id": job_id, "reason": "fraud"}, headers=await login_as(client, "r"))
    bought = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    await pay(client, wechat_pay, bought["order_no"])
    picture = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 30, 30)).save(picture, format="PNG")
    await client.post("/verify/business", files={"file": ("l.png", picture.getvalue(), "image/png")}, headers=owner)
    await make_operator("boss", "admin")
    await log_in(page, "boss")
    pages = {"today": "/admin", "reports": "/admin/reports", "postings": f"/admin/postings?kind=id&q={job_id}",
             "posting": f"/admin/postings/jobs/{job_id}", "user": f"/admin/users/{owner['user_id']}",
             "orders": "/admin/orders", "order": f"/admin/orders/{bought['order_no']}",
             "verifications": "/admin/verifications", "audit": "/admin/audit", "hot": "/admin/hot",
             "operators": "/admin/operators"}
    for name, path in pages.items():
        for width in (1280, 390):
            response = await page.goto(path)
            assert response.status == 200, (path, await page.content())
            await shot(page, f"admin-{name}-{width}", width=width)
    assert page.dialogs == []
