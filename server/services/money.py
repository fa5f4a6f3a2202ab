"""Money is whole fen (integers) inside; yuan exist only where the API reads or shows a price."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from runtime.settings import Settings


def fen(yuan: Decimal) -> int:
    """An exact yuan amount (at most 2 decimals, validated where it came in) in fen."""
    return int(yuan * 100)


def yuan(fen_amount: int) -> float:
    """For the API's JSON: 1999 → 19.99 (a float only on the way out)."""
    return float(Decimal(fen_amount) / 100)


@dataclass(frozen=True)
class PriceList:
    """What the server charges, in fen: the client's price is only ever compared with it."""

    top: dict[int, int]  # hours → fen
    refresh: int
    contact_voucher: dict[int, int]  # voucher count → fen

    @classmethod
    def from_settings(cls, settings: Settings) -> "PriceList":
        return cls(top={hours: fen(price) for hours, price in settings.price_top.items()},
                   refresh=fen(settings.price_refresh),
                   contact_voucher={count: fen(price) for count, price in settings.price_contact_voucher.items()})

    def shape(self) -> dict:
        """GET /pay/prices, with the request field names the mini-program sends back."""
        return {"top": [{"top_hour": hours, "price": yuan(amount)} for hours, amount in self.top.items()],
                "refresh": {"price": yuan(self.refresh)},
                "contact_voucher": [{"contact_voucher_num": count, "price": yuan(amount)}
                                    for count, amount in self.contact_voucher.items()]}
