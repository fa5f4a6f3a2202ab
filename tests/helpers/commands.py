"""Running the operator's commands as an operator would: a process of their own on the suite's database."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable


def command_env(settings, extra_env: dict[str, str] | None = None, dropped: tuple[str, ...] = ()) -> dict[str, str]:
    """An operator's environment: the suite's database, development, `extra_env`; no other service's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "ELASTIC", *dropped))}
    env.update(DATABASE_URL=settings.resolved_database_url, APP_ENV="dev", DATA_DIR=str(settings.data_dir),
               UPLOADS_BASE_URL=settings.uploads_base_url, **(extra_env or {}))
    return env


def _command(settings, command: list[str], extra_env: dict[str, str] | None = None,
             dropped: tuple[str, ...] = ()) -> Callable[..., Awaitable[tuple[int, str, str]]]:
    env = command_env(settings, extra_env, dropped)

    async def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *command, *args, env=env,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin is not None else None), 60)
        return process.returncode, out.decode(), err.decode()

    return run


def moderation_command(settings) -> Callable[..., Awaitable[tuple[int, str, str]]]:
    """`await run("reports", ...)`: `jobboard moderation ...` on the suite's database and Redis (where the
    tokens and console sessions are) → (code, out, err); `stdin=` answers a password prompt."""
    return _command(settings, ["-m", "server.cli", "moderation"],
                    {"REDIS_URL": settings.redis_url} if settings.redis_url else None)


def payments_command(settings, extra_env: dict[str, str]) -> Callable[..., Awaitable[tuple[int, str, str]]]:
    """`await run("refund", ...)`: `python -m server.payments ...` on the suite's database, with `extra_env`
    (the WECHATPAY_* of the fake WeChat Pay) → (code, out, err). Asynchronous: the fake it talks to runs in
    the test's event loop."""
    return _command(settings, ["-m", "server.payments"], extra_env, dropped=("WECHATPAY_",))
