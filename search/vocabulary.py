"""The trade's vocabulary as the search box reads people: its words (search/data/vocabulary.txt, also the
segmenter's dictionary), the synonym table an operator edits, pinyin and one-character typos.

- Synonyms (search/data/synonyms.txt, or the file the setting SEARCH_SYNONYMS_PATH names) are applied at query
  time: the file is read again whenever its modification time changes, so a change needs no reindex.
- Pinyin: Latin letters typed in the box are read as the full pinyin or the initials of a vocabulary word
  (chushi, cs → 厨师). The table (search/data/pinyin.tsv) is generated at build time by
  `scripts/pinyin_table.py` from the vocabulary, so no process loads a pinyin dictionary.
- Typos: a run of three or more characters that is no word of the vocabulary but differs from one in exactly
  one character (收营员 → 收银员) is read as that word too, ranked below what was typed.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from search.text import DATA, cut, dictionary, normalized

# Query fillers that say nothing about a posting ("找厨师的工作" is 厨师); kept if a query has nothing else.
STOP_WORDS = frozenset("的 了 和 与 及 或 在 是 要 想 我 找 招 聘 求 个 名 一名 一个 招聘 诚聘 急招 急聘 直招 高薪 招人 "
                       "聘请 求职 找工作 工作 岗位 职位 附近 哪里 有没有 有 人 信息 期望 可 旺铺 店铺 铺面 商铺 门面 铺子 师傅 师付".split())
MAX_PINYIN_WORDS = 6  # vocabulary words one Latin token may stand for (cs: 厨师, 长沙, ...)
MIN_TYPO_LENGTH = 3


@dataclass(frozen=True, eq=False)  # hashed by identity: a table read again is a new table
class Synonyms:
    """`alternatives[word]`: what a query word may also be matched as; each alternative a tuple of words
    that must all be found (包吃住 → (包吃, 包住))."""

    alternatives: dict[str, tuple[tuple[str, ...], ...]]

    @classmethod
    def parse(cls, text: str) -> "Synonyms":
        found: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=>" in line:
                left, right = line.split("=>", 1)
                together = tuple(w for w in (normalized(part) for part in right.split(",")) if w)
                for word in (normalized(part) for part in left.split(",")):
                    if word and together:
                        found[word].append(together)
            else:
                group = [w for w in (normalized(part) for part in line.split(",")) if w]
                for word in group:
                    found[word].extend((other,) for other in group if other != word)
        return cls({word: tuple(dict.fromkeys(alts)) for word, alts in found.items()})

    def words(self) -> set[str]:
        return set(self.alternatives) | {w for alts in self.alternatives.values() for alt in alts for w in alt}


SHIPPED_SYNONYMS = DATA / "synonyms.txt"
_synonyms_path: Path | None = None
_loaded: tuple[object, Synonyms] | None = None  # (the file's path and mtime, its table)


def use_synonyms(path: str | Path | None) -> None:
    """The synonym file (the setting; None or "": the shipped one). Read at the next query."""
    global _synonyms_path, _loaded
    _synonyms_path = Path(path) if path else None
    _loaded = None


def synonyms() -> Synonyms:
    """The table as its file is now: read again when the file's modification time changed."""
    global _loaded
    if _synonyms_path is None:
        stamp: object = "shipped"
        if _loaded is None or _loaded[0] != stamp:
            _loaded = (stamp, Synonyms.parse(SHIPPED_SYNONYMS.read_text(encoding="utf-8")))
        return _loaded[1]
    try:
        stat = os.stat(_synonyms_path)
        stamp = (str(_synonyms_path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (str(_synonyms_path), None)
    if _loaded is None or _loaded[0] != stamp:
        try:
            text = _synonyms_path.read_text(encoding="utf-8")
        except OSError:
            text = ""  # a missing file is no synonyms (and says so in nothing worse than recall)
        _loaded = (stamp, Synonyms.parse(text))
    return _loaded[1]


def is_known(word: str) -> bool:
    """A word of the trade's vocabulary or of the synonym table, after normalisation."""
    word = normalized(word)
    return word in dictionary() or word in synonyms().alternatives


def query_words(keyword: str | None) -> list[str]:
    """A normalised keyword's words as the search box reads them: segmented with the trade's dictionary, each
    once, fillers (STOP_WORDS) dropped unless nothing else is left. 长沙厨师 → [长沙, 厨师]."""
    if not keyword:
        return []
    found = list(dict.fromkeys(word for part in keyword.split() for word in cut(part)))
    meaningful = [word for word in found if word not in STOP_WORDS]
    return meaningful or found


def kind(word: str) -> str | None:
    """The vocabulary's kind of a normalised word (position, cuisine, dish, shop, welfare, area), if any."""
    return dictionary().get(word)


@cache
def _pinyin() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    full: dict[str, list[str]] = defaultdict(list)
    initials: dict[str, list[str]] = defaultdict(list)
    path = DATA / "pinyin.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        word, spelled, first = line.split("\t")
        full[spelled].append(word)
        initials[first].append(word)
    return ({k: tuple(v) for k, v in full.items()}, {k: tuple(v) for k, v in initials.items()})


def from_pinyin(letters: str) -> list[str]:
    """Vocabulary words whose full pinyin (chushi) or initials (cs) the letters are, full readings first."""
    full, initials = _pinyin()
    found = list(full.get(letters, ())) + list(initials.get(letters, ()) if len(letters) <= 4 else ())
    return list(dict.fromkeys(found))[:MAX_PINYIN_WORDS]


def split_pinyin(letters: str) -> list[str] | None:
    """Two vocabulary words' full pinyin typed as one (changshachushi → changsha, chushi), else None."""
    full, _ = _pinyin()
    if letters in full:
        return None
    for cut_at in range(2, len(letters) - 1):
        if letters[:cut_at] in full and letters[cut_at:] in full:
            return [letters[:cut_at], letters[cut_at:]]
    return None


@cache
def _completion_order() -> tuple[tuple[str, str], ...]:
    """(reading, word), full pinyin then initials, the nearest (shortest) first, positions before others."""
    full, initials = _pinyin()
    rows = [(spelled, word) for spelled, words in full.items() for word in words]
    rows.sort(key=lambda row: (len(row[0]), kind(row[1]) != "position", row[0]))
    more = sorted(((first, word) for first, words in initials.items() for word in words), key=lambda r: len(r[0]))
    return tuple(rows + more)


def pinyin_completions(prefix: str, limit: int) -> list[str]:
    """Vocabulary words whose full pinyin starts with the letters (chu → 厨师), or whose initials do."""
    found: dict[str, None] = {}
    for reading, word in _completion_order():
        if reading.startswith(prefix):
            found[word] = None
            if len(found) >= limit:
                break
    return list(found)


def pinyin_rows() -> list[str]:
    """The pinyin table's lines (word, full pinyin, initials), built with pypinyin: scripts/pinyin_table.py."""
    from pypinyin import Style, lazy_pinyin  # a build-time tool: no running process imports it

    words = sorted(set(dictionary()) | synonyms_shipped_words())
    rows = []
    for word in words:
        if not all("\u3400" <= c <= "\u9fff" for c in word):
            continue
        rows.append(f"{word}\t{''.join(lazy_pinyin(word))}\t{''.join(lazy_pinyin(word, style=Style.FIRST_LETTER))}")
    return rows


def synonyms_shipped_words() -> set[str]:
    return Synonyms.parse(SHIPPED_SYNONYMS.read_text(encoding="utf-8")).words()


def _typo_keys(word: str) -> list[str]:
    return [word[:i] + "?" + word[i + 1:] for i in range(len(word))]


@cache
def _typo_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = defaultdict(list)
    for word in sorted(set(dictionary()) | synonyms_shipped_words()):
        if len(word) >= MIN_TYPO_LENGTH:
            for key in _typo_keys(word):
                index[key].append(word)
    return {key: tuple(words) for key, words in index.items()}


def typo_candidates(run: str) -> list[str]:
    """Vocabulary words of the run's length that differ from it in exactly one character (收营员 → 收银员);
    none for a run that is itself a word, or shorter than three characters."""
    if len(run) < MIN_TYPO_LENGTH or run in dictionary():
        return []
    index = _typo_index()
    return list(dict.fromkeys(word for key in _typo_keys(run) for word in index.get(key, ()) if word != run))[:3]
