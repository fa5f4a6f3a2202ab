"""The registry the shared core reads: one section per biz_type and name, each within the shared paging limit."""

from __future__ import annotations

import dataclasses

import pytest

from sections.jobs import JOBS
from sections.seekers import SEEKERS
from sections.shops import SHOPS
from sections import UnknownSection, all_sections, by_biz_type, by_name, served
from sections.registry import register
from search.listing import RESULT_WINDOW


def test_each_section_is_found_by_its_biz_type_and_name():
    for section in all_sections():
        assert by_biz_type(section.biz_type) is section and by_name(section.name) is section
    assert served(JOBS.biz_type) is JOBS and served(SEEKERS.biz_type) is SEEKERS and served(SHOPS.biz_type) is SHOPS
    assert [section.biz_type for section in all_sections()] == [1, 2, 3]
    assert served(4) is None
    with pytest.raises(UnknownSection):
        by_name("gigs")


def test_every_index_allows_the_deepest_page_the_lists_serve():
    for section in all_sections():
        assert section.definition()["settings"]["max_result_window"] == RESULT_WINDOW


def test_a_second_section_cannot_take_a_biz_type():
    with pytest.raises(ValueError, match="already the section 'jobs'"):
        register(dataclasses.replace(JOBS, name="impostor"))
    assert by_biz_type(JOBS.biz_type) is JOBS
