"""Running the operator's commands as an operator would: a process of their own on the suite's database."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable


def moderation_command(settings) -> Callable[..., Awaitable[tuple[int, str, str]]]:
    """`await run("reports", ...)`: `jobboard moderation ...` on the suite's database → (code, out, err)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "ELASTIC"))}
    env.update(DATABASE_URL=settings.resolved_database_url, APP_ENV="dev", DATA_DIR=str(settings.data_dir),
               UPLOADS_BASE_URL=settings.uploads_base_url)

    async def run(*args: str) -> tuple[int, str, str]:
        command = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server.cli", "moderation", *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(command.communicate(), 60)
        return command.returncode, out.decode(), err.decode()

    return run
