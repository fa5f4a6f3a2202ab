"""The money path in real processes: the development pay provider of `python -m server`, and the
operator's `python -m server.payments reconcile`."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx

from models.order import Order
from tests.helpers.api import login_as
from tests.helpers.payments import order, pay_settings, vouchers
from tests.helpers.postings import post_to
from tests.helpers.processes import ServerProcess, register, server_env
from tests.helpers.services import free_port


def test_the_development_provider_pays_with_a_confirmation(tmp_path):
    server = ServerProcess(server_env(DATA_DIR=str(tmp_path / "data")), free_port(), tmp_path / "server.log")
    base = server.base
    try:
        server.wait_healthy()
        owner, other = register(base, "owner"), register(base, "other")
        bought = httpx.post(f"{base}/contact_voucher/buy", json={"contact_voucher_num": 5, "price": 17.99},
                            headers=owner).json()["data"]
        assert bought["pay_params"]["package"].startswith("prepay_id=dev_") and bought["pay_params"]["paySign"]
        confirm = {"order_no": bought["order_no"]}
        assert httpx.post(f"{base}/dev/pay/confirm", json=confirm, headers=other).status_code == 403
        for _ in range(2):  # confirming a paid order again is a success that changes nothing
            answer = httpx.post(f"{base}/dev/pay/confirm", json=confirm, headers=owner)
            assert answer.status_code == 200 and answer.json()["data"]["status"] == "paid", answer.text
        records = httpx.post(f"{base}/contact_voucher/records", json={}, headers=owner).json()["data"]
        assert (records["contact_voucher_num"], records["list_total"]) == (5, 1)

        job_id = post_to(base, owner, "jobs")
        top = httpx.post(f"{base}/jobs/top", json={"job_id": job_id, "top_hour": 72, "price": 5},
                         headers=owner).json()["data"]
        httpx.post(f"{base}/dev/pay/confirm", json={"order_no": top["order_no"]}, headers=owner)
        assert httpx.post(f"{base}/jobs/info", json={"job_id": job_id}).json()["data"]["is_top"] == 1
    finally:
        server.stop()


async def test_reconcile_command_settles_what_wechat_says_is_paid(client, settings, pay_keys, wechat_pay):
    owner = await login_as(client, "owner")
    lost = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=5, price=17.99)
    waiting = await order(client, owner, "/contact_voucher/buy", contact_voucher_num=1, price=3.99)
    wechat_pay.pay(lost["order_no"])  # paid, and its notification never came
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHATPAY_", "DATABASE_"))}
    env.update({name.upper(): str(value) for name, value in pay_settings(pay_keys, wechat_pay.url).items()},
               DATABASE_URL=settings.resolved_database_url)
    # Asynchronously: the fake WeChat Pay it talks to runs in this event loop.
    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli", "payments", "reconcile", "--since", "2h", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(command.communicate(), 60)
    assert command.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert f"{lost['order_no']}\tcontact_voucher\t17.99" in lines[0] and lines[0].endswith("\tpaid")
    assert waiting["order_no"] in lines[1] and lines[1].endswith("\tunchanged")
    assert "2 unpaid orders since" in lines[2] and "1 paid" in lines[2]
    assert (await Order.get(order_no=lost["order_no"])).status == "paid"
    assert (await vouchers(client, owner))["contact_voucher_num"] == 5
