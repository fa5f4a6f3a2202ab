"""The search box: a keyword as every section's listing reads it, and the words a document is found by.

A document holds its published texts twice (search/text.py segments both sides alike):
- as words, in four fields by weight (WORD_FIELDS: title/positions, tags, description, place = address and area
  names), analysed by the built-in `whitespace` analyzer (the app already cut them, search mode: 厨师长 also
  gives 厨师), so BM25 with the field boosts orders a keyword's matches;
- as characters, in `keywords` (the `standard` analyzer: one token per Chinese character), for what the
  dictionary does not know: a single character (厨 finds 厨师) or an unknown run, matched as a phrase.

A keyword (`parse`), normalised once by its list body: numbers that mean a field taken out first (月薪8000 / 8k
/ 8千: a salary range holding it; 50平 / 50㎡: a shop's area within ±20 %; 10年经验: a card's experience of at least
10 years, where the section has such a field, else dropped); then segmented into words. Each word must match,
through any of its readings: itself and its synonyms (search/vocabulary.py, read at query time), the
vocabulary words its Latin letters spell in pinyin, and for an unknown run of 3+ characters the words one
character away (typos, boosted below exact matches). An area name matches the place field alone. At most
MAX_TERMS words and READING_BUDGET readings in all (MAX_READINGS a word): a keyword never costs the engine
much more than a plain listing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from search import vocabulary
from search.text import ROADS, indexed, is_cjk, normalized, spans

KEYWORD_FIELD = "keywords"
MAX_KEYWORD_LENGTH = 30
MAX_TERMS = 4
MAX_READINGS = 8
READING_BUDGET = 16  # readings of all the words together: a long keyword's words get fewer each
# Word fields and their boosts: a match in the title outweighs one in the tags, the description, the place.
TITLE, TAGS, TEXT, PLACE = "words_title", "words_tags", "words_text", "words_place"
BOOSTS = {TITLE: 4.0, TAGS: 2.0, TEXT: 1.0, PLACE: 0.5}
WORD_FIELDS = tuple(BOOSTS)
ROLE_SUFFIXES = frozenset("师工员")
_SEXES = {"女": 2, "女性": 2, "女士": 2, "男": 1, "男性": 1, "男士": 1}
TYPO_BOOST = 0.1  # the score of a word one character away from what was typed: below the typed word's
CHAR_BOOST = 0.5

# Numbers that mean a field (NFKC already made ㎡ "m2", full-width digits ASCII).
_PAY = r"(?:(月薪|工资|薪资|薪水|底薪|月入|薪酬)\s*)?"
_AMOUNT = r"(\d+(?:\.\d+)?)\s*(k|千|w|万|元)?"
_SALARY = re.compile(_PAY + _AMOUNT + r"\s*(以上|起|以下|左右)?")
_SALARY_RANGE = re.compile(_PAY + _AMOUNT + r"\s*[-~～到至]\s*" + _AMOUNT)
_AREA = re.compile(r"(\d+(?:\.\d+)?)\s*(?:平方米|平米|平方|平|m2)")
_YEARS = re.compile(r"(\d{1,2})\s*年(?:以上)?(?:工作)?(?:经验)?(?:以上)?")
_UNITS = {"k": 1000, "千": 1000, "w": 10000, "万": 10000, "元": 1, None: 1}
BARE_SALARY = range(1000, 100_000)  # a bare 4-5 digit number in a section with salaries: the salary or the text
_LATIN = re.compile(r"[a-z]+")


@dataclass
class Term:
    """One word of a keyword: every reading of it may match; at least one must."""

    text: str
    words: list[str] = field(default_factory=list)  # itself and its synonyms (word fields)
    together: list[tuple[str, ...]] = field(default_factory=list)  # readings needing several words (包吃 + 包住)
    typos: list[str] = field(default_factory=list)  # vocabulary words one character away
    chars: bool = False  # also (or only) as characters: a single character or an unknown run
    place: bool = False  # an area name: the place field alone
    # A lone character the segmenter left beside real words of one typed part (烧烤师付: 烧烤师 + 付): more
    # often a slip than a wish, so it ranks what holds it higher but is not required. Typed as a part of its
    # own (厨, 厨 上海) it is required.
    optional: bool = False

    def marked(self) -> set[str]:
        return {*self.words, *self.typos, *(w for group in self.together for w in group)}


@dataclass
class Keyword:
    terms: list[Term] = field(default_factory=list)
    # (at least, at most): the posting's salary range reaches the first and starts by the second; both the same
    # number: the range holds it (月薪8000); 8000以上: (8000, None); 6000-8000: the ranges overlap.
    salary: tuple[int | None, int | None] | None = None
    bare_salary: int | None = None  # with the text word of the same number: either may match
    area_m2: float | None = None
    experience: int | None = None
    sex: int | None = None  # 女服务员 on a list of people: a woman's card (1 男, 2 女)

    def __bool__(self) -> bool:
        return bool(self.terms) or any(v is not None for v in (self.salary, self.area_m2, self.experience, self.sex))

    @cached_property
    def marked_words(self) -> frozenset[str]:
        """The words a highlight marks where the text's own words are them."""
        return frozenset(w for term in self.terms for w in term.marked())

    @cached_property
    def marked_runs(self) -> tuple[str, ...]:
        """Runs of characters a highlight marks wherever they occur."""
        return tuple(term.text for term in self.terms if term.chars)

    @cached_property
    def anything_marked(self) -> re.Pattern | None:
        """One search that says whether a normalised text can hold a mark at all."""
        needles = sorted({*self.marked_words, *self.marked_runs}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, needles))) if needles else None


def words_of(normal: str) -> list[str]:
    """A normalised keyword's space-separated parts, each once; a part with no letter, digit or character
    (only punctuation) is dropped: it says nothing. Joined by spaces, what `ListingRequest` keeps of a keyword
    (its cache key and the engine's input)."""
    return list(dict.fromkeys(w for w in normal.split() if any(c.isalnum() for c in w)))


def normalized_words(keyword: str | None) -> list[str]:
    """`words_of` a keyword as typed (an operator's, a relevance judgement's), normalised first. A request's
    keyword is normalised once, by its body (server/schemas/listing.py), and taken as is from there on."""
    return words_of(normalized(keyword)) if keyword else []


# Beyond these a number in the box means nothing (and would overflow the engine's integer fields): dropped.
SALARY_CEILING = 10_000_000  # yuan a month, as the bodies' own limit
AREA_CEILING = 100_000.0  # m²


def _amount(number: str, unit: str | None) -> int | None:
    amount = float(number) * _UNITS[unit]
    return int(amount) if amount <= SALARY_CEILING else None


def _numbers(text: str, numbers: frozenset[str], found: Keyword) -> str:
    """Take the numbers that mean a field out of the text (those of fields the section lacks too)."""
    def area(match: re.Match) -> str:
        if "area" in numbers and float(match.group(1)) <= AREA_CEILING:
            found.area_m2 = float(match.group(1))
        return " "

    def years(match: re.Match) -> str:
        if "experience" in numbers and int(match.group(1)) <= 50:
            found.experience = int(match.group(1))
        return " "

    def salary(match: re.Match) -> str:
        prefix, number, unit, side = match.groups()
        if prefix is None and unit is None:
            return match.group(0)  # a bare number: handled with the words
        if "salary" in numbers and (amount := _amount(number, unit)) is not None:
            found.salary = (amount, None) if side in ("以上", "起") else (None, amount) if side == "以下" else (amount, amount)
        return " "

    def salary_range(match: re.Match) -> str:
        prefix, low, low_unit, high, high_unit = match.groups()
        if prefix is None and low_unit is None and high_unit is None and int(float(low)) < 1000:
            return match.group(0)  # 3-5 is not a salary
        low_amount, high_amount = _amount(low, low_unit or high_unit), _amount(high, high_unit)
        if "salary" in numbers and low_amount is not None and high_amount is not None:
            found.salary = (low_amount, high_amount)
        return " "

    text = _AREA.sub(area, text)
    text = _YEARS.sub(years, text)
    text = _SALARY_RANGE.sub(salary_range, text)
    return _SALARY.sub(salary, text)


def _readings(word: str, term: Term) -> None:
    table = vocabulary.synonyms().alternatives
    term.words.append(word)
    for reading in table.get(word, ()):
        (term.words if len(reading) == 1 else term.together).append(reading[0] if len(reading) == 1 else reading)
    # A role named by its trade (烧烤师, 卤味师, 洗碗工, 收银员): postings also say 烧烤师傅 (烧烤 + 师傅) or
    # just the trade, so the trade is a reading too, after the synonyms.
    if len(word) >= 3 and word[-1] in ROLE_SUFFIXES and vocabulary.is_known(word[:-1]):
        term.words += [word[:-1], *(r[0] for r in table.get(word[:-1], ()) if len(r) == 1)]
    if _LATIN.fullmatch(word):  # every word the letters spell first, then their synonyms
        spelled = vocabulary.from_pinyin(word)
        term.words += spelled
        term.words += [r[0] for w in spelled for r in table.get(w, ()) if len(r) == 1]
    term.words = list(dict.fromkeys(term.words))[:MAX_READINGS]
    term.together = term.together[:2]


def _streets(tokens: list[str]) -> tuple[list[str], set[str]]:
    """A place name followed by a road (南京 + 东路, 长沙 + 路) is a street, not that place: one run of
    characters in a row, as the text has it. → (tokens, the streets)."""
    out: list[str] = []
    streets: set[str] = set()
    for token in tokens:
        if out and token in ROADS and vocabulary.kind(out[-1]) == "area":
            out[-1] += token
            streets.add(out[-1])
        else:
            out.append(token)
    return out, streets


def _runs(tokens: list[str]) -> tuple[list[str], set[str]]:
    """Consecutive single characters the dictionary left alone joined back into one run (收营员): an unknown
    word the character field finds as a phrase, or a typo of a vocabulary word. → (tokens, the runs)."""
    merged: list[str] = []
    runs: set[str] = set()
    run = ""
    for token in [*tokens, ""]:
        if len(token) == 1 and is_cjk(token) and token not in vocabulary.STOP_WORDS:
            run += token
            continue
        if len(run) > 1:
            runs.add(run)
        if run:
            merged.append(run)
        run = ""
        if token:
            merged.append(token)
    return list(dict.fromkeys(merged)), runs


def _typo_joined(tokens: list[str]) -> list[str]:
    """Neighbouring tokens, one of them a lone character, joined where together they are one character away
    from a vocabulary word (厨师场 was cut 厨师 + 场: it is 厨师长 mistyped)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + 3), i + 1, -1):
            window = tokens[i:j]
            joined = "".join(window)
            if (3 <= len(joined) <= 6 and is_cjk(joined) and any(len(t) == 1 for t in window)
                    and vocabulary.typo_candidates(joined)):
                out.append(joined)
                i = j
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def parse(keyword: str | None, numbers: Iterable[str] = ()) -> Keyword:
    """A normalised keyword (`ListingRequest.keyword`) as the listing reads it (see the module's docstring).
    `numbers`: which of salary, area and experience the section has. The same keyword under the same synonym
    table: the same (shared) reading."""
    return _parsed(keyword, tuple(numbers), vocabulary.synonyms())


@lru_cache(maxsize=2048)
def _parsed(keyword: str | None, numbers: tuple[str, ...], table: vocabulary.Synonyms) -> Keyword:
    found = Keyword()
    if not keyword:
        return found
    text = _numbers(keyword, frozenset(numbers), found)
    tokens = [part for token in vocabulary.query_words(text)
              for part in ((_LATIN.fullmatch(token) and vocabulary.split_pinyin(token)) or [token])]
    # 女 / 男 alone or before a word of the trade (女服务员): on a list of people, whose card; elsewhere a
    # wish no field holds, so the word alone.
    for at, token in enumerate(tokens):
        sex = _SEXES.get(token) or (_SEXES.get(token[0]) if len(token) > 2 and vocabulary.is_known(token[1:]) else None)
        if sex is None:
            continue
        if "sex" in numbers and found.sex is None:
            found.sex = sex
        if token in _SEXES:
            if "sex" in numbers:
                del tokens[at]
        else:
            tokens[at] = token[1:]
        break
    tokens, streets = _streets(tokens)
    merged, runs = _runs(tokens)
    runs |= streets
    joined = _typo_joined(merged)
    runs |= {token for token in joined if token not in merged}
    merged = joined
    typed = set(text.split())
    for token in merged[:MAX_TERMS]:
        term = Term(token, optional=len(token) == 1 and token not in typed and len(merged) > 1)
        if token.isdigit() and "salary" in numbers and int(token) in BARE_SALARY and found.bare_salary is None:
            found.bare_salary = int(token)
        if token in runs or (len(token) == 1 and is_cjk(token)):
            term.chars = True  # as characters in a row; an unknown run also as the words one character away
            near = Term(token)
            for typo in vocabulary.typo_candidates(token):
                _readings(typo, near)
            term.typos = near.words[:MAX_READINGS]
        else:
            _readings(token, term)
            # A word of the general dictionary may be cut otherwise within a text: its characters in a row
            # find it too (ranked lower). The trade's words are exact: 日结 never matches 每日结束.
            term.chars = len(token) > 1 and is_cjk(token) and not vocabulary.is_known(token)
            term.place = vocabulary.kind(token) == "area" and not term.together
            if term.place:
                term.words = list(dict.fromkeys(term.words + _place_forms(token)))
        found.terms.append(term)
    share = max(2, min(MAX_READINGS, READING_BUDGET // max(1, len(found.terms))))
    for term in found.terms:  # the typed word first, then its nearest readings
        term.words, term.typos = term.words[:share], term.typos[:share]
    return found


def _place_forms(name: str) -> list[str]:
    """长沙 and 长沙市 are one place: the area pickers write the suffix, people often leave it out."""
    if name[-1] in "市区县" and len(name) > 2:
        return [name[:-1]]
    return [name + suffix for suffix in "市区县" if vocabulary.kind(name + suffix) == "area"]


def _match(fields: Sequence[str], query: str, boost: float = 1.0) -> dict:
    if len(fields) == 1:
        return {"match": {fields[0]: {"query": query, "boost": boost}}}
    return {"multi_match": {"query": query, "fields": [f"{f}^{BOOSTS[f]:g}" for f in fields],
                            "type": "best_fields", "boost": boost}}


def term_clause(term: Term) -> dict:
    """What one word needs: any of its readings in a word field, or its characters in a row. A place matches
    the place field alone (a street named after a city is not that city: search/text.py)."""
    fields = (PLACE,) if term.place else WORD_FIELDS
    options: list[dict] = []
    if term.words:
        options.append(_match(fields, " ".join(term.words)))
    for group in term.together:
        options.append({"bool": {"filter": [_match(fields, w) for w in group]}})
    if term.typos:  # a constant below any real match's score: what was typed, where found, ranks first
        options.append({"constant_score": {"filter": _match(fields, " ".join(term.typos)), "boost": TYPO_BOOST}})
    if term.chars:
        options.append({"match_phrase": {KEYWORD_FIELD: {"query": term.text, "boost": CHAR_BOOST}}})
    if len(options) == 1:
        return options[0]
    return {"bool": {"should": options, "minimum_should_match": 1}}


def number_clauses(found: Keyword) -> list[dict]:
    clauses = []
    if found.salary is not None:
        clauses.append(salary_holds(*found.salary))
    if found.area_m2 is not None:
        clauses.append({"range": {"area_m2": {"gte": round(found.area_m2 * 0.8, 1), "lte": round(found.area_m2 * 1.2, 1)}}})
    if found.experience is not None:
        clauses.append({"range": {"experience_years": {"gte": found.experience}}})
    if found.sex is not None:
        clauses.append({"term": {"sex": found.sex}})
    return clauses


def salary_holds(at_least: int | None, at_most: int | None) -> dict:
    """The posting's salary range reaches `at_least` and starts by `at_most` (the same number: holds it)."""
    return {"bool": {"filter": [*([{"range": {"salary_max": {"gte": at_least}}}] if at_least is not None else []),
                                *([{"range": {"salary_min": {"lte": at_most}}}] if at_most is not None else [])]}}


def keyword_clauses(found: Keyword) -> tuple[list[dict], list[dict]]:
    """(scored clauses: each word; filters: the numbers). A bare number that may be the salary is either."""
    scored = []
    for term in found.terms:
        clause = term_clause(term)
        if found.bare_salary is not None and term.text == str(found.bare_salary):
            clause = {"bool": {"should": [clause, {"constant_score": {"filter": salary_holds(found.bare_salary, found.bare_salary)}}],
                               "minimum_should_match": 1}}
        if term.optional:
            clause = {"bool": {"should": [clause, {"match_all": {"boost": 0}}], "minimum_should_match": 1}}
        scored.append(clause)
    return scored, number_clauses(found)


# --- the document's side ---

def word_fields(*, title: Iterable[str | None] = (), tags: Iterable[str | None] = (),
                text: Iterable[str | None] = (), place: Iterable[str | None] = ()) -> dict:
    """A document's search fields from its published texts by weight; everything in them is also in the
    character field. Contact names and numbers are never passed here."""
    fields: dict = {}
    characters: list[str] = []
    for name, texts in ((TITLE, title), (TAGS, tags), (TEXT, text), (PLACE, place)):
        done = [indexed(t) for t in texts if t]
        fields[name] = " ".join(words for _, words in done if words)
        characters += [normal for normal, _ in done if normal]
    fields[KEYWORD_FIELD] = characters
    return fields


# --- highlighting ---

SNIPPET = 24  # characters of a long text kept around each mark


def _char(c: str) -> str:
    if c.isspace():
        return " "
    if c.isascii() or "\u4e00" <= c <= "\u9fff":
        return c.lower()
    return normalized(c)


def _marks(text: str, found: Keyword) -> list[tuple[int, int]]:
    """Spans of the original text to mark: words of the text (search mode) equal to a reading of a term,
    and an unknown run or a single character where it occurs. Offsets are the original's: normalising a
    character at a time keeps a map back."""
    if found.anything_marked is None or not found.anything_marked.search(normalized(text)):
        return []  # most fields of a page: no segmenting, no offsets
    words, runs = found.marked_words, found.marked_runs
    pieces = [_char(c) for c in text]
    origin = [i for i, piece in enumerate(pieces) for _ in piece]
    normal = "".join(pieces)
    found_spans = [(start, end) for word, start, end in spans(normal) if word in words]
    for run in runs:
        start = normal.find(run)
        while start != -1:
            found_spans.append((start, start + len(run)))
            start = normal.find(run, start + 1)
    if not found_spans or not origin:
        return []
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found_spans):
        start, end = origin[start], origin[min(end, len(origin)) - 1] + 1
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, found: Keyword, snippet: bool = False) -> str | None:
    """The text with its matches in <em>…</em>, everything else HTML-escaped; None without a match. A long
    text (`snippet`) is cut to SNIPPET characters around its first three marks."""
    marks = _marks(text, found)
    if not marks:
        return None
    out, last = [], 0
    if snippet:
        marks = marks[:3]
        last = max(0, marks[0][0] - SNIPPET)
        if last:
            out.append("…")
    for start, end in marks:
        gap = text[last:start]
        if snippet and len(gap) > 2 * SNIPPET:
            gap = gap[:SNIPPET] + "…" + gap[-SNIPPET:]
        out.append(html.escape(gap) + "<em>" + html.escape(text[start:end]) + "</em>")
        last = end
    tail = text[last:last + SNIPPET] if snippet else text[last:]
    out.append(html.escape(tail) + ("…" if snippet and last + SNIPPET < len(text) else ""))
    return "".join(out)


def highlight(item: dict, fields: Iterable[str], found: Keyword, long_fields: Iterable[str] = ("description",)) -> dict:
    """{published field: [marked texts]} of an item, for the fields that matched."""
    long_fields = set(long_fields)
    shown: dict[str, list[str]] = {}
    for name in fields:
        value = item.get(name)
        values = value if isinstance(value, list) else [value]
        marks = [m for v in values if isinstance(v, str) and v and (m := marked(v, found, name in long_fields))]
        if marks:
            shown[name] = marks
    return shown
