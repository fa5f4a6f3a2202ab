"""The part of a search document every section's posting has: what the shared listing filters and sorts on.

A section's own document function (sections/<name>.py) adds its fields to this one; together they are the one
place that decides what its index holds (a test checks each against its es_mappings file).
"""

from __future__ import annotations

from search.index import doc_time as iso


def posting_document(posting) -> dict:
    return {
        "id": posting.id,
        "user_id": posting.user_id,
        "biz_type": posting.biz_type,
        "status": posting.status,
        # Out of the listing until its owner edits it (content security removed a risky image from it).
        "held": posting.photo_held,
        "location": {"lat": float(posting.latitude), "lon": float(posting.longitude)},
        "longitude": float(posting.longitude),
        "latitude": float(posting.latitude),
        "address": posting.address,
        "contact": posting.contact,
        "description": posting.description,
        "photo_urls": list(posting.photo_urls or []),
        "first_area_id": posting.first_area_id,
        "first_area_des": posting.first_area_des,
        "second_area_id": posting.second_area_id,
        "second_area_des": posting.second_area_des,
        "third_area_id": posting.third_area_id,
        "third_area_des": posting.third_area_des,
        "four_area_id": posting.four_area_id,
        "four_area_des": posting.four_area_des,
        "create_at": iso(posting.create_at),
        "update_at": iso(posting.update_at),
        "last_refresh_time": iso(posting.last_refresh_time),
        "top_start_time": iso(posting.top_start_time),
        "top_end_time": iso(posting.top_end_time),
        # The recommended order: the last refresh, or the creation when never refreshed.
        "rank_time": iso(posting.last_refresh_time or posting.create_at),
    }


def verified_document(posting) -> dict:
    """The document's `verified` of a section with `verified_label`: the owner's approved business, or None."""
    name = posting.verified_name
    return {"verified": {"type": "business", "name": name} if name else None}


VERIFIED_FIELD = "verified.name"  # what `verified_only` asks to exist


AREA_IDS = ("first_area_id", "second_area_id", "third_area_id", "four_area_id")
AREA_DES = ("first_area_des", "second_area_des", "third_area_des", "four_area_des")


def area_names(posting) -> list[str]:
    return [posting.first_area_des, posting.second_area_des, posting.third_area_des, posting.four_area_des]


# Every part of the positions (search/contains.py): what the `positions` filter (contains) matches.
POSITION_PARTS = "positions_parts"
# In every index, never in an item: the geo point, the recommended order's time, the hold, the texts the
# search box matches (search/keywords.py) and the positions' parts.
INTERNAL_FIELDS = frozenset(("location", "rank_time", "held", "keywords", "words_title", "words_tags", "words_text",
                             "words_place", POSITION_PARTS))
DATE_FIELDS = ("create_at", "update_at", "last_refresh_time", "top_start_time", "top_end_time")
