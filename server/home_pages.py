"""Each section's home page (its first recommended page with no filter, asked anonymously) kept as the
encoded answer: the same bytes for every visitor, answered before the body is validated, the caller looked
up or the items shaped. Kept as long as the engine's page it was made from (`recent_pages`: at most
LISTING_CACHE_SECONDS, and dropped at once when this process writes to that section's index).

Only bodies that plainly ask for the home page are answered here (recommended, page 1, no filter, no
cursor, a page size, an optional request_id): anything else, or anything unusual in those fields, goes
through the handler, whose answer is the same (a test compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, wraps

import orjson
from sanic.response import HTTPResponse

from runtime import clock
from search import recent_pages
from search.listing import RECOMMENDED, ListingRequest

_HOME_FIELDS = frozenset(("request_id", "query_type", "filter", "page_num", "page_size"))
MAX_PAGE_SIZE = 50  # the list bodies' own bound (sections.fields.PageSize)
_CLOSE = b"}}"  # how an envelope whose data is a dict ends


@dataclass(frozen=True)
class HomeRequest:
    page_size: int
    request_id: str | None


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def home_request(raw: bytes) -> HomeRequest | None:
    """The page size and request id of a body that plainly asks for a home page, else None."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict) or not body.keys() <= _HOME_FIELDS:
        return None
    if body.get("query_type", RECOMMENDED) != RECOMMENDED or body.get("page_num", 1) != 1 \
            or body.get("filter") not in (None, {}):
        return None
    page_size, request_id = body.get("page_size", 10), body.get("request_id")
    if not (_int(page_size) and 1 <= page_size <= MAX_PAGE_SIZE) or not _int(body.get("query_type", 1)) \
            or not _int(body.get("page_num", 1)):
        return None
    if _int(request_id) and abs(request_id) < 10**18:
        request_id = str(request_id)  # as the body's validator takes a number
    elif request_id is not None and not (isinstance(request_id, str) and 0 < len(request_id) <= 64
                                         and request_id.isascii() and request_id.isprintable()
                                         and request_id == request_id.strip()):
        return None  # the handler says what is wrong (a control or invisible character...), or what it makes of it
    return HomeRequest(page_size, request_id)


@cache
def _page_key(page_size: int) -> tuple:
    """The page cache's key of a home page (what the list service asks `recent_pages` for)."""
    return ListingRequest(page_size=page_size).key()


class HomePages:
    """The kept bytes, by section and page size: the envelope without a request_id, which each answer adds."""

    def __init__(self, seconds: float):
        self._seconds = seconds
        # (section, page size) → (when the request that made them arrived, the section's drops then, bytes)
        self._kept: dict[tuple[str, int], tuple[float, tuple, bytes]] = {}

    def answer(self, section: str, home: HomeRequest) -> HTTPResponse | None:
        kept = self._kept.get((section, home.page_size))
        # Only while the engine's page they were made from is kept, and no write dropped it since.
        if kept is None or clock.monotonic() - kept[0] >= self._seconds or kept[1] != recent_pages.drops(section) \
                or not recent_pages.kept(section, _page_key(home.page_size)):
            return None
        body = kept[2]
        if home.request_id is not None:  # the data's last field, as the handler puts it
            body = b"%s,\"request_id\":%s%s" % (body[: -len(_CLOSE)], orjson.dumps(home.request_id), _CLOSE)
        return HTTPResponse(body, content_type="application/json")

    def state(self, section: str) -> tuple[float, tuple]:
        """What a request arriving now will make its bytes from (passed back to `keep`)."""
        return clock.monotonic(), recent_pages.drops(section)

    def keep(self, section: str, home: HomeRequest, state: tuple[float, tuple], encoded: bytes) -> None:
        if self._seconds <= 0:
            return
        answer = orjson.loads(encoded)
        data = answer.get("data")
        if not isinstance(data, dict):
            return
        data.pop("request_id", None)
        self._kept[(section, home.page_size)] = (*state, orjson.dumps(answer))


def serves_kept_home_page(section: str, anonymous):
    """A list handler that answers an anonymous home-page request from the app's kept bytes (`anonymous`:
    whether the request says nothing of who calls), and keeps its own answer to one."""

    def decorate(handler):
        @wraps(handler)
        async def wrapped(request, *args, **kwargs):
            pages: HomePages = request.app.ctx.home_pages
            home = home_request(request.body) if anonymous(request) else None
            if home is not None and (kept := pages.answer(section, home)) is not None:
                return kept
            state = pages.state(section) if home is not None else None
            response = await handler(request, *args, **kwargs)
            if home is not None and response.status == 200:
                pages.keep(section, home, state, response.body)
            return response

        return wrapped

    return decorate
