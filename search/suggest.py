"""Completions for the search box as people type (`GET /search/suggest`): from the trade's vocabulary (by
pinyin too: chu → 厨师), from the section's hot searches and from what its postings publish (their positions
or trades, the most common first, read with one terms aggregation now and then, never per request)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from functools import cache

from elasticsearch import AsyncElasticsearch

from search.listing import STATUS_OPEN
from search.section import IndexedSection
from search.text import dictionary, normalized
from search.vocabulary import is_known, pinyin_completions, query_words

LIMIT = 10
PUBLISHED_TERMS = 500  # the section's most common published values kept for completion


async def published_terms(client: AsyncElasticsearch, section: IndexedSection) -> list[str]:
    """The section's most common published values of its suggested field (open postings), most first."""
    if not section.suggested:
        return []
    response = await client.search(index=section.name, size=0,
                                   query={"bool": {"filter": [{"term": {"status": STATUS_OPEN}}],
                                                   "must_not": [{"term": {"held": True}}]}},
                                   aggs={"values": {"terms": {"field": section.suggested, "size": PUBLISHED_TERMS}}})
    # Normalised once here, so a completion is plain prefix tests. Shown to everyone, so as the hot list:
    # only values made of the trade's words (a "position" typed as a phone number or a WeChat id never is).
    values = (normalized(bucket["key"]) for bucket in response["aggregations"]["values"]["buckets"])
    return list(dict.fromkeys(value for value in values if _known_words(value)))


def _known_words(value: str) -> bool:
    words = query_words(value)
    return bool(words) and all(is_known(word) for word in words)


@cache
def _sorted_vocabulary() -> list[str]:
    return sorted(dictionary())


def _vocabulary_starting(prefix: str, limit: int) -> list[str]:
    words = _sorted_vocabulary()
    found = []
    for word in words[bisect.bisect_left(words, prefix):]:
        if not word.startswith(prefix) or len(found) >= limit * 3:
            break
        found.append(word)
    return sorted(found, key=len)[:limit]  # the nearest completions (厨师 before 厨师长) first


def complete(prefix: str, hot: Sequence[str], published: Sequence[str], limit: int = LIMIT) -> list[str]:
    """Up to `limit` completions of a prefix: hot searches, then published values, then vocabulary words
    that start with it; Latin letters also as pinyin; then those merely containing it. Hot searches and
    published values come normalised, and so does the prefix (the query's, server/schemas/listing.py)."""
    if not prefix:
        return []
    found = [w for w in hot if w.startswith(prefix) and w != prefix]
    found += [w for w in published if w.startswith(prefix) and w != prefix]
    found += [w for w in _vocabulary_starting(prefix, limit) if w != prefix]
    if prefix.isascii() and prefix.isalpha():
        found += pinyin_completions(prefix, limit)
    if len(found) < limit:
        found += [w for w in (*hot, *published) if prefix in w and w != prefix]
    return list(dict.fromkeys(found))[:limit]
