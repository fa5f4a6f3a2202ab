"""Seed section 四: `POST /img/upload` (multipart field `file`), and the local storage's files in development."""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.response import file

from server.context import JobBoardRequest
from server.errors import HttpError, bad_request
from server.openapi import documented
from server.responses import ok
from server.routes.guard import login_required
from server.schemas.responses import Uploaded
from server.services import images

bp = Blueprint("uploads")

# Room for the multipart framing around a file of MAX_UPLOAD_BYTES.
_MULTIPART_OVERHEAD = 64 * 1024


async def _read_body(request: JobBoardRequest, limit: int, timeout: float) -> bytes:
    """The body of this streaming route, refused from its declared length or as soon as it grows past
    `limit`, and given `timeout` to arrive: never more than `limit` bytes in memory."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise bad_request(f"the upload is too large (at most {limit - _MULTIPART_OVERHEAD} bytes)")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            while (chunk := await request.stream.read()) is not None:
                size += len(chunk)
                if size > limit:
                    raise bad_request(f"the upload is too large (at most {limit - _MULTIPART_OVERHEAD} bytes)")
                chunks.append(chunk)
    except TimeoutError:
        request.stream.keep_alive = False
        raise HttpError(408, f"upload not received within {timeout:g} s") from None
    return b"".join(chunks)


def file_reader(request: JobBoardRequest):
    """Reads the streamed multipart body's `file` within the upload limits (for every route taking one image)."""
    settings = request.app.ctx.settings

    async def read_file() -> bytes:
        request.body = await _read_body(request, settings.max_upload_bytes + _MULTIPART_OVERHEAD,
                                        settings.upload_timeout_seconds)
        sent = (request.files or {}).get("file") if request.content_type.startswith("multipart/form-data") else None
        if sent is None:
            raise bad_request("send the image as multipart/form-data in the field `file`")
        if len(sent.body) > settings.max_upload_bytes:
            raise bad_request(f"the upload is too large (at most {settings.max_upload_bytes} bytes)")
        return sent.body

    return read_file


@bp.post("/img/upload", stream=True)
@documented("图片上传", auth=True, data=Uploaded, file_field="file",
            description="头像、招聘图片等，每张图片单独上传，然后把返回的 url 填进 photo_urls / avatar。"
                        "支持 jpg/jpeg/png/bmp/webp（按文件内容判断），单张不超过 20MB、4000 万像素、最长边 10000 像素"
                        "（运营可调）；GPS 信息会被去掉。服务器繁忙时 503，按 Retry-After 秒后重试。")
@login_required
async def upload(request: JobBoardRequest):
    settings = request.app.ctx.settings
    url = await images.upload(request.app.ctx.storage, request.app.ctx.cache, settings.rate_limit_uploads_per_user,
                              request.ctx.user_id, file_reader(request), request.app.ctx.content_check,
                              request.app.ctx.image_decoding, images.ImageLimits.from_settings(settings))
    return ok({"url": url})


@documented("本地存储的图片（仅开发环境；生产环境图片在 OSS）", content_type="image/*")
async def local_file(request: JobBoardRequest, key: str):
    path = images.local_file(request.app.ctx.storage, key)
    if path is None:
        raise NotFound("no such image")
    # Browsers must take the type we send (judged from the bytes), never guess one from the content.
    return await file(path, headers={"X-Content-Type-Options": "nosniff"})


@documented("本地存储的私有文件（仅开发环境）：营业执照照片，凭运营拿到的带签名、短时有效的地址读取",
            content_type="image/*")
async def signed_file(request: JobBoardRequest, key: str):
    path = images.signed_file(request.app.ctx.storage, key, request.args.get("expires", ""),
                              request.args.get("signature", ""))
    if path is None:
        raise NotFound("no such file, or the link has expired")
    return await file(path, headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


def serve_local_files(app) -> None:
    """Development only: the app itself serves what the local storage stored (nothing where OSS does); its
    private files only to a signed, unexpired URL."""
    served_at = images.served_by_the_app(app.ctx.storage)
    if served_at is not None:
        app.add_route(local_file, f"{served_at}/<key:path>", methods=["GET"], name="local_file")
        app.add_route(signed_file, f"{images.SIGNED_PATH}/<key:path>", methods=["GET"], name="signed_file")
