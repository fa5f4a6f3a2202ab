"""The list answer's `cursor`: where the next page starts (`search_after`), opaque to the mini-program.

It holds the sort values of the page's last item, which part of a recommended list they belong to (the
paid tops or the rest), the point a nearby list measured from, and a digest of the list it belongs to, so a
cursor given to another list (other filters, another section) is refused rather than answered wrongly.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import orjson

VERSION = 1
TOPS, REST, ALL = "t", "r", "a"  # a recommended list's tops, the rest after them; any other list as one


class BadCursor(ValueError):
    """A cursor that is not one of ours, or not this list's."""


def list_digest(parts: tuple) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=6).hexdigest()


@dataclass(frozen=True)
class Cursor:
    part: str
    after: list  # the sort values of the last item shown
    point: tuple[float, float] | None = None  # (lat, lon) a nearby list's distances are from

    def encode(self, digest: str) -> str:
        raw = orjson.dumps([VERSION, digest, self.part, self.after, self.point])
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, text: str, digest: str) -> "Cursor":
        try:
            version, owner, part, after, point = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            valid = (version == VERSION and part in (TOPS, REST, ALL) and isinstance(after, list)
                     and all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in after)
                     and (point is None or (isinstance(point, list) and len(point) == 2
                                            and all(isinstance(v, (int, float)) for v in point))))
        except (ValueError, TypeError):
            valid, owner = False, None
        if not valid:
            raise BadCursor("cursor is not one this list gave: start again from page_num 1 without a cursor")
        if owner != digest:
            raise BadCursor("cursor belongs to another list (other filters, keyword or list type): start again "
                            "from page_num 1 without a cursor")
        return cls(part, after, tuple(point) if point is not None else None)
