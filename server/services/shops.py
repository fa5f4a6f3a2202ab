"""The 招租 section's own rules: none beyond the bodies' (a shop's rent, fee and area stand alone; an owner or
an agent may post many shops). Publishing, editing, closing, refreshing, the detail and "my postings" are every
section's (server/services/postings.py)."""

from __future__ import annotations

from sections import SHOPS
from server.providers.content_check import ContentChecker
from server.services import postings
from server.services.images import ImageUrls
from server.services.posting_caps import PostingCaps


async def create(user_id: int, fields: dict, image_urls: ImageUrls, checker: ContentChecker,
                 caps: PostingCaps) -> int:
    return await postings.publish(SHOPS, user_id, fields, image_urls, checker, caps)


async def update(user_id: int, shop_id: int, changes: dict, image_urls: ImageUrls, checker: ContentChecker) -> None:
    await postings.edit(SHOPS, user_id, shop_id, changes, image_urls, checker)
