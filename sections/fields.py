"""Field types shared by request bodies, and the `Body` base that applies the input rules every body follows.

The rules, each implemented once here:
- "" (or only spaces) or null in an optional field means "not set": its default applies (in an update
  body: unchanged). A required field keeps its blank, which fails its own validation: a 400 naming it.
  Fields named in a body's `blank_is_value` keep "" as a value.
- No string field holds control characters (Unicode Cc) other than newline and tab, nor invisible format
  characters (Unicode Cf: zero-width spaces, bidi controls such as U+202E, the BOM...): a 400 naming the
  field. Everything posted is published or searched, and these hide what a text says (a phone number split
  by zero-width spaces, a name reversed on screen). One exception, visible and harmless: the zero-width
  joiner inside an emoji sequence (👨‍🍳). Blank fillers and line separators (U+3164, U+2800, U+2028...) count
  as invisible too. Fields a body names in `format_is_dropped` (the search keyword)
  lose them silently instead, before any other rule.
- Numbers may come as strings (WXML pickers send "1"): only ASCII digits, never booleans, never NaN/inf.
  Integer ids fit the database's signed BIGINT on every backend.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sections.registry import all_sections, served

INT64_MAX = 2**63 - 1
MAX_SALARY = 10_000_000

# ASCII only on purpose: int("٣") and float("１") would accept other scripts' digits.
INTEGER_PATTERN = r"^\s*[+-]?[0-9]{1,19}\s*$"
NUMBER_PATTERN = r"^\s*[+-]?([0-9]{1,15}(\.[0-9]{0,15})?|\.[0-9]{1,15})([eE][+-]?[0-9]{1,3})?\s*$"
_INTEGER_TEXT = re.compile(INTEGER_PATTERN)
_NUMBER_TEXT = re.compile(NUMBER_PATTERN)
# Unicode category Cc is exactly U+0000–U+001F and U+007F–U+009F; newline and tab stay allowed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _integer(value):
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    if isinstance(value, str):
        if not _INTEGER_TEXT.match(value):
            raise ValueError("must be an integer (ASCII digits)")
        return int(value)
    return value


def _number(value):
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, str):
        if not _NUMBER_TEXT.match(value):
            raise ValueError("must be a number (ASCII digits)")
        return float(value)
    return value


def _money(value):
    """Yuan as the client wrote it: 19.99 stays exactly 19.99 (a float's shortest repr), never 19.989999…"""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, str):
        if not _NUMBER_TEXT.match(value):  # Decimal() would take other scripts' digits ("１９")
            raise ValueError("must be a number (ASCII digits)")
        return value.strip()
    return value


@dataclass(frozen=True)
class _OrText:
    """Documents that a number may also come as a string: anyOf [the number's schema, this string]."""

    pattern: str | None = None
    enum: tuple[str, ...] | None = None

    def __get_pydantic_json_schema__(self, core_schema, handler):
        text = {"type": "string"}
        text.update({"pattern": self.pattern} if self.pattern else {"enum": list(self.enum)})
        return {"anyOf": [handler(core_schema), text]}


# Constraints must stand before the BeforeValidator, or pydantic cannot put them in the JSON schema.
def integer(*, ge: int = -INT64_MAX - 1, le: int = INT64_MAX) -> Any:
    """An integer in [ge, le], as a JSON number or a string of ASCII digits."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_integer),
                     _OrText(pattern=INTEGER_PATTERN)]


def number(*, le: float, ge: float | None = None, gt: float | None = None) -> Any:
    """A finite number up to `le` and from `ge` (or above `gt`), as a JSON number or ASCII digits."""
    return Annotated[float, Field(ge=ge, gt=gt, le=le, allow_inf_nan=False), BeforeValidator(_number),
                     _OrText(pattern=NUMBER_PATTERN)]


# A price in yuan: at most 2 decimals (WeChat charges whole fen); compared with the server's, never trusted.
Money = Annotated[Decimal, Field(gt=0, le=100_000, decimal_places=2, allow_inf_nan=False),
                  BeforeValidator(_money), _OrText(pattern=NUMBER_PATTERN)]


def decimal(*, ge: str, le: str, places: int) -> Any:
    """An exact number with at most `places` decimals (123.4 stays 123.4, never 123.39999…), from `ge` to `le`,
    as a JSON number or ASCII digits; more decimals are refused, not rounded."""
    return Annotated[Decimal, Field(ge=Decimal(ge), le=Decimal(le), decimal_places=places, allow_inf_nan=False),
                     BeforeValidator(_money), _OrText(pattern=NUMBER_PATTERN)]


def choice(*values: int) -> Any:
    """One of a few integer codes, as a number or its string ("1")."""
    return Annotated[Literal[values], BeforeValidator(_integer),
                     _OrText(enum=tuple(str(v) for v in values))]


def text(*, max_length: int, min_length: int = 0, strip: bool = True) -> Any:
    return Annotated[str, StringConstraints(strip_whitespace=strip, min_length=min_length, max_length=max_length)]


Id = integer(ge=1, le=INT64_MAX)
AreaId = integer(ge=0, le=10**15)
Longitude = number(ge=-180, le=180)
Latitude = number(ge=-90, le=90)
Salary = integer(ge=0, le=MAX_SALARY)
PageNum = integer(ge=1, le=10_000)
PageSize = integer(ge=1, le=50)


def _registered(biz_type: int) -> int:
    if served(biz_type) is None:
        known = "、".join(f"{section.biz_type} {section.title}" for section in all_sections())
        raise ValueError(f"no section has biz_type {biz_type} (known: {known})")
    return biz_type


# A registered section's biz_type (the seed's biz_type / purpose_type): 1 招聘, 2 求职, 3 招租, and any other.
BizType = Annotated[integer(ge=1, le=32767), AfterValidator(_registered)]

MOBILE_PATTERN = r"^1[3-9]\d{9}$"
Mobile = Annotated[str, StringConstraints(strip_whitespace=True, pattern=MOBILE_PATTERN)]
AreaDes = text(max_length=64)
Address = text(max_length=255)
Positions = text(min_length=1, max_length=20)
def _one_line(value: str) -> str:
    """A name or a title shown on one line (Body already refused invisible format characters)."""
    if any(c in "\n\t" for c in value):
        raise ValueError("must be one line of text (no line breaks or tabs)")
    return value


def one_line(*, max_length: int) -> Any:
    """A short one-line text (a name, a title): 1 to `max_length` characters, trimmed."""
    return Annotated[text(min_length=1, max_length=max_length), AfterValidator(_one_line)]


PersonName = one_line(max_length=32)
# Welfare tags are free-form ("社保", "包吃住") but bounded.
Tag = text(min_length=1, max_length=20)
TagList = Annotated[list[Tag], Field(max_length=10)]


def split_list(value):
    """A list of short texts as the mini-program may send it: a list, or one text of them joined by commas
    (, or ，) or 、; blanks and repeats dropped, the order kept."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return value  # let pydantic report the wrong type
    parts = [part.strip() for item in value for part in item.replace("，", ",").replace("、", ",").split(",")]
    return list(dict.fromkeys(part for part in parts if part))


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")) or len(value) < 10 or any(c.isspace() for c in value):
        raise ValueError("must be an http(s) URL")
    return value


HttpUrlText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=512), AfterValidator(_http_url)]


def _is_blank(value) -> bool:
    return isinstance(value, str) and not value.strip()


def _control_characters(value) -> bool:
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if isinstance(value, list):
        return any(_control_characters(item) for item in value)
    return False


_ZWJ = "\u200d"


def _emoji_joiner(text: str, at: int) -> bool:
    """Whether the zero-width joiner at `at` joins two emoji (👨‍🍳: a symbol, maybe a skin tone or VS16, then
    a symbol), the one Cf an emoji keyboard types."""
    before, after = text[at - 1:at], text[at + 1:at + 2]
    return (at > 0 and (unicodedata.category(before) in ("So", "Sk") or before == "\ufe0f")
            and unicodedata.category(after or " ") == "So")


# Invisible too, though not Cf: blank fillers (Hangul, braille), the combining grapheme joiner, Khmer's
# inherent vowels, line and paragraph separators. A name of them looks empty or splits a number unseen.
_INVISIBLE_OTHERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\u2800\u2028\u2029")


def _invisible(c: str) -> bool:
    return unicodedata.category(c) == "Cf" or c in _INVISIBLE_OTHERS


def _format_positions(value: str) -> list[int]:
    return [at for at, c in enumerate(value) if _invisible(c) and not (c == _ZWJ and _emoji_joiner(value, at))]


def _has_format_characters(value) -> bool:
    if isinstance(value, str):
        return not value.isascii() and bool(_format_positions(value))  # no Cf is ASCII
    if isinstance(value, list):
        return any(_has_format_characters(item) for item in value)
    return False


def drop_format_characters(value):
    """`value` without its invisible format characters (Unicode Cf), an emoji's joiner included."""
    if isinstance(value, str):
        return "".join(c for c in value if not _invisible(c))
    if isinstance(value, list):
        return [drop_format_characters(item) for item in value]
    return value


class Body(BaseModel):
    """Base of request bodies: unknown keys are ignored so the mini-program may send extras."""

    model_config = ConfigDict(extra="ignore", str_max_length=10_000)
    # Fields where "" is a value rather than "not set" (photo_urls: the empty comma-joined list).
    blank_is_value: ClassVar[frozenset[str]] = frozenset()
    # Fields whose invisible format characters (Cf) are dropped rather than refused (the search keyword).
    format_is_dropped: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _blank_is_not_set(cls, data):
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields

        def not_set(key, value) -> bool:
            if key not in fields or fields[key].is_required():
                return False  # a required field keeps its blank, so the 400 says what is wrong with it
            if key in cls.format_is_dropped:
                value = drop_format_characters(value)  # a keyword of zero-width spaces is no keyword
            return value is None or (_is_blank(value) and key not in cls.blank_is_value)

        return {key: value for key, value in data.items() if not not_set(key, value)}

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value, info: ValidationInfo):
        if _control_characters(value):
            raise ValueError("must not contain control characters (only newline and tab are allowed)")
        if info.field_name in cls.format_is_dropped:
            return drop_format_characters(value)
        if _has_format_characters(value):
            raise ValueError("must not contain invisible format characters (Unicode Cf: zero-width spaces, "
                             "direction controls such as U+202E, BOM)")
        return value


class AreaFields(Body):
    """The four levels of the mini-program's area picker: ids and names, each optional."""

    first_area_id: AreaId | None = None
    first_area_des: AreaDes | None = None
    second_area_id: AreaId | None = None
    second_area_des: AreaDes | None = None
    third_area_id: AreaId | None = None
    third_area_des: AreaDes | None = None
    four_area_id: AreaId | None = None
    four_area_des: AreaDes | None = None
