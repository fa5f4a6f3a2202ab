"""Reading a business licence (营业执照) photo: WeChat's OCR (`cv/ocr/bizlicense`, through the app's one WeChat
client, the image sent as a multipart `img`: a licence is private, so never by URL), or the development reader.

Both answer a `Licence`, or raise `NotALicence` (the photo's fault: the poster is told at once) or
`ReaderUnavailable` (WeChat's quota reached, unreachable, refusing: the submission is kept and read again).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from PIL import Image
from pydantic import ConfigDict

from runtime.errors import DomainError
from server.providers.wechat_api import AccessTokenFailed, Answer, WeChatApi, WeChatApiError, WeChatRefused

log = logging.getLogger("server.wechat")

# WeChat OCR's "no usable image / no certificate in it": 101000 bad image data, 101001 certificate not found,
# 101002 invalid image. The poster's doing; every other failure is ours to retry.
NOT_A_LICENCE_CODES = {101000, 101001, 101002}
# WeChat's limit on the uploaded image (2 MB): a larger photo is sent as a smaller JPEG.
MAX_OCR_BYTES = 2 * 1024 * 1024
_DATE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})")


class NotALicence(DomainError):
    detail = "this photo is not a readable business licence: photograph the whole licence, flat and in focus"


class ReaderUnavailable(DomainError):
    """No reading now (quota, WeChat away): the caller keeps the submission and reads it again later."""

    def __init__(self, detail: str, errcode: int | None = None):
        super().__init__(detail)
        self.errcode = errcode


@dataclass(frozen=True)
class Licence:
    registration_number: str
    enterprise_name: str
    legal_representative: str
    address: str
    valid_period: str  # as printed ("2018年01月01日至2038年01月01日", "长期")
    valid_until: date | None  # None: 长期, or no end date printed


def valid_until(period: str) -> date | None:
    """The last day of a printed 营业期限: its last date, unless it runs 长期 (or names no date)."""
    if not period or period.rstrip().endswith(("长期", "永久", "无固定期限")):
        return None
    found = _DATE.findall(period)
    if not found:
        return None
    try:
        return date(*(int(part) for part in found[-1]))
    except ValueError:
        return None


def licence_of(number: str, name: str, representative: str, address: str, period: str) -> Licence:
    number, name = number.strip().upper(), name.strip()
    if not number or not name:  # a photo of something else, or too blurred for the two fields that matter
        raise NotALicence()
    return Licence(number[:64], name[:128], representative.strip()[:64], address.strip()[:255],
                   period.strip()[:64], valid_until(period))


class LicenceReader(Protocol):
    async def read(self, image: bytes) -> Licence: ...


class _BizLicense(Answer):
    model_config = ConfigDict(extra="ignore", strict=True)
    reg_num: str = ""
    enterprise_name: str = ""
    legal_representative: str = ""
    address: str = ""
    valid_period: str = ""


def small_enough(image: bytes) -> bytes:
    """The photo as WeChat takes it: itself when under 2 MB, else a JPEG of at most 2000 px a side."""
    if len(image) <= MAX_OCR_BYTES:
        return image
    with Image.open(io.BytesIO(image)) as opened:
        picture = opened.convert("RGB")
    picture.thumbnail((2000, 2000))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


class WeChatLicenceReader:
    def __init__(self, api: WeChatApi):
        self._api = api

    async def read(self, image: bytes) -> Licence:
        try:
            sent = await asyncio.to_thread(small_enough, image)  # a re-encode is CPU: off the loop
            answer = await self._api.call("/cv/ocr/bizlicense", {}, _BizLicense,
                                          files={"img": ("licence.jpg", sent, "image/jpeg")})
        except WeChatRefused as refused:
            if refused.errcode in NOT_A_LICENCE_CODES:
                raise NotALicence() from None
            log.warning("wechat bizlicense failed: errcode=%s errmsg=%s", refused.errcode, refused.errmsg)
            raise ReaderUnavailable("WeChat OCR refused for now", refused.errcode) from None
        except (AccessTokenFailed, WeChatApiError) as failed:
            raise ReaderUnavailable(failed.detail, failed.errcode) from None
        return licence_of(answer.reg_num, answer.enterprise_name, answer.legal_representative, answer.address,
                          answer.valid_period)


class DevLicenceReader:
    """Development stand-in, deterministic: any picture at least 200 px on each side is a licence whose
    registration number is `DEV` and the first 15 hex digits of the SHA-256 of its pixels (the same photo
    always reads the same, so two accounts sending it make a duplicate), named 开发测试餐饮有限公司<first 4 of
    them>, 长期; a smaller picture is not a licence."""

    async def read(self, image: bytes) -> Licence:
        digest = await asyncio.to_thread(self._digest, image)
        return licence_of(f"DEV{digest[:15]}", f"开发测试餐饮有限公司{digest[:4]}", "张三", "开发测试地址", "长期")

    @staticmethod
    def _digest(image: bytes) -> str:
        with Image.open(io.BytesIO(image)) as opened:
            if min(opened.size) < 200:
                raise NotALicence()
            return hashlib.sha256(opened.convert("RGB").tobytes()).hexdigest().upper()


def build_licence_reader(api: WeChatApi | None) -> LicenceReader:
    return WeChatLicenceReader(api) if api is not None else DevLicenceReader()
