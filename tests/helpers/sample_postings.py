"""Postings built in memory (never saved), one per section, with every field set: for the tests that compare a
section's document, mapping and item shapes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from models.job import Job


def sample_job() -> Job:
    now = datetime(2026, 1, 15, 23, 21, 9, 641000)
    return Job(id=5, user_id=298, biz_type=1, positions="保洁", longitude=Decimal("121.473701"),
               latitude=Decimal("31.230416"), address="上海市", contact="13800138000", contact_person_name="段先生",
               description="d", photo_urls=["https://a.cn/1.jpg"], first_area_id=31, first_area_des="上海市",
               second_area_id=3101, second_area_des="上海市辖区", third_area_id=310101, third_area_des="黄浦区",
               four_area_id=310101001, four_area_des="南京东路街道", salary_min=6000, salary_max=8000,
               basic_protection=["社保"], salary_benefits=[], attendance_leave=["双休"], status=1,
               create_at=now, update_at=now, last_refresh_time=None, top_start_time=now, top_end_time=now)
