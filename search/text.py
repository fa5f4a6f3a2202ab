"""The text path's first half, shared by the index and the query so they never disagree on a word:
normalise (invisible characters out, NFKC, lowercase, one space) → segment into words with jieba (the Rust
port, rjieba: 2,000 characters in under 1 ms) loaded with the trade's dictionary (search/data/vocabulary.txt).

The segmenter is built once per process on first use (about 0.5 s of CPU: jieba's own dictionary plus the
trade's words); `warm()` builds it at start so no request pays for it. HMM (guessing words jieba does not
know) is off: an unknown run stays single characters on both sides, which the character field still finds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib.resources import files

DATA = files("search") / "data"

# Unicode's format characters (category Cf: soft hyphen, zero-width, bidi controls, tags), as ranges: a
# character-by-character category test made indexing four times slower. A test checks it against unicodedata.
INVISIBLE = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
                       "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                       "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
                       "\U000e0020-\U000e007f]")
# A "word" with no letter, digit or CJK character is punctuation or space: never indexed, never queried.
_WORDISH = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")


def normalized(text: str) -> str:
    """Format characters (Cf: zero-width, bidi controls) dropped first, so they can neither split nor hide
    a word; then full-width forms folded (NFKC), lowercase, runs of spaces as one space, trimmed."""
    visible = INVISIBLE.sub("", text)
    return " ".join(unicodedata.normalize("NFKC", visible).lower().split())


def is_wordish(token: str) -> bool:
    return bool(_WORDISH.search(token))


def is_cjk(token: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in token)


@cache
def dictionary() -> dict[str, str]:
    """The trade's words (normalised) → their kind (position, cuisine, dish, shop, welfare, area)."""
    kinds: dict[str, str] = {}
    kind = ""
    for line in (DATA / "vocabulary.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# ["):
            kind = line[3:line.index("]")]
        elif line.strip() and not line.startswith("#"):
            for word in line.split():
                kinds.setdefault(normalized(word), kind)
    return kinds


@cache
def _segmenter():
    import rjieba  # imported here: only processes that segment pay for jieba's dictionary

    segmenter = rjieba.Jieba()
    for word in dictionary():
        segmenter.add_word(word, None, None)  # frequency suggested by jieba: the word is cut as one
    return segmenter


def warm() -> None:
    """Build the segmenter now (the app's start), not on the first search."""
    _segmenter()


def cut(text: str) -> list[str]:
    """A normalised query's words in order: the dictionary's longest words (厨师长 stays one word)."""
    return [token for token in _segmenter().cut(text, False) if is_wordish(token)]


# A word of the trade right after one of these is what the posting does not have (不可明火, 包吃不包住,
# 无转让费): not indexed, so a search for it does not find the posting that denies it.
NEGATIONS = frozenset("不 无 非 没 没有 不可 不能 不得 禁止 不含 不包 不提供 免".split())


# A place name right before one of these is a street's (长沙路 in Shanghai, 南京东路): not that place.
ROADS = frozenset("路 街 道 巷 弄 大道 大街 东路 西路 南路 北路 中路 东街 西街 南街 北街".split())
_ROAD_ENDS = frozenset(road[-1] for road in ROADS)


def index_words(text: str) -> list[str]:
    """A normalised text's indexed words: search mode, a long word and the words within it (厨师长 gives
    厨师长, 厨师 and 师长), so a query for 厨师 finds 厨师长; a trade word a negation denies, and a place
    name that only names a street, are left out."""
    tokens = _segmenter().tokenize(text, "search", False)
    negated = {end for word, _, end in tokens if word in NEGATIONS}
    roads = {start for word, start, _ in tokens if word in ROADS}
    # Streets cut as one word (北京路): the place names search mode finds inside them are not places either.
    streets = [(start, end) for word, start, end in tokens
               if word[-1] in _ROAD_ENDS and len(word) > 1 and word not in ROADS]
    trade = dictionary()

    def left_out(word: str, start: int, end: int) -> bool:
        kind = trade.get(word)
        if kind is None:
            return False
        if start in negated:
            return True
        return kind == "area" and (end in roads or any(
            s <= start and end <= e and (s, e) != (start, end) for s, e in streets))

    return [word for word, start, end in tokens if is_wordish(word) and not left_out(word, start, end)]


SHORT = 24  # area names, tags, positions, titles: few, repeated in many documents, so kept cut


def indexed(text: str) -> tuple[str, str]:
    """A published text → (normalised, its indexed words joined by spaces)."""
    return _short_indexed(text) if len(text) <= SHORT else _indexed(text)


def _indexed(text: str) -> tuple[str, str]:
    normal = normalized(text)
    return normal, " ".join(index_words(normal))


_short_indexed = lru_cache(maxsize=20_000)(_indexed)


def spans(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of a normalised text's search-mode words: where a highlight may mark."""
    return [(word, start, end) for word, start, end in _segmenter().tokenize(text, "search", False)
            if is_wordish(word)]
