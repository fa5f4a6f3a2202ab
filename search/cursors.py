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
# A list in relevance order continues at an offset, up to the window: a search_after on a float score is
# exact on Elasticsearch but not on every engine, and relevance 10,000 results deep is noise.
OFFSET = "o"


class BadCursor(ValueError):
    """A cursor that is not one of ours, or not this list's."""


def _number(value) -> bool:
    """A sort value the engine takes back: a number a long holds (times, ids, distances)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 2**62


def list_digest(parts: tuple) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=6).hexdigest()


@dataclass(frozen=True)
class Cursor:
    part: str
    after: list  # the sort values of the last item shown ([the next offset] for OFFSET)
    point: tuple[float, float] | None = None  # (lat, lon) a nearby list's distances are from
    shown: int = 0  # items the pages before this cursor showed: the list ends once it reaches an exact total

    def encode(self, digest: str) -> str:
        raw = orjson.dumps([VERSION, digest, self.part, self.after, self.point, self.shown])
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, text: str, digest: str) -> "Cursor":
        try:
            version, owner, part, after, point, shown = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            valid = (version == VERSION and part in (TOPS, REST, ALL, OFFSET) and isinstance(after, list)
                     and 0 < len(after) <= 3 and all(_number(v) for v in after)
                     and isinstance(shown, int) and 0 <= shown < 2**62
                     and (part != OFFSET or (len(after) == 1 and isinstance(after[0], int) and after[0] >= 0))
                     and (point is None or (isinstance(point, list) and len(point) == 2 and all(map(_number, point))
                                            and abs(point[0]) <= 90 and abs(point[1]) <= 180)))
        except (ValueError, TypeError):
            valid, owner = False, None
        if not valid:
            raise BadCursor("cursor is not one this list gave: start again from page_num 1 without a cursor")
        if owner != digest:
            raise BadCursor("cursor belongs to another list (other filters, keyword or list type): start again "
                            "from page_num 1 without a cursor")
        return cls(part, after, tuple(point) if point is not None else None, shown)
