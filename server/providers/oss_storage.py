"""Uploaded images in an Aliyun OSS bucket, through Aliyun's `oss2` SDK.

Public URLs (the bucket is public-read; the URL is stored with the job and shown to everyone):
- `public_base_url` set (a CDN / custom domain):  `<public_base_url>/<key>`;
- else an Aliyun endpoint (`oss-cn-beijing.aliyuncs.com`, with or without a scheme):
  `https://<bucket>.<endpoint host>/<key>`, the bucket's own virtual-hosted domain, always https;
- else an IP / localhost endpoint (a local fake, `http://127.0.0.1:PORT`): `<endpoint>/<bucket>/<key>`,
  the path style oss2 itself uses for such endpoints.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote, urlparse

import oss2
import requests

from server.providers.storage import StorageUnavailable

log = logging.getLogger("server.oss")


class OssStorage:
    def __init__(self, endpoint: str, bucket: str, access_key_id: str, access_key_secret: str,
                 public_base_url: str | None, timeout: float = 10.0):
        self._timeout = timeout
        # Our own connection pool, so close() can release it through oss2's public Session(adapter=...).
        self._adapter = requests.adapters.HTTPAdapter()
        # oss2.Auth signs with OSS signature V1 (HMAC-SHA1 over verb, Content-MD5/-Type, Date, x-oss-*
        # headers and /bucket/key); V4 would also need the region, which nothing else here needs.
        # connect_timeout is given to requests as both its connect and read timeout.
        self._bucket = oss2.Bucket(oss2.Auth(access_key_id, access_key_secret), endpoint, bucket,
                                   connect_timeout=timeout, session=oss2.Session(adapter=self._adapter))
        self._base = (public_base_url.rstrip("/") if public_base_url
                      else _bucket_base_url(endpoint, bucket)) + "/"

    def public_url(self, key: str) -> str:
        return self._base + quote(key, safe="/")

    def owns(self, url: str) -> bool:
        return url.startswith(self._base)

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        try:
            # The SDK blocks: off the loop, and bounded as a whole (its own timeout is per socket
            # operation, so a slow trickle could otherwise hold a request far longer).
            async with asyncio.timeout(self._timeout):
                await asyncio.to_thread(self._bucket.put_object, key, data,
                                        headers={"Content-Type": content_type})
        except (oss2.exceptions.OssError, TimeoutError, OSError) as e:
            # The type (and OSS's error code, e.g. SignatureDoesNotMatch) says what broke; the key,
            # the body and the request id oss2 puts in str(e) stay out of the log.
            name, code = type(e).__name__, getattr(e, "code", None)
            log.warning("OSS put failed: %s", name if code in (None, "", name) else f"{name} {code}")
            raise StorageUnavailable() from None
        return self.public_url(key)

    async def delete(self, key: str) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await asyncio.to_thread(self._bucket.delete_object, key)  # OSS: deleting a missing key is fine
        except (oss2.exceptions.OssError, TimeoutError, OSError) as e:
            log.warning("OSS delete failed: %s", type(e).__name__)
            raise StorageUnavailable() from None

    async def put_private(self, key: str, data: bytes, content_type: str) -> None:
        # The bucket is public-read: this object's own ACL makes it private (no public URL reads it).
        await self._call("put", self._bucket.put_object, key, data,
                         headers={"Content-Type": content_type, "x-oss-object-acl": "private"})

    async def get_private(self, key: str) -> bytes:
        return await self._call("get", lambda: self._bucket.get_object(key).read())

    def signed_url(self, key: str, seconds: int) -> str:
        return self._bucket.sign_url("GET", key, seconds, slash_safe=True)

    async def _call(self, what: str, function, *args, **kwargs):
        try:
            async with asyncio.timeout(self._timeout):
                return await asyncio.to_thread(function, *args, **kwargs)
        except (oss2.exceptions.OssError, TimeoutError, OSError) as e:
            log.warning("OSS %s failed: %s", what, type(e).__name__)
            raise StorageUnavailable() from None

    async def close(self) -> None:
        self._adapter.close()


def _bucket_base_url(endpoint: str, bucket: str) -> str:
    url = urlparse(endpoint if "://" in endpoint else "https://" + endpoint)
    if oss2.utils.is_ip_or_localhost(url.netloc):  # the same test oss2 uses to choose path style
        return f"{url.scheme}://{url.netloc}/{bucket}"
    return f"https://{bucket}.{url.netloc}"
