"""The API document at /docs: complete, generated from the validating models, and true of real responses."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import httpx
import jsonschema_rs
import pytest
from PIL import Image

from indexer.reindex import reindex
from server.openapi import REF_TEMPLATE, doc_of, documented, undocumented_routes
from server.requests import takes, takes_query
from sections.posting_bodies import BizPageBody
from server.schemas.search import SuggestQuery
from indexer.sync import drain
from tests.helpers.postings import SEED_CARD as CARD
from tests.helpers.postings import SEED_SHOP as SHOP
from tests.helpers.api import login_as
from tests.helpers.postings import SEED_JOB
from tests.helpers.payments import deliver
from tests.helpers.processes import ServerProcess, server_env
from tests.helpers.services import free_port
from sections.jobs import JOBS

JOB = {**SEED_JOB, "photo_urls": ["https://a.cn/1.jpg"], "basic_protection": ["社保"]}


@pytest.fixture
async def document(client) -> dict:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    return response.json()


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def _component(document: dict, ref: str) -> dict:
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _success_data(operation: dict) -> dict:
    """The schema of `data` in the operation's documented success envelope ({} when not an envelope)."""
    if "200" not in operation["responses"]:  # WeChat Pay's callback answers 204, not the envelope
        return {}
    schema = operation["responses"]["200"]["content"].get("application/json", {}).get("schema", {})
    return schema.get("properties", {}).get("data", {})


class Conformance:
    """Checks real responses against the document, and remembers which operations it saw answer 200."""

    def __init__(self, document: dict):
        self.document = document
        self.ok: set[tuple[str, str]] = set()

    def check(self, response: httpx.Response) -> dict:
        method, path = response.request.method.lower(), response.request.url.path
        responses = self.document["paths"][path][method]["responses"]
        documented = responses.get(str(response.status_code), responses["default"])
        if "$ref" in documented:
            documented = _component(self.document, documented["$ref"])
        schema = documented["content"]["application/json"]["schema"]
        validator = jsonschema_rs.validator_for({**schema, "components": self.document["components"]})
        body = response.json()
        errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(body)]
        assert not errors, (method, path, response.status_code, errors, body)
        for header, described in documented.get("headers", {}).items():
            if described.get("required"):
                assert header in response.headers, (method, path, header)
        if response.status_code == 200:
            self.ok.add((method, path))
        return body


async def test_docs_page_renders_the_document(client, document):
    page = await client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'spec-url="/docs/openapi.json"' in page.text and "<script src=" in page.text
    assert document["openapi"].startswith("3.1")
    token = document["components"]["securitySchemes"]["token"]
    assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")


async def test_the_docs_page_runs_no_script_it_has_not_pinned(client):
    from html.parser import HTMLParser

    class Scripts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[dict] = []

        def handle_starttag(self, tag, attrs):
            if tag == "script":
                self.found.append(dict(attrs))

    page = Scripts()
    page.feed((await client.get("/docs")).text)
    assert page.found, "the page loads Redoc"
    for script in page.found:  # one exact version, and the browser checks it is that file
        assert re.fullmatch(r"https://[^@]+@\d+\.\d+\.\d+/[^@]+\.js", script["src"]), script
        assert re.fullmatch(r"sha384-[A-Za-z0-9+/]{64}", script.get("integrity", "")), script
        assert script.get("crossorigin") == "anonymous", script


async def test_every_route_of_the_app_is_documented(app, document):
    assert undocumented_routes(app) == []
    routes = {(method.lower(), re.sub(r"<([^:>]+)(:[^>]*)?>", r"{\1}", "/" + route.path))
              for route in app.router.routes
              for method in route.methods if method not in ("HEAD", "OPTIONS")}  # those two sanic-ext adds
    console = {(method, path) for method, path in routes if path.startswith("/admin")}  # pages, not the API
    assert console and routes - console == {(method, path) for method, path, _ in _operations(document)}
    assert {"/healthz", "/readyz", "/docs", "/docs/openapi.json", "/jobs/list", "/wechat/user/logout"} <= set(
        document["paths"])
    assert len({operation["operationId"] for _, _, operation in _operations(document)}) == len(routes - console)


async def test_request_bodies_are_the_validating_models(app, document):
    schemas = document["components"]["schemas"]
    bodies = 0
    for route in app.router.routes:
        doc = doc_of(route.handler)
        if doc is None or doc.body is None:
            continue
        method = next(iter(route.methods)).lower()
        content = document["paths"]["/" + route.path][method]["requestBody"]["content"]["application/json"]
        assert content["schema"] == {"$ref": REF_TEMPLATE.format(model=doc.body.__name__)}
        own = doc.body.model_json_schema(ref_template=REF_TEMPLATE)
        for name, nested in own.pop("$defs", {}).items():
            assert schemas[name] == nested
        assert schemas[doc.body.__name__] == own
        for example in own.get("examples", []):
            doc.body.model_validate(example)  # the seed's examples stay valid requests
        bodies += 1
    assert bodies >= 10


async def test_the_seed_descriptions_are_in_the_document(document):
    schemas = document["components"]["schemas"]
    assert schemas["JobListBody"]["properties"]["query_type"]["description"] == "列表类型 1、推荐，2、附近、3、最新"
    assert "-1 时为无限大" in schemas["JobListFilter"]["properties"]["salary_max"]["description"]
    assert "query_type = 2 时为必须参数" in schemas["JobListFilter"]["properties"]["longitude"]["description"]
    assert schemas["BizPageBody"]["properties"]["biz_type"]["description"] == "1=招聘、2=求职、3=招租"
    assert schemas["RegisterBody"]["properties"]["inviter_id"]["description"] == "邀请人，可为空"
    assert schemas["RegisterBody"]["properties"]["login_code"]["description"] == "wx.login 获取"
    assert document["paths"]["/jobs/list"]["post"]["summary"] == "招聘信息列表（用户）"


def _walk(node, trail=()):
    if isinstance(node, dict):
        yield trail, node
        for key, value in node.items():
            yield from _walk(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*trail, index))


async def test_numbers_in_bodies_are_documented_as_numbers_or_numeric_strings(app, document):
    schemas = document["components"]["schemas"]
    bodies = {doc_of(r.handler).body.__name__ for r in app.router.routes
              if doc_of(r.handler) and doc_of(r.handler).body} | {"JobListFilter"}
    numeric = 0
    for name in bodies:
        for field, prop in schemas[name]["properties"].items():
            branches = prop.get("anyOf", [prop])
            types = {branch.get("type") for branch in branches}
            if types & {"integer", "number"}:
                numeric += 1
                assert "string" in types, (name, field, prop)
                text = next(b for b in branches if b.get("type") == "string")
                assert "pattern" in text or "enum" in text, (name, field, prop)
    assert numeric >= 25
    # pydantic's own constraint names leak into a schema when constraints are placed after a validator.
    leaked = [trail for trail, node in _walk(document) if "type" in node and {"ge", "le", "gt", "lt"} & set(node)]
    assert leaked == []
    job_id = schemas["JobIdBody"]["properties"]["job_id"]["anyOf"][0]
    assert (job_id["type"], job_id["minimum"], job_id["maximum"]) == ("integer", 1, 2**63 - 1)


async def test_documented_auth_is_what_the_server_does(client, document):
    for method, path, operation in _operations(document):
        response = await client.request(method.upper(), path, json={} if method == "post" else None)
        if operation["security"] == [{"token": []}]:
            assert response.status_code == 401, (path, response.text)
            assert {"$ref": "#/components/parameters/UserIdHeader"} in operation["parameters"]
        else:
            assert response.status_code != 401, (path, response.text)
    assert document["paths"]["/jobs/info"]["post"]["security"] == [{}, {"token": []}]
    assert document["paths"]["/jobs/list"]["post"]["security"] == []


async def test_real_responses_match_the_document(client, app, document, wechat_pay, tune):
    conformance = Conformance(document)
    check = conformance.check
    register = await client.post("/wechat/user/register", json={"login_code": "test:boss", "phone_code": "test:boss"})
    check(register)
    owner = {"Authorization": register.headers["authorization"]}
    check(await client.post("/wechat/user/login", json={"login_code": "test:boss"}))
    worker = await login_as(client, "worker")
    check(await client.post("/user/update/info", json={"name": "段先生", "sex": 1}, headers=owner))
    check(await client.post("/user/update/geo", json={"longitude": 116.4, "latitude": 39.9}, headers=owner))
    check(await client.get("/user/info", headers=owner))
    job_id = check(await client.post("/job/create", json=JOB, headers=owner))["data"]["id"]
    plain_id = check(await client.post("/job/create", json={**JOB, "photo_urls": ""}, headers=owner))["data"]["id"]
    check(await client.post("/jobs/update", json={"id": plain_id, "four_area_id": 110105001}, headers=owner))
    check(await client.post("/jobs/refresh", json={"job_id": job_id}, headers=owner))
    check(await client.post("/jobs/refresh", json={"job_id": job_id}, headers=owner))  # 429: free one used up
    await reindex(app.ctx.search.client, JOBS)
    for query_type in (1, 2, 3):
        listed = check(await client.post("/jobs/list", json={
            "query_type": query_type, "request_id": "r1", "filter": {"longitude": 116.4, "latitude": 39.9}}))
        assert len(listed["data"]["jobs"]) == 2
    check(await client.post("/jobs/info", json={"job_id": job_id}))
    check(await client.post("/jobs/info", json={"job_id": job_id}, headers=worker))
    check(await client.post("/job/collect", json={"job_id": job_id}, headers=worker))
    check(await client.post("/job/collect", json={"job_id": plain_id}, headers=worker))
    assert check(await client.post("/collect/my", json={}, headers=worker))["data"]["total"] == 2
    assert check(await client.post("/jobs/my", json={}, headers=owner))["data"]["total"] == 2
    check(await client.post("/job/cancnel_collect", json={"job_id": job_id}, headers=worker))
    check(await client.post("/job/cancel_collect", json={"job_id": plain_id}, headers=worker))
    check(await client.post("/jobs/update", json={"id": job_id, "positions": "厨师"}, headers=worker))  # 403
    check(await client.post("/job/close", json={"job_id": job_id}, headers=owner))
    check(await client.post("/jobs/info", json={"job_id": 999999}))  # 404
    check(await client.post("/jobs/list", json={"query_type": 9}))  # 400
    check(await client.get("/user/info"))  # 401
    check(await client.get("/healthz"))
    await drain(app.ctx.search.client)  # readiness counts the changes the suite's app leaves in the outbox
    check(await client.get("/readyz"))
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    uploaded = check(await client.post("/img/upload", files={"file": ("a.png", png.getvalue())}, headers=owner))
    assert (await client.get(httpx.URL(uploaded["data"]["url"]).raw_path.decode())).status_code == 200
    check(await client.post("/img/upload", files={"file": ("a.png", b"not an image")}, headers=owner))  # 400
    check(await client.get("/verify/business", headers=owner))  # none sent yet
    check(await client.post("/verify/business", files={"file": ("a.png", png.getvalue())}, headers=owner))  # 400
    licence = io.BytesIO()
    Image.new("RGB", (240, 240), (10, 20, 30)).save(licence, format="PNG")  # the development reader's licence
    check(await client.post("/verify/business", files={"file": ("licence.png", licence.getvalue())}, headers=owner))
    check(await client.get("/verify/business", headers=owner))
    check(await client.get("/pay/prices"))
    open_job = check(await client.post("/job/create", json=JOB, headers=owner))["data"]["id"]
    check(await client.post("/subscribe/accept", json={"template_ids": ["TPL-UNLOCK"]}, headers=owner))
    shared = check(await client.post("/share/code", json={"biz_type": 1, "id": open_job}, headers=owner))
    check(await client.post("/share/resolve", json={"scene": shared["data"]["scene"]}))
    check(await client.post("/share/resolve", json={"scene": "x1"}))  # 404
    top = check(await client.post("/jobs/top", json={"job_id": open_job, "top_hour": 72, "price": 5}, headers=owner))
    check(await client.post("/jobs/refresh/pay", json={"job_id": open_job, "price": 1.99}, headers=owner))
    check(await client.post("/jobs/refresh/pay", json={"job_id": open_job, "price": 1}, headers=owner))  # 400
    bought = check(await client.post("/contact_voucher/buy", json={"contact_voucher_num": 1, "price": 3.99},
                                     headers=owner))
    notified = await deliver(client, wechat_pay, wechat_pay.pay(bought["data"]["order_no"]))
    assert notified.status_code == 204 and notified.content == b""
    check(await client.post("/order/info", json={"order_no": top["data"]["order_no"]}, headers=owner))
    check(await client.post("/order/info", json={"order_no": top["data"]["order_no"]}, headers=worker))  # 403
    assert check(await client.post("/contact_voucher/records", json={}, headers=owner))["data"]["list_total"] == 1
    check(await client.post("/contact_voucher/cost", json={"purpose_id": open_job}, headers=worker))  # 402
    pack = check(await client.post("/contact_voucher/buy", json={"contact_voucher_num": 1, "price": 3.99},
                                   headers=worker))
    await deliver(client, wechat_pay, wechat_pay.pay(pack["data"]["order_no"]))
    check(await client.post("/contact_voucher/cost", json={"purpose_id": open_job, "purpose_type": 1}, headers=worker))
    assert check(await client.post("/contact_history/out", json={}, headers=worker))["data"]["total"] == 1
    assert check(await client.post("/contact_history/in", json={}, headers=owner))["data"]["total"] == 1
    await _seeker_calls(client, app, check, owner, worker, wechat_pay)
    await _shop_calls(client, app, check, owner, worker, wechat_pay)
    check(await client.post("/jobs/list", json={"filter": {"keyword": "服务员"}}, headers=worker))
    await _trust_calls(client, check, owner, worker, open_job)
    tune(hot_search_min_users=1, report_min_account_age_hours=0)  # the worker signed up just now
    await app.ctx.hot_searches.round()
    assert check(await client.get("/search/hot"))["data"]["jobs"] == [{"keyword": "服务员", "count": 1}]
    assert "服务员" in check(await client.get("/search/suggest", params={"biz_type": 1, "prefix": "服务"}))["data"]["suggestions"]
    check(await client.post("/wechat/user/logout", headers=owner))

    with_data = {(method, path) for method, path, operation in _operations(document)
                 if "$ref" in _success_data(operation)}
    assert len(with_data) >= 8 and with_data <= conformance.ok  # each data shape seen in a real 200


async def _trust_calls(client, check, owner: dict, worker: dict, job_id: int) -> None:
    """Blocking and a posting's figures."""
    owner_id = check(await client.get("/user/info", headers=owner))["data"]["user_id"]
    check(await client.post("/user/block", json={"user_id": owner_id}, headers=worker))
    check(await client.post("/user/block", json={"user_id": 0}, headers=worker))  # 400
    assert check(await client.post("/user/blocks", json={}, headers=worker))["data"]["total"] == 1
    check(await client.post("/user/unblock", json={"user_id": owner_id}, headers=worker))
    check(await client.post("/posting/stats", json={"biz_type": 1, "id": job_id, "days": 3}, headers=owner))
    check(await client.post("/posting/stats", json={"biz_type": 1, "id": job_id}, headers=worker))  # 404


async def _seeker_calls(client, app, check, owner: dict, worker: dict, wechat_pay) -> None:
    """A 求职 card through every route of its own, and the cross-section lists with biz_type 2."""
    card_id = check(await client.post("/seeker/create", json=CARD, headers=worker))["data"]["id"]
    check(await client.post("/seeker/create", json=CARD, headers=worker))  # 400: one open card
    check(await client.post("/seekers/update", json={"id": card_id, "available": "随时"}, headers=worker))
    check(await client.post("/seekers/refresh", json={"seeker_id": card_id}, headers=worker))
    await drain(app.ctx.search.client)
    for query_type in (1, 2, 3):
        listed = check(await client.post("/seekers/list", json={
            "query_type": query_type, "request_id": "r2", "filter": {"longitude": 121.47, "latitude": 31.23}}))
        assert [item["id"] for item in listed["data"]["seekers"]] == [card_id]
    check(await client.post("/seekers/info", json={"seeker_id": card_id}, headers=owner))
    check(await client.post("/seeker/collect", json={"seeker_id": card_id}, headers=owner))
    assert check(await client.post("/collect/my", json={"biz_type": 2}, headers=owner))["data"]["total"] == 1
    check(await client.post("/seeker/cancel_collect", json={"seeker_id": card_id}, headers=owner))
    assert check(await client.post("/jobs/my", json={"biz_type": 2}, headers=worker))["data"]["total"] == 1
    check(await client.post("/contact_voucher/cost", json={"purpose_type": 2, "purpose_id": card_id},
                            headers=owner))
    assert check(await client.post("/contact_history/out", json={"biz_type": 2}, headers=owner))["data"]["total"] == 1
    assert check(await client.post("/contact_history/in", json={"biz_type": 2}, headers=worker))["data"]["total"] == 1
    check(await client.post("/seeker/report", json={"seeker_id": card_id, "reason": "other"}, headers=owner))
    top = check(await client.post("/seekers/top", json={"seeker_id": card_id, "top_hour": 24, "price": 1},
                                  headers=worker))
    assert (await deliver(client, wechat_pay, wechat_pay.pay(top["data"]["order_no"]))).status_code == 204
    assert check(await client.post("/order/info", json={"order_no": top["data"]["order_no"]},
                                   headers=worker))["data"]["posting_id"] == card_id
    check(await client.post("/seekers/refresh/pay", json={"seeker_id": card_id, "price": 0.99}, headers=worker))
    check(await client.post("/seeker/close", json={"seeker_id": card_id}, headers=worker))
    check(await client.post("/seekers/info", json={"seeker_id": card_id}, headers=owner))  # 404: closed card


async def _shop_calls(client, app, check, owner: dict, tenant: dict, wechat_pay) -> None:
    """A 招租 shop through every route of its own, and the cross-section lists with biz_type 3."""
    shop_id = check(await client.post("/shop/create", json=SHOP, headers=owner))["data"]["id"]
    check(await client.post("/shop/create", json={**SHOP, "industry": ["赌场"]}, headers=owner))  # 400
    check(await client.post("/shops/update", json={"id": shop_id, "rent_month": 0, "frontage_m": ""}, headers=owner))
    check(await client.post("/shops/refresh", json={"shop_id": shop_id}, headers=owner))
    await drain(app.ctx.search.client)
    for query_type in (1, 2, 3):
        listed = check(await client.post("/shops/list", json={
            "query_type": query_type, "request_id": "r3",
            "filter": {"longitude": 121.44, "latitude": 31.22, "rent_max": 1000, "facilities": ["明火"]}}))
        assert [item["id"] for item in listed["data"]["shops"]] == [shop_id]
    check(await client.post("/shops/info", json={"shop_id": shop_id}, headers=tenant))
    check(await client.post("/shop/collect", json={"shop_id": shop_id}, headers=tenant))
    assert check(await client.post("/collect/my", json={"biz_type": 3}, headers=tenant))["data"]["total"] == 1
    assert check(await client.post("/jobs/my", json={"biz_type": 3}, headers=owner))["data"]["total"] == 1
    pack = check(await client.post("/contact_voucher/buy", json={"contact_voucher_num": 1, "price": 3.99},
                                   headers=tenant))
    await deliver(client, wechat_pay, wechat_pay.pay(pack["data"]["order_no"]))
    check(await client.post("/contact_voucher/cost", json={"purpose_type": 3, "purpose_id": shop_id},
                            headers=tenant))
    assert check(await client.post("/contact_history/out", json={"biz_type": 3}, headers=tenant))["data"]["total"] == 1
    assert check(await client.post("/contact_history/in", json={"biz_type": 3}, headers=owner))["data"]["total"] == 1
    check(await client.post("/shop/report", json={"shop_id": shop_id, "reason": "other"}, headers=tenant))
    top = check(await client.post("/shops/top", json={"shop_id": shop_id, "top_hour": 24, "price": 5},
                                  headers=owner))
    assert (await deliver(client, wechat_pay, wechat_pay.pay(top["data"]["order_no"]))).status_code == 204
    assert check(await client.post("/order/info", json={"order_no": top["data"]["order_no"]},
                                   headers=owner))["data"]["posting_id"] == shop_id
    check(await client.post("/shops/refresh/pay", json={"shop_id": shop_id, "price": 2.99}, headers=owner))
    check(await client.post("/shop/close", json={"shop_id": shop_id}, headers=owner))
    check(await client.post("/shops/info", json={"shop_id": shop_id}, headers=tenant))  # closed: still public
    check(await client.post("/shop/cancel_collect", json={"shop_id": shop_id}, headers=tenant))


def _schemathesis(base: str, headers: dict, report, *selection: str) -> dict:
    command = [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/docs/openapi.json",
               "--checks", "not_a_server_error,response_schema_conformance",
               "--max-examples", "10", "--seed", "20260101", "--workers", "1", "--request-timeout", "10",
               "--generation-database", "none", "--generation-with-security-parameters", "false", "--no-color",
               "--report", "json", "--report-json-path", str(report), *selection]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=150, cwd=report.parent)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    return json.loads(report.read_text())


def test_schemathesis_finds_no_server_error_and_only_documented_responses(tmp_path):
    # `python -m server` on embedded defaults, rate limits high so that the fuzzing reaches the handlers.
    many = "1000000"
    server = ServerProcess(server_env(DATA_DIR=str(tmp_path / "data"), RATE_LIMIT_LOGIN_PER_CODE=many,
                                      RATE_LIMIT_LOGIN_PER_IP=many, RATE_LIMIT_WRITES_PER_USER=many),
                           free_port(), tmp_path / "server.log")
    base = server.base
    try:
        server.wait_healthy()
        registered = httpx.post(f"{base}/wechat/user/register", json={"login_code": "test:st", "phone_code": "test:st"})
        headers = {"Authorization": registered.headers["authorization"],
                   "user_id": str(registered.json()["data"]["user_info"]["id"])}
        for _ in range(2):  # jobs 1 and 2 exist (and shops 1 and 2), so id boundaries reach the handlers' logic
            assert httpx.post(f"{base}/job/create", json=JOB, headers=headers).status_code == 200
            assert httpx.post(f"{base}/shop/create", json=SHOP, headers=headers).status_code == 200
        operations = sum(len(item) for item in httpx.get(f"{base}/docs/openapi.json").json()["paths"].values())

        # Logout last: it revokes the token the other operations use.
        report = _schemathesis(base, headers, tmp_path / "all.json", "--exclude-path", "/wechat/user/logout")
        assert report["failures"] == [] and report["errors"] == []
        # Every operation but logout (next) and the document itself (schemathesis loads it, does not test it).
        assert report["operations"]["tested"] == operations - 2, report["operations"]
        assert report["warnings"]["missing_auth"] == []  # the authenticated operations got past the login check
        report = _schemathesis(base, headers, tmp_path / "logout.json", "--include-path", "/wechat/user/logout")
        assert report["failures"] == [] and report["operations"]["tested"] == 1
    finally:
        server.stop()


def test_a_handler_names_its_body_once_and_that_is_the_documented_one():
    @documented("s")
    @takes_query(SuggestQuery)
    async def suggest(request, query):
        return query

    assert doc_of(suggest).query is SuggestQuery and doc_of(suggest).body is None

    @documented("b")
    @takes(BizPageBody)
    async def page(request, body):
        return body

    assert doc_of(page).body is BizPageBody and doc_of(page).query is None
    with pytest.raises(TypeError, match="named by @takes / @takes_query alone"):
        documented("twice", body=BizPageBody)
