"""What the services refuse, by name. server/errors.py gives each its status and envelope."""

from __future__ import annotations

from runtime.errors import DomainError
from server.providers.wechat_pay import NotificationRejected  # noqa: F401  the notify route's, through services


class TokenMissing(DomainError):
    detail = "missing token: send the Authorization header from login"


class TokenInvalid(DomainError):
    detail = "token invalid or expired, log in again"


class TokenMismatch(DomainError):
    detail = "the user_id header does not match the token"


class CursorInvalid(DomainError):
    """A list's `cursor` that this list did not give (edited, another list's, another release's)."""


class UserNotFound(DomainError):
    detail = "user not found"


class PostingError(DomainError):
    """An error about one posting, worded with its section's noun (`Section.target`: "job", ...)."""

    template = "the {target} cannot be used"

    def __init__(self, target: str = "job", data=None, detail: str | None = None):
        super().__init__(detail or self.template.format(target=target), data)


class PostingNotFound(PostingError):
    template = "{target} not found"


class NotYourPosting(PostingError):
    template = "this {target} is not yours"


class PostingClosed(PostingError):
    """A closed posting cannot be edited, refreshed, collected, contacted or bought for."""

    template = "this {target} is closed"


class OneOpenPosting(PostingError):
    """A section with one open posting per user (a worker's 求职 card): they edit it rather than post another."""

    def __init__(self, target: str, name: str, open_id: int):
        super().__init__(target, {f"{target}_id": open_id},
                         f"you already have an open {target} ({open_id}): edit it with /{name}/update or close it first")


class PostingCapReached(DomainError):
    """Past a posting cap of the settings (`data.cap` names it): close one, or post again tomorrow."""


class FreeRefreshUsed(DomainError):
    detail = "today's free refresh is used up, use the paid refresh (/jobs/refresh/pay)"


class RateLimited(DomainError):
    def __init__(self, retry_after: int):
        super().__init__(f"too many requests, try again in {retry_after} s", retry_after=retry_after)


class SearchUnavailable(DomainError):
    detail = "search is temporarily unavailable, try again"


class ImageRejected(DomainError):
    """The upload is not a whole jpg/png/bmp/webp image."""


class ImagesBusy(DomainError):
    detail = "too many images are being processed right now, try again in a few seconds"


class ImageUrlNotAllowed(DomainError):
    detail = "images must be uploaded with /img/upload first: this URL is not one of your images"


class OrderNotFound(DomainError):
    detail = "order not found"


class NotYourOrder(DomainError):
    detail = "this order is not yours"


class PriceMismatch(DomainError):
    """The client's price is not the server's (an old price list, or a tampered request)."""

    detail = "price mismatch"


class UnknownProduct(DomainError):
    """A top duration or voucher pack that is not on the price list."""


class PaymentMismatch(DomainError):
    """A payment whose amount is not the order's: never settled, always logged."""


class RefundRefused(DomainError):
    """A refund that cannot be: no such order, not paid, nothing or less left to refund, an amount that is
    not a positive number of fen, no operator or reason. Nothing changed."""


class RefundNotFound(DomainError):
    """A refund notification or query answer for a refund_no this app never made."""

    detail = "refund not found"


class RefundMismatch(DomainError):
    """WeChat reports a refund for another amount or order than ours: never settled, always logged."""


class OwnPosting(PostingError):
    template = "this is your own {target}: no voucher is needed to see its number"


class PurposeTypeUnsupported(DomainError):
    """No section serves this purpose_type / biz_type (yet)."""

    def __init__(self, known: dict[int, str]):
        listed = ", ".join(f"{biz_type} (a {target})" for biz_type, target in known.items())
        super().__init__(f"purpose_type must be {listed}: no other section is open yet", {"known": list(known)})


class AlreadyReported(PostingError):
    template = "you have already reported this {target}"


class CannotReportOwnPosting(PostingError):
    template = "you cannot report your own {target}"


class BlockRefused(DomainError):
    """A block that cannot be made: of oneself, of no such user, or past the cap (`data.limit`)."""


class UserBanned(DomainError):
    detail = "this account is banned"


class NothingToRestore(DomainError):
    """An operator asked to restore a job no moderation closed."""


class HotSearchRuleInvalid(DomainError):
    """An operator's 热门搜索 rule that cannot be kept (an allow of several words, nothing to block)."""


class HotSearchRuleNotFound(DomainError):
    """An operator dropped a 热门搜索 rule that is not there."""


class ContentRefused(DomainError):
    """WeChat's content security found a field risky: nothing is stored."""


class OperatorInvalid(DomainError):
    """An operator account that cannot be made or changed as asked (name taken, unknown role, short password)."""


class OperatorNotFound(DomainError):
    detail = "no such operator"


class LoginRefused(DomainError):
    """A console login that failed: the same words for an unknown name, a wrong password or a disabled
    account, so the form reveals nothing."""

    detail = "用户名或密码错误"


class LoginLocked(DomainError):
    detail = "登录失败次数过多，请稍后再试"


class SecondFactorNeeded(DomainError):
    """The password was right; the TOTP code is missing or wrong."""

    detail = "请输入正确的动态验证码"


class VerificationWaiting(DomainError):
    """A poster sent a licence while their last one still waits (to be read, or for an operator)."""

    detail = "your last business licence is still waiting for review: wait for the decision before sending another"


class VerificationNotFound(DomainError):
    detail = "verification not found"


class NothingToDecide(DomainError):
    """An operator approved, rejected or revoked what is not in a state to be (already decided, none approved)."""


class LicenceInUse(DomainError):
    """The registration number backs another account (one account at a time)."""
