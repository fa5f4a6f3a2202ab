"""The query of `GET /search/suggest`."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field

from search.keywords import MAX_KEYWORD_LENGTH
from sections.fields import Body, BizType, text
from sections.posting_bodies import keyword_rule


class SuggestQuery(Body):
    """`GET /search/suggest`'s query string."""

    format_is_dropped: ClassVar[frozenset[str]] = frozenset({"prefix"})  # as the keyword's

    biz_type: BizType = Field(description="栏目：1 招聘、2 求职、3 招租")
    prefix: Annotated[text(min_length=1, max_length=4 * MAX_KEYWORD_LENGTH), AfterValidator(keyword_rule)] = Field(
        description=f"搜索框里已输入的文字（规范化后最多 {MAX_KEYWORD_LENGTH} 字）；也可以是拼音或拼音首字母（chu、cs）")
