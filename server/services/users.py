"""A user's own profile and location."""

from __future__ import annotations

from models.user import User
from runtime import clock
from server.providers.content_check import ContentChecker
from server.services import content
from server.services.errors import UserNotFound
from server.services.images import ImageUrls


async def profile(user_id: int) -> dict:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise UserNotFound()
    return {"user_id": user.id, "avatar": user.avatar, "name": user.name, "sex": user.sex, "phone": user.phone}


async def update(user_id: int, changes: dict, image_urls: ImageUrls, checker: ContentChecker) -> None:
    """Write the given profile or location fields; the others stay as they are."""
    if "avatar" in changes:
        user = await User.get_or_none(id=user_id)
        if user is None:
            raise UserNotFound()
        await image_urls.check(user_id, "avatar", [changes["avatar"]], held=[user.avatar])
    if changes.get("name"):
        user = await User.get_or_none(id=user_id)
        if user is None:
            raise UserNotFound()
        await content.check_profile_name(checker, user.openid, changes["name"])
    updated = await User.filter(id=user_id).update(**changes, update_at=clock.now())
    if not updated:
        raise UserNotFound()
