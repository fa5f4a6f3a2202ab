"""Structured (JSON-lines) logs for every process. Tokens, phones, secrets and stored values never go in."""

from __future__ import annotations

import logging
import re
import sys
import time
import traceback
from contextvars import ContextVar

import orjson

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Database drivers and the ORM put the failing value in their error text (a phone number, once): their
# messages never reach the log, only the exception's type and where it was raised.
_VALUE_BEARING_MODULES = ("tortoise", "asyncmy", "pymysql", "aiosqlite", "sqlite3", "pypika", "pydantic_core")


def _redacted(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in _VALUE_BEARING_MODULES


def format_exception_safely(exc: BaseException) -> str:
    """A traceback (causes included) in which value-bearing exception messages are withheld."""
    parts: list[str] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        name = f"{type(exc).__module__}.{type(exc).__qualname__}"
        message = "(message withheld: it may hold stored values)" if _redacted(exc) else str(exc)
        parts.append("".join(traceback.format_tb(exc.__traceback__)) + f"{name}: {message}")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n-- caused by / while handling --\n".join(reversed(parts))


class JsonFormatter(logging.Formatter):
    _second = -1
    _stamp = ""

    def _time(self, created: float) -> str:
        # One strftime a second, not one a line: the access log writes a line per request.
        second = int(created)
        if second != self._second:
            self._second, self._stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(second))
        return self._stamp

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = format_exception_safely(record.exc_info[1])
        return orjson.dumps(entry).decode()


def configure_logging(level: int = logging.INFO) -> None:
    # What the JSON lines never show, so no record gathers it: the caller's file and line (a walk up
    # the stack per record), thread and process names (the logging HOWTO's "Optimization" section).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    # oss2 logs whole error answers at INFO and requests at DEBUG: keys and object names stay out.
    logging.getLogger("oss2").setLevel(logging.WARNING)
    for name in ("server", "search", "indexer", "models", "runtime", "sanic"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    # Everything else (libraries' warnings, Python's `warnings`) in the same JSON lines: Python's last-resort
    # handler would print them bare. The apps are made with Sanic's own logging set-up off (server/app.py).
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.WARNING)
    logging.captureWarnings(True)
    # The MySQL driver logs the server's warnings, which quote the values involved (a duplicate phone number).
    driver = logging.getLogger("asyncmy")
    if not any(isinstance(f, _QuotedValuesWithheld) for f in driver.filters):
        driver.addFilter(_QuotedValuesWithheld())


class _QuotedValuesWithheld(logging.Filter):
    _quoted = re.compile(r"'(?:[^'\\]|\\.)*'")

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._quoted.sub("'…'", record.getMessage()), None
        return True
