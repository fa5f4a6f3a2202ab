"""WeChat's message pushes as the push route takes them: the signature check of the server verification,
and opening a push (signature, decryption, appid). The work is the provider's (server/providers/wechat_push.py);
routes reach providers only through services."""

from __future__ import annotations

from server.providers.wechat_push import PushRejected, open_push, verify_signature

__all__ = ["PushRejected", "open_push", "verify_signature"]
