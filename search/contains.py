"""A text contains the wanted text, without a wildcard: the document holds every part of its texts (each
run of characters in a row), and the filter is one term, the wanted text.

A leading wildcard (`*厨师*` on a keyword field) reads every term of the index: a cluster with
`search.allow_expensive_queries: false` refuses it. A term query is the cheapest the engine has, and finds
exactly what `wanted in text` finds (case-sensitive, any character: a keyword is not analysed). The field
(`{"type": "keyword", "doc_values": false}`: only matched) needs no analyzer, so it can be added to an
existing index. Its price: a text of n characters has at most n(n+1)/2 parts (a position of 20: 210; of
3, the usual: 6).
"""

from __future__ import annotations

from collections.abc import Iterable


def substrings_of(texts: Iterable[str]) -> list[str]:
    """Every part of the texts, once each, sorted (a document is compared as written: `indexer check`)."""
    return sorted({text[start:end] for text in texts
                   for start in range(len(text)) for end in range(start + 1, len(text) + 1)})


def contains(field: str, wanted: str) -> dict:
    """The clause finding the documents one of whose texts holds `wanted` (not empty)."""
    return {"term": {field: wanted}}
