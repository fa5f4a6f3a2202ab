"""Uploaded images: judged by their bytes, decoded in full, stripped of GPS data, stored under a key the
server makes. Avatars and job photos may only point at images this service handed out."""

from __future__ import annotations

import asyncio
import io
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as redis
from PIL import Image, UnidentifiedImageError

from models.user import User
from server.providers.content_check import ContentChecker
from server.providers.storage import ImageStorage
from server.services import image_checks, rate_limits
from server.services.errors import ImageRejected, ImageUrlNotAllowed, UserNotFound

# Pillow format → (extension, content type). Only these are accepted, whatever the name or declared type.
ACCEPTED = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "BMP": ("bmp", "image/bmp"),
            "WEBP": ("webp", "image/webp")}
# The first bytes of each accepted format: anything else is refused before Pillow parses it.
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"BM")
_GPS_IFD = 0x8825


def _looks_like_an_image(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def inspect(data: bytes) -> tuple[bytes, str, str]:
    """The bytes to store, their extension and content type; ImageRejected if this is no whole image of an
    accepted format. Blocking (a full decode): call it off the event loop."""
    if not data:
        raise ImageRejected("the file is empty")
    if not _looks_like_an_image(data):
        raise ImageRejected("only jpg, jpeg, png, bmp and webp images are accepted")
    try:
        with warnings.catch_warnings():
            # Pillow's decompression-bomb guard: its warning (over ~89 Mpx) is a refusal here too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED:
                    raise ImageRejected("only jpg, jpeg, png, bmp and webp images are accepted")
                image.load()  # the whole image decodes: a truncated or corrupt file fails here
                extension, content_type = ACCEPTED[image.format]
                if image.format == "JPEG":
                    data = _without_location(image, data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("the image has too many pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRejected("the image is corrupt or truncated") from None
    return data, extension, content_type


def _without_location(image: Image.Image, data: bytes) -> bytes:
    """The JPEG without its GPS block; untouched (no re-encoding) when it has none. Orientation is kept."""
    exif = image.getexif()
    if _GPS_IFD not in exif:
        return data
    del exif[_GPS_IFD]
    out = io.BytesIO()
    # quality="keep" reuses the file's own quantisation tables: no visible loss from saving again.
    image.save(out, format="JPEG", quality="keep", exif=exif.tobytes(), icc_profile=image.info.get("icc_profile"))
    return out.getvalue()


async def upload(storage: ImageStorage, cache: redis.Redis, per_minute: int, user_id: int,
                 read_file: Callable[[], Awaitable[bytes]], checker: ContentChecker) -> str:
    """One upload of `user_id`: counted (at most `per_minute`) before its bytes are read, validated,
    stored, submitted to WeChat's media check; returns its public URL."""
    await rate_limits.hit(cache, "uploads", str(user_id), per_minute)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise UserNotFound()
    cleaned, extension, content_type = await asyncio.to_thread(inspect, await read_file())
    key = f"img/{user_id}_{time.time_ns()}.{extension}"  # never the client's file name
    url = await storage.put(key, cleaned, content_type)
    await image_checks.submit(checker, user.openid, user_id, key, url)
    return url


@dataclass(frozen=True)
class ImageUrls:
    """Which image URLs a job or profile may hold: the storage's own, or under IMAGE_URL_PREFIXES."""

    storage: ImageStorage
    prefixes: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, storage: ImageStorage, settings) -> "ImageUrls":
        return cls(storage, tuple(p.strip() for p in settings.image_url_prefixes.split(",") if p.strip()))

    def check(self, urls: list[str]) -> None:
        for url in urls:
            if not (self.storage.owns(url) or url.startswith(self.prefixes)):
                raise ImageUrlNotAllowed(data={"url": url})
