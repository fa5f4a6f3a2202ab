"""The console's operator accounts: who they are, what their role lets them do, and how they log in.

Passwords are argon2id hashes (argon2-cffi, its default cost, hashed off the event loop). A login is refused
with one message whatever was wrong, and locked for `lockout` once `max_failures` wrong attempts came for
one name from one address, or from one address, within it (counted in Redis, expiring with the window:
nothing to unlock by hand, nothing stuck after a crash; the name stays open from other addresses, so nobody
can keep an operator out by failing their name on purpose). A second factor (TOTP, pyotp) is per operator,
or required of all by ADMIN_REQUIRE_TOTP. Every change of an account is audited like any moderation action.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import redis.asyncio as redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError

from models.operator import ROLES, Operator
from runtime import clock
from server.services.console_sessions import ConsoleSessions
from server.services.errors import (
    LoginLocked,
    LoginRefused,
    OperatorInvalid,
    OperatorNotFound,
    SecondFactorNeeded,
)
from server.services.moderation import audit

log = logging.getLogger("server.operators")
_hasher = PasswordHasher()
# Verified when the name is unknown, so that a wrong name costs what a wrong password costs.
_UNKNOWN = _hasher.hash("no such operator")
MIN_PASSWORD = 10

# What each role may do. "today" and "audit" are read by every role; the rest by name.
CAPABILITIES = {
    "moderator": frozenset({"today", "audit", "moderate", "view_phone"}),
    "finance": frozenset({"today", "audit", "orders", "refund"}),
    "admin": frozenset({"today", "audit", "moderate", "view_phone", "orders", "refund", "operators"}),
}


def may(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


async def refused(operator: Operator, capability: str, target_type: str, target_id: int, what: str) -> None:
    """An action the operator's role does not allow: audited (action `refused`), then answered 403."""
    await audit(operator.name, "refused", target_type, target_id,
                f"{what}: needs {capability}, role {operator.role}", clock.now())
    log.warning("operator %s (%s) refused %s", operator.name, operator.role, what)


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise OperatorInvalid(f"a password has at least {MIN_PASSWORD} characters")
    return password


async def _hash(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, _checked_password(password))


async def _named(name: str) -> Operator:
    operator = await Operator.get_or_none(name=name)
    if operator is None:
        raise OperatorNotFound(f"no operator named {name!r}")
    return operator


async def add(name: str, role: str, password: str, actor: str) -> Operator:
    if role not in ROLES:
        raise OperatorInvalid(f"role is one of {', '.join(ROLES)}")
    if not name or len(name) > 32 or not name.isprintable() or " " in name:
        raise OperatorInvalid("a name is 1 to 32 printable characters without spaces")
    now = clock.now()
    try:
        operator = await Operator.create(name=name, role=role, password_hash=await _hash(password),
                                         create_at=now, update_at=now)
    except IntegrityError:
        raise OperatorInvalid(f"an operator named {name!r} exists") from None
    await audit(actor, "operator-add", "operator", operator.id, f"{name} as {role}", now)
    return operator


async def set_password(name: str, password: str, actor: str) -> None:
    operator = await _named(name)
    operator.password_hash, operator.update_at = await _hash(password), clock.now()
    await operator.save(update_fields=["password_hash", "update_at"])
    await audit(actor, "operator-pass", "operator", operator.id, f"password of {name} changed", clock.now())


async def set_role(name: str, role: str, actor: str) -> None:
    if role not in ROLES:
        raise OperatorInvalid(f"role is one of {', '.join(ROLES)}")
    operator = await _named(name)
    operator.role, operator.update_at = role, clock.now()
    await operator.save(update_fields=["role", "update_at"])
    await audit(actor, "operator-role", "operator", operator.id, f"{name} is now {role}", clock.now())


async def disable(name: str, actor: str, reason: str, sessions: ConsoleSessions) -> None:
    """The operator can no longer log in, and every session of theirs ends now. Not oneself: the last admin
    would lock everyone out of the console."""
    if name == actor:
        raise OperatorInvalid("不能停用自己的账号（请另一位管理员操作，或用命令行）")
    operator = await _named(name)
    operator.disabled_at = operator.update_at = clock.now()
    await operator.save(update_fields=["disabled_at", "update_at"])
    await audit(actor, "operator-off", "operator", operator.id, f"{name}: {reason}", clock.now())
    await sessions.end_all(operator.id)


async def enable(name: str, actor: str, reason: str) -> None:
    operator = await _named(name)
    operator.disabled_at, operator.update_at = None, clock.now()
    await operator.save(update_fields=["disabled_at", "update_at"])
    await audit(actor, "operator-on", "operator", operator.id, f"{name}: {reason}", clock.now())


async def start_totp(name: str, actor: str, issuer: str = "餐饮招聘 console") -> str:
    """A new TOTP secret for the operator; returns the otpauth:// URI their authenticator app takes."""
    operator = await _named(name)
    operator.totp_secret, operator.update_at = pyotp.random_base32(), clock.now()
    await operator.save(update_fields=["totp_secret", "update_at"])
    await audit(actor, "operator-totp", "operator", operator.id, f"new second factor for {name}", clock.now())
    return pyotp.TOTP(operator.totp_secret).provisioning_uri(name=name, issuer_name=issuer)


async def listing() -> list[dict]:
    return [{"name": o.name, "role": o.role, "totp": "yes" if o.totp_secret else "no",
             "state": "disabled" if o.disabled_at else "active", "since": clock.fmt(o.create_at)}
            for o in await Operator.all().order_by("name")]


async def active(operator_id: int) -> Operator | None:
    """The operator behind a session, unless disabled since."""
    return await Operator.get_or_none(id=operator_id, disabled_at=None)


@dataclass(frozen=True)
class LoginRules:
    max_failures: int
    lockout: timedelta
    require_totp: bool

    @classmethod
    def from_settings(cls, settings) -> LoginRules:
        return cls(settings.admin_login_max_failures, timedelta(minutes=settings.admin_lockout_minutes),
                   settings.admin_require_totp)


def _failure_keys(name: str, client_ip: str) -> list[str]:
    # A name is locked from the address that failed, not from everywhere: anyone could otherwise keep an
    # operator out by failing their name on purpose. The address is counted across names as well. Hashed:
    # no names or addresses at rest in the cache.
    return [f"console:fail:{kind}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"
            for kind, who in (("name", f"{name.lower()}\n{client_ip}"), ("ip", client_ip))]


async def _failed(cache: redis.Redis, keys: list[str], rules: LoginRules, name: str, client_ip: str) -> None:
    async with cache.pipeline(transaction=True) as pipe:
        for key in keys:
            pipe.incr(key)
            pipe.expire(key, int(rules.lockout.total_seconds()), nx=True)
        counts = (await pipe.execute())[::2]
    log.warning("console login failed for %r from %s (%s)", name[:32], client_ip, "/".join(map(str, counts)))
    if max(counts) >= rules.max_failures:
        log.warning("console login locked for %r from %s for %s", name[:32], client_ip, rules.lockout)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(cache: redis.Redis, rules: LoginRules, name: str, password: str, code: str,
                       client_ip: str) -> Operator:
    """The operator these credentials name, or LoginLocked / LoginRefused / SecondFactorNeeded."""
    keys = _failure_keys(name, client_ip)
    counts = [int(count or 0) for count in await cache.mget(keys)]
    if max(counts) >= rules.max_failures:
        raise LoginLocked(retry_after=int(rules.lockout.total_seconds()))
    operator = await Operator.get_or_none(name=name)
    good = await asyncio.to_thread(_verify, operator.password_hash if operator else _UNKNOWN, password)
    if not good or operator is None or operator.disabled_at is not None:
        await _failed(cache, keys, rules, name, client_ip)
        raise LoginRefused()
    if operator.totp_secret or rules.require_totp:
        if not operator.totp_secret:
            raise SecondFactorNeeded("需要动态验证码：请管理员用 operator totp 为此账号开通")
        if not await _fresh_code(cache, operator, code):
            await _failed(cache, keys, rules, name, client_ip)
            raise SecondFactorNeeded()
    await cache.delete(keys[0])  # the name's failures; the address's stay counted for its window
    if _hasher.check_needs_rehash(operator.password_hash):
        operator.password_hash = await _hash(password)
        await operator.save(update_fields=["password_hash"])
    return operator


async def _fresh_code(cache: redis.Redis, operator: Operator, code: str) -> bool:
    """A right code (this 30 s step or a neighbour, for clock drift) not used before: a code seen on the
    wire cannot log in a second time."""
    code = code.strip()
    if not (code.isdigit() and pyotp.TOTP(operator.totp_secret).verify(code, valid_window=1)):
        return False
    return bool(await cache.set(f"console:totp-used:{operator.id}:{code}", 1, ex=120, nx=True))
