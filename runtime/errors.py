"""The base of every error that names what happened in the domain's words (`PostingNotFound`, `LockBusy`).

They carry no HTTP status or exit code: the HTTP edge (server/errors.py) and each CLI map them, each in
one table, so services and providers stay usable from anywhere.
"""

from __future__ import annotations


class DomainError(Exception):
    """`detail`: a sentence for the person who hit it; `data`: what they may need to act on it;
    `retry_after`: seconds after which the same request may succeed (a limit, not a fault)."""

    detail = "the request cannot be carried out"

    def __init__(self, detail: str | None = None, data=None, retry_after: int | None = None):
        self.detail = detail or self.detail
        self.data = data
        self.retry_after = retry_after
        super().__init__(self.detail)
