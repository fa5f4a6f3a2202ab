"""Every uploaded image goes to WeChat's asynchronous media check; its verdict arrives later as a message
push. A risky image is removed from storage and from every posting and avatar that holds it."""

from __future__ import annotations

import logging

from models.posting_reads import postings_with_photo
from models.posting_writes import posting_transaction, save_posting
from models.moderation import ImageCheck
from models.user import User
from runtime import clock
from sections import all_sections
from server.providers.content_check import SCENE_FORUM, ContentChecker, ContentCheckUnavailable
from server.providers.storage import ImageStorage
from server.services.moderation import SYSTEM, audit

log = logging.getLogger("server.content")


async def submit(checker: ContentChecker, openid: str, user_id: int, key: str, url: str) -> None:
    """Recorded whatever WeChat says: unsubmitted (no trace id) when it is unavailable, retried later.
    The upload itself never fails for it."""
    now = clock.now()
    try:
        trace_id = await checker.submit_image(url, openid, SCENE_FORUM)
    except ContentCheckUnavailable:
        trace_id = None
    await ImageCheck.create(key=key, url=url, user_id=user_id, trace_id=trace_id, create_at=now, update_at=now)


async def submit_unsent(checker: ContentChecker, limit: int = 50) -> int:
    """The background round's part for images: those WeChat could not take at upload, the longest waiting
    first. One WeChat refuses (an errcode) goes to the back; WeChat unreachable ends the round."""
    sent = 0
    for check in await ImageCheck.filter(trace_id=None).order_by("update_at", "id").limit(limit):
        owner = await User.get_or_none(id=check.user_id)
        try:
            check.trace_id = await checker.submit_image(check.url, owner.openid if owner else "", SCENE_FORUM)
        except ContentCheckUnavailable as exc:
            if exc.errcode is None or exc.retry_after:  # unreachable or rate-limited: a later round
                raise
            log.warning("image %s not taken by the media check (errcode %s): tried again later", check.id, exc.errcode)
        else:
            sent += 1
        check.update_at = clock.now()
        await check.save(update_fields=["trace_id", "update_at"])
    return sent


async def check_failed(trace_id: str, errcode) -> None:
    """WeChat's push says it could not check the image: forget the trace id, so that the background
    round submits it again."""
    log.warning("media check of an image failed at WeChat (errcode %s): submitted again later", errcode)
    await ImageCheck.filter(trace_id=trace_id, verdict="").update(trace_id=None, update_at=clock.now())


async def apply_verdict(storage: ImageStorage, trace_id: str, suggest: str) -> bool:
    """WeChat's verdict for one submitted image; True when it changed something (a repeated push does not)."""
    check = await ImageCheck.get_or_none(trace_id=trace_id)
    if check is None:
        log.warning("media check verdict for an unknown trace id")
        return False
    if check.verdict == suggest or suggest not in ("pass", "review", "risky"):
        return False
    if suggest == "risky":
        # First the removal, then the verdict: if the removal fails (storage away, process killed), the
        # push answers an error, WeChat sends it again, and the removal (idempotent) is done then.
        await _remove(storage, check)
    check.verdict, check.update_at = suggest, clock.now()
    await check.save(update_fields=["verdict", "update_at"])
    return True


async def _remove(storage: ImageStorage, check: ImageCheck) -> None:
    now = clock.now()
    await storage.delete(check.key)
    # Anyone may have put one of our URLs in a posting of any section or an avatar, not only its uploader.
    for job in [p for section in all_sections() for p in await postings_with_photo(section.model, check.url)]:
        async with posting_transaction():
            job = await type(job).select_for_update().get(id=job.id)
            if check.url not in (job.photo_urls or []):
                continue  # edited meanwhile
            job.photo_urls = [url for url in job.photo_urls or [] if url != check.url]
            job.photo_held = True  # out of the listing until its owner edits it
            await save_posting(job, "image_removed", now, ["photo_urls", "photo_held"])
    await User.filter(avatar=check.url).update(avatar="", update_at=now)
    await audit(SYSTEM, "remove_image", "user", check.user_id, f"media check: risky image {check.key}", now)
    log.warning("risky image %s of user %s removed", check.key, check.user_id)
