"""Message pushes built as WeChat builds them, written from WeChat's rules (not with the provider's code,
so a shared mistake cannot make both sides agree)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TO_USER_NAME = "gh_0123456789ab"  # the mini-program's original id, as WeChat puts it in every push


# The session app's message-push configuration (tests/conftest.py).
PUSH_TOKEN = "push-token"
PUSH_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # a 43-character EncodingAESKey


def new_aes_key() -> str:
    """A fresh EncodingAESKey: 32 random bytes in base64 without the trailing '=' (43 characters)."""
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def pkcs7_pad_32(data: bytes) -> bytes:
    pad = 32 - len(data) % 32  # 1..32: a whole block of 32 when already aligned
    return data + bytes([pad]) * pad


def encrypt_message(aes_key: str, appid: str, message: bytes, random16: bytes | None = None,
                    padded: bytes | None = None) -> str:
    """The Encrypt field. `padded` replaces the properly padded plaintext (to build broken pushes)."""
    key = base64.b64decode(aes_key + "=")
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(message)) + message + appid.encode()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(padded or pkcs7_pad_32(plain)) + encryptor.finalize()).decode()


def sign_push(token: str, timestamp: str, nonce: str, encrypted: str) -> dict:
    """The query of a safe-mode push carrying `encrypted`."""
    return {"signature": sha1_signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "encrypt_type": "aes", "msg_signature": sha1_signature(token, timestamp, nonce, encrypted)}


def encrypt_push(aes_key: str, appid: str, token: str, message: dict, timestamp: str,
                 nonce: str) -> tuple[dict, dict]:
    """A safe-mode JSON push of `message`: its query parameters and its body."""
    encrypted = encrypt_message(aes_key, appid, json.dumps(message, ensure_ascii=False).encode())
    return sign_push(token, timestamp, nonce, encrypted), {"ToUserName": TO_USER_NAME, "Encrypt": encrypted}


def plain_push(token: str, message: dict, timestamp: str, nonce: str) -> tuple[dict, dict]:
    """A plain-mode JSON push: the message as the body, only `signature` in the query."""
    return {"signature": sha1_signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}, message
