"""A posting as the seed shows it, for every section: the detail (the listing's own item, built by the same
code from the same document), "my postings" and favourite items, built field by field from the section's
response models (sections/<name>.py), so a field is declared once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_origin

from pydantic import BaseModel
from tortoise.fields import DatetimeField
from tortoise.models import Model

from models.postings import STATUS_OPEN
from runtime.clock import fmt
from sections import Section
from search.index import doc_time
from search.listing import hit_to_item


def private_to_others(section: Section, posting: Model, viewer_id: int | None) -> bool:
    """A closed posting of a section whose closed postings are private (a person's card): to anyone but its
    owner as if it did not exist (404 to collect, contact or report it, as to its detail)."""
    return section.closed_is_private and posting.status != STATUS_OPEN and viewer_id != posting.user_id


def withheld(section: Section, posting: Model, viewer_id: int | None) -> bool:
    """Hidden or taken down by moderation, or private once closed: its texts and number are its owner's only
    (the detail answers others 404; the lists that keep it show it unavailable, by its id)."""
    return (bool(posting.moderation) and viewer_id != posting.user_id) or private_to_others(section, posting,
                                                                                             viewer_id)


def number_shown(posting: Model, viewer_id: int | None) -> bool:
    """A closed posting's number is its owner's only (its texts stay, so a favourite can say it closed)."""
    return posting.status == STATUS_OPEN or viewer_id == posting.user_id


def is_top(posting: Model, now: datetime) -> int:
    return int(posting.top_end_time is not None and now < posting.top_end_time)


def detail(section: Section, posting: Model, now: datetime, viewer_id: int | None = None) -> dict:
    """The same item the listing serves, built by the same code from the same document; its owner sees the
    stored texts a section shows others in another form (a card's typed address)."""
    item = hit_to_item(section, {"_source": section.document(posting)}, doc_time(now))
    if viewer_id is not None and viewer_id == posting.user_id:
        item.update({name: getattr(posting, name) for name in section.shown_to_others(posting)})
    return item


def owner_id_shown(section: Section, posting: Model) -> int:
    """The owner's account id as others see it: 0 for a section that does not show its owners (a card)."""
    return posting.user_id if section.shows_owner else 0


def without_owner(section: Section, items: list[dict]) -> None:
    """Items as others see them, once the contacts are shown (which read the owner's id): a section that
    does not show its owners (a person's card) drops `user_id`."""
    if not section.shows_owner:
        for item in items:
            item.pop("user_id", None)


def _stored(posting: Model, name: str) -> Any:
    """A stored field as the API shows it: times as Shanghai wall time text, "" when unset."""
    if isinstance(posting._meta.fields_map.get(name), DatetimeField):
        return fmt(getattr(posting, name))
    return getattr(posting, name)


def _blank(annotation: Any) -> Any:
    """What a withheld item shows in place of a field's value: nothing, in the field's own type."""
    if get_origin(annotation) is list:
        return []
    return {str: "", int: 0, float: 0.0, bool: False}.get(annotation, None)


def _shaped(model: type[BaseModel], posting: Model, computed: dict[str, Any]) -> dict:
    return {name: computed[name] if name in computed else _stored(posting, name) for name in model.model_fields}


def my_posting(section: Section, posting: Model, now: datetime, moderation_reason: str = "",
               stats: dict | None = None) -> dict:
    # The seed's example item names the posting's owner, contact person and number as purpose_user_*.
    return _shaped(section.mine, posting, {
        "stats": stats or {"views": 0, "favorites": 0, "contacts": 0},
        "purpose_user_id": posting.user_id,
        "purpose_user_name": getattr(posting, section.contact_name),
        "purpose_user_phone": posting.contact,
        "is_top": is_top(posting, now),
        "moderation_reason": moderation_reason if posting.moderation else "",
    })


def favorite(section: Section, posting: Model, collected_at: datetime, collector_id: int, now: datetime) -> dict:
    """A saved posting; one withheld by moderation keeps its id, times and status only (`unavailable`)."""
    model = section.favorite
    kept = {f"{section.target}_id": posting.id, "create_at": fmt(posting.create_at), "status": posting.status,
            "collect_at": fmt(collected_at)}
    if withheld(section, posting, collector_id):
        blanks = {name: _blank(field.annotation) for name, field in model.model_fields.items()}
        return {**blanks, "is_top": 0, **kept, "unavailable": True}
    return _shaped(model, posting, {**kept, **section.shown_to_others(posting), "is_top": is_top(posting, now),
                                    "unavailable": False})
