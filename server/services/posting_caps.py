"""Posting caps: how many postings one account may have in a section, open at once and new a day. One account
posted 59 shops in a minute and could flood the "latest" list; a worker has one open card. Checked when
publishing (before asking WeChat, and again under the owner's row lock, which serialises one account's
creates) and when an operator restores a posting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from models.posting_reads import open_posting_of, postings_of
from runtime import clock
from runtime.settings import Settings
from sections import Section
from server.services.errors import OneOpenPosting, PostingCapReached

OPEN_CAP_UNNAMED = 10  # open postings per account in a section MAX_OPEN_POSTINGS does not name


def _setting(name: str):
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class PostingCaps:
    """How many postings one account may have in a section: open at once (by section name, 0: no cap), and
    new per Shanghai calendar day, closed ones counted (0: no cap). A section with one open posting per user
    has one. The same numbers for every account: raising them for a verified business later is an override
    read in `open_cap` / `publish` (e.g. a column on the user), not another rule."""

    open_per_section: Mapping[str, int] = field(default_factory=lambda: _setting("max_open_postings"))
    new_per_day: int = _setting("max_new_postings_per_day")

    @classmethod
    def from_settings(cls, settings) -> "PostingCaps":
        return cls(settings.max_open_postings, settings.max_new_postings_per_day)

    def open_cap(self, section: Section) -> int:
        return 1 if section.one_open_per_user else self.open_per_section.get(section.name, OPEN_CAP_UNNAMED)


async def within_open_cap(section: Section, user_id: int, caps: PostingCaps, reopening: int | None = None) -> None:
    """OneOpenPosting (naming the open one) or PostingCapReached when the user may not have one more open
    posting (`reopening`: the closed one an operator restores, for the message naming another)."""
    if section.one_open_per_user:
        if (open_id := await open_posting_of(section.model, user_id, reopening)) is not None:
            raise OneOpenPosting(section.target, section.name, open_id)
        return
    cap = caps.open_cap(section)
    if cap and await postings_of(section.model, user_id, section.biz_type, open_only=True) >= cap:
        raise PostingCapReached(f"one account may have {cap} open {section.name} at once: close one first",
                                {"cap": "max_open_postings", "section": section.name, "limit": cap})


async def within_caps(section: Section, user_id: int, caps: PostingCaps) -> None:
    """Refuses (naming the cap) one more posting of the user's now; call it again under their row lock."""
    await within_open_cap(section, user_id, caps)
    today = datetime.combine(clock.now().date(), datetime.min.time())
    if caps.new_per_day and await postings_of(section.model, user_id, section.biz_type,
                                              created_since=today) >= caps.new_per_day:
        raise PostingCapReached(f"one account may post {caps.new_per_day} {section.name} a day: post again tomorrow",
                                {"cap": "max_new_postings_per_day", "section": section.name,
                                 "limit": caps.new_per_day})
