"""Where uploaded images go: Aliyun OSS in production (server/providers/oss_storage.py), a local folder
served by the app in development. Keys are made by the server; each storage hands out public URLs."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlencode

from runtime import clock
from runtime.errors import DomainError

LOCAL_UPLOADS_PATH = "/uploads"  # where the app serves LocalStorage's files
# Keys under this prefix are private (business licences): never at a public URL, only signed, short-lived ones.
PRIVATE_PREFIX = "private/"
_PRIVATE_KEY = re.compile(r"private/[a-z]+/\d+_\d+\.(jpg|png|bmp|webp)")  # the keys the server makes there
LOCAL_SIGNED_PATH = "/signed"  # where the app serves LocalStorage's private files, to a valid signature only


class StorageUnavailable(DomainError):
    detail = "image storage is temporarily unavailable, try again"


class ImageStorage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store `data` under `key` (e.g. `img/42_1768292213248008000.png`); returns its public URL."""

    def public_url(self, key: str) -> str: ...

    def owns(self, url: str) -> bool:
        """Whether `url` is one this storage hands out."""

    async def delete(self, key: str) -> None:
        """Remove the object (content security found it risky); a missing one is not an error."""

    async def put_private(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (PRIVATE_PREFIX...) readable by no public URL."""

    async def get_private(self, key: str) -> bytes: ...

    def signed_url(self, key: str, seconds: int) -> str:
        """A URL that reads the private object for `seconds`, then no more."""

    async def close(self) -> None: ...


class LocalStorage:
    """Files under `root` (`$DATA_DIR/uploads`), served by the app at LOCAL_UPLOADS_PATH."""

    def __init__(self, root: Path, base_url: str):
        self.root = root
        self._base = base_url.rstrip("/") + LOCAL_UPLOADS_PATH + "/"

    def public_url(self, key: str) -> str:
        return self._base + key

    def owns(self, url: str) -> bool:
        return url.startswith(self._base)

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        path = self.root / key
        await asyncio.to_thread(_write_atomically, path, data)
        return self.public_url(key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread((self.root / key).unlink, missing_ok=True)

    async def put_private(self, key: str, data: bytes, content_type: str) -> None:
        if not key.startswith(PRIVATE_PREFIX):
            raise ValueError(f"a private key starts with {PRIVATE_PREFIX}")
        await asyncio.to_thread(_write_atomically, self.root / key, data)

    async def get_private(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread((self.root / key).read_bytes)
        except OSError:
            raise StorageUnavailable() from None

    def signed_url(self, key: str, seconds: int) -> str:
        expires = int(clock.epoch()) + seconds
        query = urlencode({"expires": expires, "signature": self._signature(key, expires)})
        return f"{self._base[:-len(LOCAL_UPLOADS_PATH) - 1]}{LOCAL_SIGNED_PATH}/{quote(key)}?{query}"

    def signed_file(self, key: str, expires: str, signature: str) -> Path | None:
        """The private file a signed URL names, while its signature holds and it has not expired."""
        if not (_PRIVATE_KEY.fullmatch(key) and expires.isdigit()
                and int(expires) >= clock.epoch()
                and hmac.compare_digest(self._signature(key, int(expires)), signature)):
            return None
        path = self.root / key
        return path if path.is_file() else None

    def _signature(self, key: str, expires: int) -> str:
        return hmac.new(self._signing_key(), f"{key}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def _signing_key(self) -> bytes:
        """A random key kept beside the files (development: every process of the app and the CLI share it)."""
        path = self.root / ".signing-key"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                    out.write(secrets.token_bytes(32))
            except FileExistsError:  # another process made it first
                pass
            return path.read_bytes()

    async def close(self) -> None:
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    # A crash mid-write leaves a temporary file, never a truncated image behind a handed-out URL.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def build_storage(settings) -> ImageStorage:
    if settings.oss_bucket:
        from server.providers.oss_storage import OssStorage

        return OssStorage(settings.oss_endpoint, settings.oss_bucket, settings.oss_access_key_id,
                          settings.oss_access_key_secret, settings.oss_public_base_url or None,
                          timeout=settings.oss_timeout_seconds)
    return LocalStorage(settings.data_dir / "uploads", settings.uploads_base_url)
