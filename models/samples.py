"""What every section's seeded random postings share (sections/<name>/samples.py: unsaved rows): the same data for benchmarks, tests and a local demo.

The caller saves them in bulk; they carry no outbox rows, so a reindex (not the drainer) indexes them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta


POSITIONS = ["厨师", "厨师长", "服务员", "保洁", "切配", "收银员", "面点师", "洗碗工", "传菜员", "厨师助理"]
# A few dozen places around Beijing, many jobs each: exact distance ties test the id tie-break.
PLACES = [(116.30 + 0.013 * i, 39.85 + 0.011 * ((i * 7) % 23)) for i in range(40)]
# (province, city, district, street) as the mini-program's area picker gives them; no street for some.
AREAS = [
    ((31, "上海市"), (3101, "上海市"), (310106, "静安区"), (310106013, "南京西路街道")),
    ((31, "上海市"), (3101, "上海市"), (310106, "静安区"), (None, "")),
    ((31, "上海市"), (3101, "上海市"), (310104, "徐汇区"), (310104003, "天平路街道")),
    ((31, "上海市"), (3101, "上海市"), (310115, "浦东新区"), (None, "")),
    ((32, "江苏省"), (3205, "苏州市"), (320505, "虎丘区"), (320505001, "狮山街道")),
]
NAMES = ["王师傅", "李阿姨", "小张", "赵姐", "陈师傅", "刘大哥"]


def millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def lifecycle(rng: random.Random, now: datetime) -> dict:
    """Created in the last 30 days; some refreshed since; some on top (ahead), some whose top has ended."""
    created = millis(now - timedelta(days=rng.uniform(0, 30)))
    refreshed = None
    if rng.random() < 0.4:
        refreshed = millis(created + (now - created) * rng.random())
    top_end = None
    roll = rng.random()
    if roll < 0.1:
        top_end = now + timedelta(hours=rng.uniform(1, 72))
    elif roll < 0.2:
        top_end = now - timedelta(hours=rng.uniform(1, 72))
    return {"create_at": created, "update_at": created, "last_refresh_time": refreshed,
            "top_start_time": top_end and top_end - timedelta(days=3), "top_end_time": top_end}


def area_fields(area: tuple) -> dict:
    fields = {}
    for level, (area_id, des) in zip(("first", "second", "third", "four"), area):
        fields[f"{level}_area_id"], fields[f"{level}_area_des"] = area_id, des
    return fields
