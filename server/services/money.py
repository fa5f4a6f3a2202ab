"""Money is whole fen (integers) inside; yuan exist only where the API reads or shows a price."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from runtime.settings import Settings
from sections import Section


def fen(yuan: Decimal) -> int:
    """An exact yuan amount (at most 2 decimals, validated where it came in) in fen."""
    return int(yuan * 100)


def shown(fen_amount: int) -> str:
    """For people (the console, a message): 1999 → "19.99", exact."""
    return f"{fen_amount // 100}.{fen_amount % 100:02d}"


def yuan(fen_amount: int) -> float:
    """For the API's JSON: 1999 → 19.99 (a float only on the way out)."""
    return float(Decimal(fen_amount) / 100)


@dataclass(frozen=True)
class PostingPrices:
    """A section's paid services, in fen."""

    top: dict[int, int]  # hours → fen
    refresh: int

    def shape(self) -> dict:
        return {"top": [{"top_hour": hours, "price": yuan(amount)} for hours, amount in self.top.items()],
                "refresh": {"price": yuan(self.refresh)}}


@dataclass(frozen=True)
class PriceList:
    """What the server charges, in fen: the client's price is only ever compared with it."""

    postings: dict[str, PostingPrices]  # a section's price_key ("" for jobs, "seeker"...) → its prices
    contact_voucher: dict[int, int]  # voucher count → fen

    @classmethod
    def from_settings(cls, settings: Settings, sections: list[Section]) -> "PriceList":
        def of(section: Section) -> PostingPrices:
            # The section's own prices, but where POSTING_PRICES names another.
            chosen = settings.posting_prices.get(section.name)
            top = chosen.top if chosen and chosen.top else section.prices.top
            refresh = chosen.refresh if chosen and chosen.refresh is not None else section.prices.refresh
            return PostingPrices(top={hours: fen(price) for hours, price in sorted(top.items())}, refresh=fen(refresh))

        return cls(postings={section.price_key: of(section) for section in sections},
                   contact_voucher={count: fen(price) for count, price in settings.price_contact_voucher.items()})

    def of(self, section: Section) -> PostingPrices:
        return self.postings[section.price_key]

    def shape(self) -> dict:
        """GET /pay/prices, with the request field names the mini-program sends back: the jobs' top and
        refresh at the top level (as first published), each other section's under its key."""
        shaped = {**(self.postings[""].shape() if "" in self.postings else {}),
                  "contact_voucher": [{"contact_voucher_num": count, "price": yuan(amount)}
                                      for count, amount in self.contact_voucher.items()]}
        shaped.update({key: prices.shape() for key, prices in self.postings.items() if key})
        return shaped
