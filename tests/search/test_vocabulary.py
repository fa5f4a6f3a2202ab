"""The trade's vocabulary as the search box reads people: words, synonyms, pinyin, typos."""

from __future__ import annotations

import pytest

from models.shop import FACILITIES, INDUSTRIES
from search import vocabulary
from search.text import dictionary, index_words, normalized


def test_normalising_drops_invisible_characters_folds_width_and_case():
    assert normalized("厨\u200b师 \u202e ＫＦＣ   长沙 ") == "厨师 kfc 长沙"


def test_unspaced_queries_split_into_words_and_fillers_go():
    assert vocabulary.query_words("长沙厨师") == ["长沙", "厨师"]
    assert vocabulary.query_words("饮品店转让") == ["饮品店", "转让"]
    assert vocabulary.query_words("找厨师的工作") == ["厨师"]
    assert vocabulary.query_words("的") == ["的"]  # nothing else: the filler is the query


def test_indexed_words_hold_the_words_within_a_long_word_and_respect_word_bounds():
    assert {"厨师", "厨师长"} <= set(index_words("厨师长"))
    assert "日结" not in index_words("每日结束营业") and "日结" in index_words("工资日结")


def test_the_shops_tags_are_words_of_the_vocabulary():
    assert all(vocabulary.is_known(tag) for tag in FACILITIES + INDUSTRIES)
    assert vocabulary.kind("明火") == "shop" and vocabulary.kind("岳麓区") == "area"


@pytest.mark.parametrize("word, known", [("大厨", True), ("掌勺", True), ("ＫＦＣ", False), ("收营", True),
                                         ("长沙市", True), ("不存在的词", False)])
def test_known_words(word, known):
    assert vocabulary.is_known(word) is known


def test_pinyin_full_and_initials_and_prefixes():
    assert vocabulary.from_pinyin("chushi")[0] == "厨师"
    assert "厨师" in vocabulary.from_pinyin("cs") and "长沙" in vocabulary.from_pinyin("cs")
    assert "厨师" in vocabulary.pinyin_completions("chu", 10)


def test_one_wrong_character_in_a_word_of_three_or_more():
    assert vocabulary.typo_candidates("传莱员") == ["传菜员"]
    assert vocabulary.typo_candidates("收银员") == [] and vocabulary.typo_candidates("厨帅") == []


def test_the_pinyin_table_is_up_to_date():
    pytest.importorskip("pypinyin")
    table = (vocabulary.DATA / "pinyin.tsv").read_text(encoding="utf-8").splitlines()
    assert [line for line in table if not line.startswith("#")] == vocabulary.pinyin_rows(), \
        "run scripts/pinyin_table.py"


def test_an_edited_synonym_file_is_read_again_without_a_restart(tmp_path):
    table = tmp_path / "synonyms.txt"
    table.write_text("厨师,大厨\n", encoding="utf-8")
    vocabulary.use_synonyms(table)
    try:
        assert vocabulary.synonyms().alternatives["大厨"] == (("厨师",),)
        table.write_text("厨师,大厨,灶台师傅\n包吃住 => 包吃,包住\n", encoding="utf-8")
        import os
        os.utime(table, ns=(1, 2_000_000_000_000_000_000))
        assert ("灶台师傅",) in vocabulary.synonyms().alternatives["大厨"]
        assert vocabulary.synonyms().alternatives["包吃住"] == (("包吃", "包住"),)
        assert vocabulary.is_known("灶台师傅")
    finally:
        vocabulary.use_synonyms(None)
    assert "灶台师傅" not in vocabulary.synonyms().words() and dictionary()


def test_the_invisible_characters_are_unicodes_format_characters():
    import sys
    import unicodedata

    from search.text import INVISIBLE

    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        matched = INVISIBLE.fullmatch(chr(code)) is not None
        assert matched == (category == "Cf") or (matched and category == "Cn"), hex(code)


def test_a_denied_trade_word_and_a_city_that_names_a_street_are_not_indexed():
    from search.text import index_words, normalized

    def words(text):
        return index_words(normalized(text))

    assert "明火" not in words("不可明火，排烟好") and "排烟" in words("不可明火，排烟好")
    assert "包住" not in words("包吃不包住") and "包吃" in words("包吃不包住")
    assert "转让" not in words("无转让费，仅出租") and "出租" in words("无转让费，仅出租")
    assert "长沙" not in words("上海市长沙路88号") and "上海" in words("上海市长沙路88号")
    assert "北京" not in words("广州市越秀区北京路") and "北京路" in words("广州市越秀区北京路")
    assert "北京" in words("北京市朝阳区")


def test_a_slip_beside_real_words_is_not_required_and_a_role_is_also_its_trade():
    from search.keywords import parse

    terms = parse("烧烤师付", ("salary",)).terms
    assert [(t.text, t.optional) for t in terms] == [("烧烤师", False), ("付", True)]
    assert "烧烤" in terms[0].words  # 烧烤师 postings often say 烧烤师傅 (烧烤 + 师傅)
    assert [(t.text, t.optional) for t in parse("厨 上海", ()).terms] == [("厨", False), ("上海", False)]
    assert [t.text for t in parse("凉菜师傅", ()).terms] == ["凉菜"]  # 师傅 says nothing of the trade
