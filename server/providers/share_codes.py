"""Share codes (小程序码): `WeChatShareCodes` asks WeChat for one (wxa/getwxacodeunlimit, through the app's one
WeChat client); `DevShareCodes` draws a real QR code holding the scene with segno, so the whole flow works on
the embedded defaults (scanned, it shows the scene, not the mini-program)."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Protocol

from runtime.errors import DomainError
from server.providers.wechat_api import WeChatApi, WeChatApiError

log = logging.getLogger("server.wechat")

_SIGNATURES = {b"\x89PNG\r\n\x1a\n": ("image/png", "png"), b"\xff\xd8\xff": ("image/jpeg", "jpg")}


class ShareCodeUnavailable(DomainError):
    detail = "share codes are temporarily unavailable, try again later"


def image_kind(data: bytes) -> tuple[str, str] | None:
    """(content type, file extension) of a PNG or JPEG, from its first bytes; None for anything else."""
    return next((kind for signature, kind in _SIGNATURES.items() if data.startswith(signature)), None)


class ShareCodeMaker(Protocol):
    async def make(self, scene: str, page: str, width: int, env_version: str) -> bytes:
        """The image of a code opening `page` with `scene` (PNG or JPEG). ShareCodeUnavailable if none."""

    async def close(self) -> None: ...


class WeChatShareCodes:
    def __init__(self, api: WeChatApi):
        self._api = api

    async def close(self) -> None:
        return None  # the WeChat client is shared: the app closes it once

    async def make(self, scene: str, page: str, width: int, env_version: str) -> bytes:
        # check_path: WeChat refuses a page missing from the released version; trial and develop builds
        # have none to check against.
        payload = {"scene": scene, "page": page, "width": width, "env_version": env_version,
                   "check_path": env_version == "release"}
        try:
            data, _ = await self._api.call_for_bytes("/wxa/getwxacodeunlimit", payload)
        except WeChatApiError as exc:
            log.warning("share code for %s not made: %s", scene, exc.errcode if exc.errcode is not None else exc.detail)
            raise ShareCodeUnavailable() from None
        if image_kind(data) is None:
            log.warning("share code for %s: WeChat's answer is no PNG or JPEG", scene)
            raise ShareCodeUnavailable()
        return data


class DevShareCodes:
    async def close(self) -> None:
        return None

    async def make(self, scene: str, page: str, width: int, env_version: str) -> bytes:
        return await asyncio.to_thread(_qr_png, f"{page}?scene={scene}", width)


def _qr_png(text: str, width: int) -> bytes:
    import segno  # only the development provider draws codes

    code = segno.make_qr(text, error="m")
    out = io.BytesIO()
    # About `width` pixels wide, as WeChat's codes are (its modules plus a 4-module border each side).
    code.save(out, kind="png", scale=max(1, width // (code.symbol_size()[0])), border=4)
    return out.getvalue()


def build_share_codes(api: WeChatApi | None) -> ShareCodeMaker:
    return WeChatShareCodes(api) if api is not None else DevShareCodes()
