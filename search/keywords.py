"""The search box: a keyword as every section's listing filters on it.

A document's `keywords` field holds the section's published texts (its declaration says which), each one
NFKC-normalised and lowercased here (full-width ＫＦＣ is kfc), and is analysed by the built-in `standard`
analyzer: every Chinese character is a token of its own (so a one-character keyword, 厨, finds 厨师), a run
of letters or digits is one token. A keyword's words all have to match (AND), each as a phrase: its tokens
consecutive within one of the texts (array values are `position_increment_gap` apart, so a word never spans
two texts). That is substring matching for Chinese, whole-word matching for letters and digits (500 does not
find 5000). No plugin, no custom analyzer (an index made before the field existed takes it by a mapping
update), and the clauses go in `filter`: a keyword narrows a list, it never reorders it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

KEYWORD_FIELD = "keywords"
MAX_KEYWORD_LENGTH = 30


def normalized(text: str) -> str:
    """Full-width forms folded (NFKC), lowercase, runs of spaces as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def words(keyword: str | None) -> list[str]:
    """The keyword's words, each once; a word with no letter, digit or character (only punctuation) is
    dropped, as the analyzer would leave nothing of it to match."""
    if not keyword:
        return []
    return list(dict.fromkeys(word for word in normalized(keyword).split() if any(c.isalnum() for c in word)))


def keyword_clauses(keyword: str | None) -> list[dict]:
    return [{"match_phrase": {KEYWORD_FIELD: word}} for word in words(keyword)]


def searchable(texts: Iterable[str | None]) -> list[str]:
    """A document's `keywords`: the non-empty texts, normalised as keywords are."""
    return [normal for text in texts if text and (normal := normalized(text))]
