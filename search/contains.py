"""A text contains the wanted text, without a wildcard: the text as one token per character, and the wanted
text as a phrase of the same tokens.

A leading wildcard (`*厨师*` on a keyword field) reads every term of the index: a cluster with
`search.allow_expensive_queries: false` refuses it, and it grows with the index. A phrase of characters is
an ordinary positional match instead, and finds exactly what `wanted in text` finds (case-sensitive, any
character). The field (`{"type": "text", "analyzer": "whitespace", "norms": false}`: matched, never scored)
uses a built-in analyzer, so it can be added to an existing
index (a custom analyzer would need settings the old index lacks). A character that analyzer would take for
a separator, or that prints nothing, is written as its code point (`U+3000`): a token of several characters
can never be taken for a one-character one. The values of a list are separate (the engine's position gap
between them): a phrase never spans two.
"""

from __future__ import annotations

from collections.abc import Iterable


def _token(character: str) -> str:
    return character if character.isprintable() and not character.isspace() else f"U+{ord(character):04X}"


def characters(text: str) -> str:
    """`厨 师` for `厨师`: what the field holds for a text, and what a phrase asks for."""
    return " ".join(map(_token, text))


def characters_of(texts: Iterable[str]) -> list[str]:
    """The field's values for a list of texts (a posting's positions), one value each."""
    return [characters(text) for text in texts]


def contains(field: str, wanted: str) -> dict:
    """The clause finding the documents one of whose texts holds `wanted` (not empty) in a row."""
    return {"match_phrase": {field: characters(wanted)}}
