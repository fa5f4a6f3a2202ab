"""Share codes (小程序码) of postings, and the way back from a scanned code's scene to its posting.

A scene is the section's share letter and the posting's id (`j42`: job 42), so it stays within WeChat's 32
characters whatever the id. A code is made once per scene and page: its image is kept in storage (OSS behind the
CDN, or the local folder) and its key in `share_codes`; later requests answer its URL. Concurrent first requests
in one process wait for one making; across processes each may make one, and the first row stored wins (the image
under the same key either way).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass

import redis.asyncio as redis
from tortoise.exceptions import IntegrityError

from models.messages import ShareCode
from models.postings import STATUS_OPEN
from runtime import clock
from sections import Section, all_sections, by_share_letter, served
from server.providers.share_codes import ShareCodeMaker, ShareCodeUnavailable, image_kind
from server.providers.storage import ImageStorage
from server.services import rate_limits
from server.services.errors import PostingClosed, PostingNotFound, PurposeTypeUnsupported

SCENE = re.compile(r"(?P<letter>[a-z])(?P<id>[1-9][0-9]{0,17})")


@dataclass(frozen=True)
class ShareCodeRules:
    page: str
    width: int = 430
    env_version: str = "release"
    per_minute: int = 20

    @classmethod
    def from_settings(cls, settings) -> ShareCodeRules:
        return cls(settings.share_code_page, settings.share_code_width, settings.share_code_env_version,
                   settings.rate_limit_share_codes_per_user)


def scene_of(section: Section, posting_id: int) -> str:
    return f"{section.share_letter}{posting_id}"


def _shareable(biz_type: int) -> Section:
    section = served(biz_type)
    if section is None or not section.share_letter:
        raise PurposeTypeUnsupported({s.biz_type: s.target for s in all_sections() if s.share_letter})
    return section


async def _listed(section: Section, posting_id: int):
    """The posting if others may see it: not hidden or taken down, and not a closed private one."""
    posting = await section.model.get_or_none(id=posting_id)
    if posting is None or posting.moderation or (section.closed_is_private and posting.status != STATUS_OPEN):
        raise PostingNotFound(section.target)
    return posting


# The makings in progress in this process, by (scene, page): a second request waits for the first's.
_making: dict[tuple[str, str], asyncio.Future] = {}


async def code(storage: ImageStorage, maker: ShareCodeMaker, cache: redis.Redis, rules: ShareCodeRules,
               user_id: int, biz_type: int, posting_id: int) -> dict:
    """The share code of an open posting: its image's URL, scene and page. ShareCodeUnavailable (503) when
    WeChat makes none; RateLimited beyond the user's budget."""
    await rate_limits.hit(cache, "share-codes", str(user_id), rules.per_minute)
    section = _shareable(biz_type)
    posting = await _listed(section, posting_id)
    if posting.status != STATUS_OPEN:
        raise PostingClosed(section.target, {f"{section.target}_id": posting.id},
                            f"this {section.target} is closed: it cannot be shared")
    scene = scene_of(section, posting.id)
    row = await ShareCode.get_or_none(scene=scene, page=rules.page)
    if row is not None:
        return {"url": storage.public_url(row.object_key), "scene": scene, "page": rules.page}
    key = (scene, rules.page)
    making = _making.get(key)
    if making is None:
        making = _making[key] = asyncio.ensure_future(_make(storage, maker, rules, scene))
        making.add_done_callback(lambda _: _making.pop(key, None))
    # Shielded: a caller that hangs up does not cancel the making the others wait for.
    return {"url": await asyncio.shield(making), "scene": scene, "page": rules.page}


async def _make(storage: ImageStorage, maker: ShareCodeMaker, rules: ShareCodeRules, scene: str) -> str:
    image = await maker.make(scene, rules.page, rules.width, rules.env_version)
    kind = image_kind(image)
    if kind is None:
        raise ShareCodeUnavailable()
    content_type, extension = kind
    # One key per scene and what the code opens: another page or size is another image.
    variant = hashlib.sha256(f"{rules.page}|{rules.width}|{rules.env_version}".encode()).hexdigest()[:8]
    object_key = f"share/{scene}-{variant}.{extension}"
    url = await storage.put(object_key, image, content_type)
    try:
        await ShareCode.create(scene=scene, page=rules.page, object_key=object_key, create_at=clock.now())
    except IntegrityError:  # another process stored its own first: everyone answers that one
        return storage.public_url((await ShareCode.get(scene=scene, page=rules.page)).object_key)
    return url


async def resolve(scene: str) -> dict:
    """A scanned code's posting: its biz_type and id, or PostingNotFound (404) when it is gone, closed, hidden or
    taken down (the mini-program shows its own "no longer available")."""
    parsed = SCENE.fullmatch(scene)
    section = by_share_letter(parsed["letter"]) if parsed else None
    if section is None:
        raise PostingNotFound("posting")
    posting = await _listed(section, int(parsed["id"]))
    if posting.status != STATUS_OPEN:
        raise PostingNotFound(section.target)
    return {"biz_type": section.biz_type, "id": posting.id}
