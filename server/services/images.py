"""Uploaded images: judged by their bytes, decoded in full, stripped of GPS data, stored under a key the
server makes. Avatars and job photos may only point at images this service handed out."""

from __future__ import annotations

import asyncio
import io
import re
import time
import warnings
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import redis.asyncio as redis
from PIL import Image, UnidentifiedImageError

from models.moderation import issued_images
from models.user import User
from server.providers.content_check import ContentChecker
from server.providers.storage import LOCAL_SIGNED_PATH, LOCAL_UPLOADS_PATH, ImageStorage, LocalStorage
from server.services import image_checks, image_files, rate_limits
from server.services.errors import ImageRejected, ImagesBusy, ImageUrlNotAllowed, UserNotFound

# Pillow format → (extension, content type). Only these are accepted, whatever the name or declared type.
ACCEPTED = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "BMP": ("bmp", "image/bmp"),
            "WEBP": ("webp", "image/webp")}
# The keys the server makes (below): an image URL of ours ends in exactly one of these.
KEY = re.compile(r"img/\d+_\d+\.(jpg|png|bmp|webp)")
# Share codes' images (server/services/share_codes.py): served like the photos, never a user's image.
SHARE_KEY = re.compile(r"share/[a-z][0-9]{1,18}-[0-9a-f]{8}\.(png|jpg)")
# The first bytes of each accepted format: anything else is refused before Pillow parses it.
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"BM")


def _looks_like_an_image(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


@dataclass(frozen=True)
class ImageLimits:
    """The largest image decoded: pixels (memory: up to 4 bytes each) and longest side."""

    pixels: int
    side: int

    @classmethod
    def from_settings(cls, settings) -> "ImageLimits":
        return cls(settings.max_image_pixels, settings.max_image_side)


def opened(data: bytes, limits: ImageLimits) -> Image.Image:
    """The image read as far as its header (format and size, nothing decoded); ImageRejected if it is no
    image of an accepted format or larger than `limits`."""
    if not data:
        raise ImageRejected("the file is empty")
    if not _looks_like_an_image(data):
        raise ImageRejected("only jpg, jpeg, png, bmp and webp images are accepted")
    try:
        with warnings.catch_warnings():
            # Pillow's own guard (Image.MAX_IMAGE_PIXELS, the same setting) is the backstop: its error, at
            # twice the limit, refuses here; its warning is the limit below, which also names the size.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageRejected("the image has too many pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRejected("the image is corrupt or truncated") from None
    if image.format not in ACCEPTED:
        raise ImageRejected("only jpg, jpeg, png, bmp and webp images are accepted")
    width, height = image.size
    if width * height > limits.pixels:
        raise ImageRejected(f"the image has too many pixels (at most {limits.pixels})",
                            data={"width": width, "height": height})
    if max(width, height) > limits.side:
        raise ImageRejected(f"the image is too large (at most {limits.side} pixels on its longest side)",
                            data={"width": width, "height": height})
    return image


def decoded(image: Image.Image, data: bytes) -> tuple[bytes, str, str]:
    """The bytes to store (GPS removed, nothing after the image's end), their extension and content type;
    ImageRejected if the image does not decode in full. Blocking: call it off the event loop."""
    try:
        with image:
            image.load()  # the whole image decodes: a truncated or corrupt file fails here
            return (image_files.cleaned(image, data), *ACCEPTED[image.format])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRejected("the image is corrupt or truncated") from None


class Decoding:
    """At most `concurrency` images decode at once in this process (each may take max_image_pixels x 4
    bytes); the next ones wait up to `wait_seconds` for a slot, then are told to come back (503)."""

    RETRY_AFTER = 5  # seconds: a few decodes' time

    def __init__(self, concurrency: int, wait_seconds: float):
        self._slots = asyncio.Semaphore(concurrency)
        self._wait_seconds = wait_seconds
        self.waiting = 0  # uploads queued for a slot
        self.before_decode: Callable[[], object] | None = None  # tests hold a decode here, in its thread

    @classmethod
    def from_settings(cls, settings) -> "Decoding":
        # Pillow's own bomb guard, the backstop, follows the same setting (Pillow errors at twice it).
        Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
        return cls(settings.image_decode_concurrency, settings.image_decode_wait_seconds)

    async def decode(self, image: Image.Image, data: bytes) -> tuple[bytes, str, str]:
        self.waiting += 1
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            raise ImagesBusy(retry_after=self.RETRY_AFTER) from None
        finally:
            self.waiting -= 1
        # The slot is given back when the decode has ended, even if the request is dropped meanwhile:
        # a thread cannot be stopped, and its memory counts until it returns.
        running = asyncio.ensure_future(self._decode_then_release(image, data))
        running.add_done_callback(lambda task: task.cancelled() or task.exception())
        return await asyncio.shield(running)

    async def _decode_then_release(self, image: Image.Image, data: bytes) -> tuple[bytes, str, str]:
        try:
            return await asyncio.to_thread(self._decode, image, data)
        finally:
            self._slots.release()

    def _decode(self, image: Image.Image, data: bytes) -> tuple[bytes, str, str]:
        if self.before_decode is not None:
            self.before_decode()
        return decoded(image, data)


async def upload(storage: ImageStorage, cache: redis.Redis, per_minute: int, user_id: int,
                 read_file: Callable[[], Awaitable[bytes]], checker: ContentChecker,
                 decoding: Decoding, limits: ImageLimits) -> str:
    """One upload of `user_id`: counted (at most `per_minute`) before its bytes are read, its size judged
    from its header, decoded in one of `decoding`'s slots, stored, submitted to WeChat's media check;
    returns its public URL."""
    await rate_limits.hit(cache, "uploads", str(user_id), per_minute)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise UserNotFound()
    data = await read_file()
    image = await asyncio.to_thread(opened, data, limits)  # refused here holds no slot
    cleaned, extension, content_type = await decoding.decode(image, data)
    key = f"img/{user_id}_{time.time_ns()}.{extension}"  # never the client's file name
    url = await storage.put(key, cleaned, content_type)
    await image_checks.submit(checker, user.openid, user_id, key, url)
    return url


@dataclass(frozen=True)
class ImageUrls:
    """Which image URLs a job or profile may hold: images this service issued to its user, or URLs under
    IMAGE_URL_PREFIXES. The storage's host is ours alone: a URL on it must be exactly one issued key's URL
    (no `..`, query, fragment or percent-encoding), whatever the prefixes allow."""

    storage: ImageStorage
    prefixes: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, storage: ImageStorage, settings) -> "ImageUrls":
        return cls(storage, tuple(p.strip() for p in settings.image_url_prefixes.split(",") if p.strip()))

    async def check(self, user_id: int, field: str, urls: list[str], held: Collection[str] = ()) -> None:
        """ImageUrlNotAllowed (naming `field` and the URL) unless every URL is allowed for `user_id`. URLs the
        job or profile already holds (`held`) stay allowed: older rows may hold what these rules refuse."""
        ours = {}
        for url in urls:
            if url in held:
                continue
            if self._on_our_host(url):
                key = self._issued_key(url)
                if key is None:
                    raise ImageUrlNotAllowed(data={"field": field, "url": url})
                ours[key] = url
            elif not url.startswith(self.prefixes):
                raise ImageUrlNotAllowed(data={"field": field, "url": url})
        if ours:
            issued = await issued_images(user_id, list(ours))
            for key, url in ours.items():
                if key not in issued:
                    raise ImageUrlNotAllowed(data={"field": field, "url": url})

    def _on_our_host(self, url: str) -> bool:
        try:
            return urlsplit(url).hostname == urlsplit(self.storage.public_url("")).hostname
        except ValueError:
            return True  # unparseable: refused as ours

    def _issued_key(self, url: str) -> str | None:
        """The key `url` names if it could be one the server made; the registry lookup is the exact test,
        this only spares it what is plainly no key."""
        base = self.storage.public_url("")
        key = url[len(base):] if url.startswith(base) else ""
        return key if KEY.fullmatch(key) else None


def served_by_the_app(storage: ImageStorage) -> str | None:
    """The URL path under which the app itself serves the stored images (development's local storage);
    None where the storage serves them (OSS)."""
    return LOCAL_UPLOADS_PATH if isinstance(storage, LocalStorage) else None


def local_file(storage: ImageStorage, key: str) -> Path | None:
    """The stored file the app serves for `key`; None unless `key` is one the server makes, of a file there."""
    if not isinstance(storage, LocalStorage) or not (KEY.fullmatch(key) or SHARE_KEY.fullmatch(key)):
        return None
    path = storage.root / key
    return path if path.is_file() else None


SIGNED_PATH = LOCAL_SIGNED_PATH  # where the app serves the local storage's private files, signed


def signed_file(storage: ImageStorage, key: str, expires: str, signature: str) -> Path | None:
    """The local storage's private file a signed URL names, while the signature holds and it has not expired."""
    return storage.signed_file(key, expires, signature) if isinstance(storage, LocalStorage) else None
