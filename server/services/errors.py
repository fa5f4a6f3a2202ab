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


class UserNotFound(DomainError):
    detail = "user not found"


class JobNotFound(DomainError):
    detail = "job not found"


class NotYourJob(DomainError):
    detail = "this job is not yours"


class JobClosed(DomainError):
    """A closed job cannot be edited, refreshed or collected."""


class SalaryRangeInverted(DomainError):
    detail = "salary_min must not exceed salary_max"


class FreeRefreshUsed(DomainError):
    detail = "today's free refresh is used up, use the paid refresh (/jobs/refresh/pay)"


class RateLimited(DomainError):
    def __init__(self, retry_after: int):
        super().__init__(f"too many requests, try again in {retry_after} s", retry_after=retry_after)


class SearchUnavailable(DomainError):
    detail = "job search is temporarily unavailable, try again"


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


class OwnJob(DomainError):
    detail = "this is your own job: no voucher is needed to see its number"


class PurposeTypeUnsupported(DomainError):
    detail = "purpose_type must be 1 (a job): job seekers and shop rentals are not open yet"


class AlreadyReported(DomainError):
    detail = "you have already reported this job"


class CannotReportOwnJob(DomainError):
    detail = "you cannot report your own job"


class UserBanned(DomainError):
    detail = "this account is banned"


class NothingToRestore(DomainError):
    """An operator asked to restore a job no moderation closed."""


class ContentRefused(DomainError):
    """WeChat's content security found a field risky: nothing is stored."""
