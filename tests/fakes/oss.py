"""A local fake of the Aliyun OSS object API the image storage uses: PUT and (public-read) GET of objects.

Like OSS it checks every PUT's V1 signature, computed here independently of oss2 from Aliyun's rule
  base64(HMAC-SHA1(secret, VERB \\n Content-MD5 \\n Content-Type \\n Date \\n CanonicalizedOSSHeaders
                          CanonicalizedResource))
and answers a bad one with OSS's XML 403 SignatureDoesNotMatch, storing nothing. oss2 talks to an IP
endpoint in path style, `/<bucket>/<key>` with the key percent-encoded (`/` included) while the signature
covers the decoded key, so that is the only addressing served. `fail` makes PUTs answer 500,
`hang` keeps them waiting until the fake stops.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import unquote
from xml.sax.saxutils import escape

from aiohttp import web

from tests.helpers.services import serve_aiohttp

BUCKET, ACCESS_KEY_ID, ACCESS_KEY_SECRET = "jobs-img", "LTAI-fake-id", "fake-secret"


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str


def _error(status: int, code: str, message: str) -> web.Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message><RequestId>fake</RequestId>"
            f"<HostId>fake-oss</HostId></Error>")
    return web.Response(status=status, text=body, content_type="application/xml",
                        headers={"x-oss-request-id": "fake"})


def v1_signature(secret: str, request: web.Request, bucket: str, key: str) -> str:
    oss_headers = sorted((k.lower(), v.strip()) for k, v in request.headers.items()
                         if k.lower().startswith("x-oss-"))
    string_to_sign = "\n".join([
        request.method,
        request.headers.get("Content-MD5", ""),
        request.headers.get("Content-Type", ""),
        request.headers.get("x-oss-date") or request.headers.get("Date", ""),
        "".join(f"{k}:{v}\n" for k, v in oss_headers) + f"/{bucket}/{key}",
    ])
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class FakeOss:
    def __init__(self):
        self.objects: dict[str, StoredObject] = {}  # key → what was stored
        self.fail = False
        self.hang = False
        self._released = asyncio.Event()  # set on stop, so hung handlers end and cleanup is quick
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> "FakeOss":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner, self.url = await serve_aiohttp(app)
        return self

    async def stop(self) -> None:
        self._released.set()
        await self.runner.cleanup()

    async def handle(self, request: web.Request):
        # raw_path: aiohttp's decoded path may keep %2F, while OSS signs and stores the decoded key.
        bucket, _, key = unquote(request.raw_path.split("?", 1)[0]).lstrip("/").partition("/")
        if bucket != BUCKET:
            return _error(404, "NoSuchBucket", "The specified bucket does not exist.")
        if not key:
            return _error(400, "InvalidObjectName", "The specified object is not valid.")
        if request.method == "GET":
            return self.get(key)
        if request.method == "PUT":
            return await self.put(request, key)
        return _error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")

    def get(self, key: str) -> web.Response:
        stored = self.objects.get(key)
        if stored is None:
            return _error(404, "NoSuchKey", "The specified key does not exist.")
        return web.Response(body=stored.data, headers={"Content-Type": stored.content_type})

    async def put(self, request: web.Request, key: str) -> web.Response:
        if self.hang:
            await self._released.wait()
            return _error(503, "ServiceUnavailable", "released")
        if self.fail:
            return _error(500, "InternalError", "We encountered an internal error. Please try again.")
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        key_id, _, signature = credential.rpartition(":")
        if scheme != "OSS" or key_id != ACCESS_KEY_ID:
            return _error(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist.")
        expected = v1_signature(ACCESS_KEY_SECRET, request, BUCKET, key)
        if not hmac.compare_digest(signature, expected):
            return _error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided.")
        data = await request.read()
        self.objects[key] = StoredObject(data, request.headers.get("Content-Type", ""))
        etag = '"' + hashlib.md5(data).hexdigest().upper() + '"'
        return web.Response(status=200, headers={"ETag": etag, "x-oss-request-id": "fake"})
