"""WeChat message push (the `wxa_media_check` event among others): who sent it, and what it says.

The push configuration (mini-program admin → 开发管理 → 消息推送) has a token, a data format (JSON here)
and a mode: plain, or safe with a 43-character EncodingAESKey. WeChat proves a request is its own by
`signature` = sha1 of the sorted token, timestamp and nonce (the GET server verification too). In safe
mode the body is `{"ToUserName": ..., "Encrypt": ...}`, signed by `msg_signature` = sha1 of the sorted
token, timestamp, nonce and Encrypt, encrypted with AES-256-CBC (key = base64(EncodingAESKey + "="),
IV = its first 16 bytes, PKCS#7 padding to 32 bytes) over 16 random bytes, the message length (4 bytes,
big-endian), the message and the appid.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from runtime import clock
from runtime.errors import DomainError

_PAD_BLOCK = 32
_RANDOM_PREFIX = 16
_LENGTH_BYTES = 4


class PushRejected(DomainError):
    """Not a push WeChat sent us (bad signature, wrong appid, undecryptable): nothing of it is used."""

    detail = "push message rejected"


def _sha1(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _same(expected: str, given: str | None) -> bool:
    return hmac.compare_digest(expected.encode(), (given or "").encode())


def verify_signature(token: str, signature: str | None, timestamp: str | None, nonce: str | None) -> bool:
    """WeChat's `signature` (every push, and the GET server verification that echoes `echostr`)."""
    if not (token and timestamp and nonce):
        return False
    return _same(_sha1(token, timestamp, nonce), signature)


def _aes_key(aes_key_43: str) -> bytes:
    try:
        key = base64.b64decode(aes_key_43 + "=", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise PushRejected("the configured EncodingAESKey is not 43 base64 characters")
    return key


def _unpad(padded: bytes) -> bytes:
    pad = padded[-1] if padded else 0
    if not 1 <= pad <= _PAD_BLOCK or padded[-pad:] != bytes([pad]) * pad:
        raise PushRejected("bad padding")
    return padded[:-pad]


def decrypt_push(token: str, aes_key_43: str, appid: str, msg_signature: str | None, timestamp: str | None,
                 nonce: str | None, body: Mapping) -> dict:
    """The message of a safe-mode push, once its signature, padding and appid are right."""
    encrypted = body.get("Encrypt") if isinstance(body, Mapping) else None
    if not isinstance(encrypted, str) or not encrypted:
        raise PushRejected("no Encrypt in a safe-mode push")
    if not (token and timestamp and nonce) or not _same(_sha1(token, timestamp, nonce, encrypted), msg_signature):
        raise PushRejected("bad msg_signature")
    key = _aes_key(aes_key_43)
    try:
        ciphertext = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise PushRejected("Encrypt is not base64") from None
    if not ciphertext or len(ciphertext) % 16:
        raise PushRejected("Encrypt is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = _unpad(decryptor.update(ciphertext) + decryptor.finalize())
    content = plain[_RANDOM_PREFIX:]
    length = int.from_bytes(content[:_LENGTH_BYTES], "big")
    message = content[_LENGTH_BYTES:_LENGTH_BYTES + length]
    # A wrong length leaves something else than the appid behind the message.
    if not _same(appid, content[_LENGTH_BYTES + length:].decode("utf-8", "replace")):
        raise PushRejected("the push is for another appid")
    return _json_object(message)


def _json_object(raw: bytes) -> dict:
    try:
        message = json.loads(raw)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise PushRejected("the message is not JSON") from None
    if not isinstance(message, dict):
        raise PushRejected("the message is not a JSON object")
    return message


def open_push(query: Mapping, body, *, token: str, aes_key: str | None, appid: str) -> dict:
    """The message of a push, plain or safe mode as its query says (`encrypt_type=aes`: safe).

    With an EncodingAESKey configured a plain push is refused: its signature does not cover the body,
    so anyone who saw one signed URL could send any body with it. A push signed more than 5 minutes from
    the clock (either way) is refused like a bad signature: a replay, as for payment notifications.
    """
    if not clock.signed_recently(query.get("timestamp")):
        raise PushRejected("push timestamp missing or more than 5 minutes off")
    if query.get("encrypt_type") == "aes":
        if not aes_key:
            raise PushRejected("a safe-mode push, but no EncodingAESKey is configured")
        return decrypt_push(token, aes_key, appid, query.get("msg_signature"), query.get("timestamp"),
                            query.get("nonce"), body)
    if aes_key:
        raise PushRejected("a plain push, but safe mode is configured")
    if not verify_signature(token, query.get("signature"), query.get("timestamp"), query.get("nonce")):
        raise PushRejected("bad signature")
    if not isinstance(body, dict):
        raise PushRejected("the message is not a JSON object")
    return body
