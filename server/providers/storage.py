"""Where uploaded images go: Aliyun OSS in production (server/providers/oss_storage.py), a local folder
served by the app in development. Keys are made by the server; each storage hands out public URLs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

from runtime.errors import DomainError

LOCAL_UPLOADS_PATH = "/uploads"  # where the app serves LocalStorage's files


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
