"""Placeholder until the trade vocabulary lands (issue 32): a handful of words, split on spaces."""

import unicodedata

_WORDS = {"厨师", "服务员", "面点", "保洁", "洗碗工", "收银员", "传菜员", "切配", "厨师长", "面点师", "长沙", "北京",
          "上海", "社保", "包吃", "包住", "双休", "晚班", "火锅", "奶茶", "小吃", "转让", "明火", "成都", "广州"}


def query_words(keyword: str) -> list[str]:
    text = "".join(c for c in unicodedata.normalize("NFKC", keyword) if unicodedata.category(c) != "Cf")
    return [w for w in text.lower().split() if any(c.isalnum() for c in w)]


def is_known(word: str) -> bool:
    return word in _WORDS
