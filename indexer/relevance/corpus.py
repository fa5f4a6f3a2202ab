"""The judged set's corpus: seeded, realistic postings of each section, each with its ground truth.

Every posting is the fields of an unsaved model row (`fields`, as models/ names them) and what the generator
knows it means (`truth`): the canonical position family, the city and district, the salary, whether it really
pays by the day (日结), the shop's trades, deal type, size and facilities... The texts are written as
restaurants and workers write them: the trade's many words for one job (大厨, 炒锅, 掌勺), spelled-out
numbers, and traps (每日结束营业 is no 日结, 包吃不包住 no 包住, 不可明火 no 明火, 北京路 is in 广州).
Relevance is decided on `truth` alone (indexer/relevance/judge.py), never by the search under test.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

NOW = datetime(2026, 6, 1, 12, 0, 0)  # the corpus's "now": its postings' times and the ranking's

# (province, city) and districts as the mini-program's area picker gives them (GB/T 2260 ids), with streets
# to write addresses from and a centre to scatter points around.
CITIES = [
    {"province": (43, "湖南省"), "city": (4301, "长沙市"), "centre": (112.94, 28.23), "districts": [
        (430104, "岳麓区", ["麓山南路", "桐梓坡路", "枫林三路", "金星中路"]),
        (430111, "雨花区", ["劳动东路", "韶山中路", "万家丽中路"]),
        (430105, "开福区", ["湘江中路", "三一大道", "北辰三角洲"])]},
    {"province": (11, "北京市"), "city": (1101, "北京市"), "centre": (116.40, 39.90), "districts": [
        (110105, "朝阳区", ["建国路", "三里屯路", "望京街", "双井桥"]),
        (110108, "海淀区", ["中关村大街", "学院路", "成府路"]),
        (110101, "东城区", ["王府井大街", "东直门内大街"])]},
    {"province": (31, "上海市"), "city": (3101, "上海市"), "centre": (121.47, 31.23), "districts": [
        (310106, "静安区", ["南京西路", "延安中路", "武定路"]),
        (310115, "浦东新区", ["张杨路", "世纪大道", "陆家嘴环路"]),
        (310104, "徐汇区", ["漕溪北路", "衡山路"])]},
    {"province": (51, "四川省"), "city": (5101, "成都市"), "centre": (104.07, 30.57), "districts": [
        (510107, "武侯区", ["科华北路", "武侯祠大街", "玉林南路"]),
        (510104, "锦江区", ["春熙路", "红星路", "东大街"]),
        (510105, "青羊区", ["人民中路", "宽窄巷子"])]},
    {"province": (44, "广东省"), "city": (4401, "广州市"), "centre": (113.26, 23.13), "districts": [
        (440106, "天河区", ["天河路", "体育西路", "花城大道"]),
        (440104, "越秀区", ["北京路", "中山五路"]),  # 北京路: a 北京 in a 广州 address
        (440105, "海珠区", ["江南大道", "昌岗路"])]},
]

# Job position families: the canonical name, then the words restaurants write for it (weighted by repetition).
JOB_FAMILIES = {
    "厨师": ["厨师", "厨师", "厨师", "大厨", "炒锅", "炒锅师傅", "掌勺", "掌勺师傅", "湘菜厨师", "川菜厨师",
           "中餐厨师", "炒菜师傅"],
    "厨师长": ["厨师长", "厨师长", "行政总厨"],
    "面点师": ["面点师", "面点师", "白案", "白案师傅", "面点师傅"],
    "切配": ["切配", "切配工", "砧板"],
    "收银员": ["收银员", "收银员", "收银", "前台收银"],
    "服务员": ["服务员", "服务员", "餐厅服务员", "楼面服务员", "包厢服务员"],
    "传菜员": ["传菜员", "传菜员", "传菜"],
    "洗碗工": ["洗碗工", "洗碗工", "洗碗阿姨", "洗碗"],
    "奶茶店员": ["奶茶店店员", "奶茶店员", "奶茶师", "茶饮店员", "饮品师"],
    "保洁": ["保洁", "保洁阿姨"],
    "烧烤师傅": ["烧烤师傅", "烤串师傅"],
}
JOB_FAMILY_WEIGHTS = {"厨师": 6, "厨师长": 2, "面点师": 2, "切配": 2, "收银员": 3, "服务员": 5, "传菜员": 2,
                      "洗碗工": 3, "奶茶店员": 3, "保洁": 1, "烧烤师傅": 1}
SALARIES = {"厨师": (6000, 12000), "厨师长": (10000, 20000), "面点师": (5000, 9000), "切配": (4500, 7000),
            "收银员": (3500, 6000), "服务员": (3500, 6000), "传菜员": (3500, 5500), "洗碗工": (3000, 5000),
            "奶茶店员": (3500, 6000), "保洁": (3000, 4500), "烧烤师傅": (6000, 10000)}
RESTAURANTS = ["湘菜馆", "川菜馆", "火锅店", "烧烤店", "粤菜酒楼", "家常菜馆", "快餐店", "面馆", "奶茶店",
               "茶餐厅", "农家乐", "酒店中餐厅"]
DISHES = ["小炒", "剁椒鱼头", "口味虾", "宫保鸡丁", "回锅肉", "包子馒头", "手工面", "早点", "烧腊"]

# Seekers' cards: the words a worker writes for what they want (a family each).
CARD_WORDS = {
    "厨师": ["厨师", "厨师", "大厨", "炒锅", "掌勺", "炒菜师傅"],
    "厨师长": ["厨师长"],
    "面点师": ["面点师", "面点", "白案"],
    "切配": ["切配", "砧板"],
    "收银员": ["收银员", "收银"],
    "服务员": ["服务员", "服务员", "餐厅服务员"],
    "传菜员": ["传菜员", "传菜"],
    "洗碗工": ["洗碗工", "洗碗"],
    "奶茶店员": ["奶茶店员", "饮品师", "奶茶"],
    "保洁": ["保洁"],
}
CARD_NAMES = ["王师傅", "李阿姨", "小张", "赵姐", "陈师傅", "刘大哥", "周师傅", "小杨", "黄阿姨", "吴师傅"]

# Shops: the trades (models.shop.INDUSTRIES) as titles write them, and the words for each deal.
SHOP_TRADES = {"中餐": "中餐馆", "火锅": "火锅店", "烧烤": "烧烤店", "奶茶": "奶茶店", "咖啡": "咖啡店",
               "快餐": "快餐店", "小吃": "小吃店", "面馆": "面馆", "西餐": "西餐厅", "日料": "日料店",
               "韩餐": "韩餐店", "烘焙": "烘焙店"}
TRADE_WEIGHTS = {"中餐": 3, "火锅": 2, "烧烤": 2, "奶茶": 3, "咖啡": 1, "快餐": 2, "小吃": 4, "面馆": 2,
                 "西餐": 1, "日料": 1, "韩餐": 1, "烘焙": 1}
TRANSFER_WORDS = ["转让", "转让", "转让", "出兑", "出让", "低价转让", "急转"]
RENT_WORDS = ["出租", "出租", "招租", "旺铺出租"]
FACILITIES = ("明火", "排烟", "上下水", "燃气", "三相电", "外摆", "空调", "停车位", "隔油池")


def _area(rng: random.Random) -> dict:
    city = rng.choice(CITIES)
    district_id, district, streets = rng.choice(city["districts"])
    lon, lat = city["centre"]
    return {"city": city, "district": (district_id, district), "street": rng.choice(streets),
            "point": (round(lon + rng.uniform(-0.08, 0.08), 6), round(lat + rng.uniform(-0.06, 0.06), 6))}


def _area_fields(place: dict) -> dict:
    city = place["city"]
    return {"first_area_id": city["province"][0], "first_area_des": city["province"][1],
            "second_area_id": city["city"][0], "second_area_des": city["city"][1],
            "third_area_id": place["district"][0], "third_area_des": place["district"][1],
            "four_area_id": None, "four_area_des": "",
            "longitude": place["point"][0], "latitude": place["point"][1]}


def _place_truth(place: dict) -> dict:
    return {"city": place["city"]["city"][1], "district": place["district"][1]}


def _times(rng: random.Random) -> dict:
    created = NOW - timedelta(days=rng.uniform(0, 30), seconds=rng.randrange(86400))
    created = created.replace(microsecond=0)
    refreshed = created + (NOW - created) * rng.random() if rng.random() < 0.3 else None
    top_end = NOW + timedelta(hours=rng.uniform(1, 72)) if rng.random() < 0.06 else None
    return {"create_at": created, "update_at": created,
            "last_refresh_time": refreshed and refreshed.replace(microsecond=0),
            "top_start_time": top_end and (top_end - timedelta(days=3)).replace(microsecond=0),
            "top_end_time": top_end and top_end.replace(microsecond=0)}


def _common(rng: random.Random, key: int, place: dict) -> dict:
    return {"id": key, "user_id": 1000 + key, "contact": "138" + f"{rng.randrange(10**8):08d}", "photo_urls": [],
            "status": 1, **_area_fields(place), **_times(rng)}


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _address(rng: random.Random, place: dict, short: bool = False) -> str:
    city, district = place["city"]["city"][1], place["district"][1]
    if short:
        return f"{city}{district}"
    return f"{city}{district}{place['street']}{rng.randint(1, 399)}号"


def _salary(rng: random.Random, low: int, high: int) -> tuple[int, int]:
    salary_min = rng.randrange(low, high - 1000 + 1, 500)
    return salary_min, salary_min + rng.randrange(500, 4001, 500)


def generate_jobs(count: int = 420, seed: int = 32) -> list[dict]:
    rng = random.Random(seed)
    postings = []
    for key in range(1, count + 1):
        family = _weighted(rng, JOB_FAMILY_WEIGHTS)
        word = rng.choice(JOB_FAMILIES[family])
        place = _area(rng)
        restaurant = "奶茶店" if family == "奶茶店员" else rng.choice(RESTAURANTS)
        salary_min, salary_max = _salary(rng, *SALARIES[family])
        daily = rng.random() < 0.15
        meals, housing = rng.random() < 0.6, rng.random() < 0.4
        experience = rng.choice((0, 0, 1, 2, 3, 5)) if family not in ("厨师", "厨师长") else rng.choice((1, 3, 5, 8, 10))
        basic = rng.sample(["社保", "五险", "商业保险"], rng.randint(0, 1))
        benefits = rng.sample(["餐补", "全勤奖", "年终奖", "节日福利", "提成"], rng.randint(0, 2))
        leave = rng.sample(["月休4天", "月休2天", "双休", "带薪年假", "做六休一"], rng.randint(0, 1))
        texts = [f"本店是一家{restaurant}，位于{place['district'][1]}{place['street']}，现招{word}{rng.randint(1, 3)}名。"]
        if experience:
            texts.append(rng.choice([f"要求{experience}年以上工作经验。", f"有{experience}年以上经验者优先。"]))
        else:
            texts.append(rng.choice(["无经验可带，肯学就行。", "要求身体健康，能吃苦耐劳。"]))
        if family in ("厨师", "厨师长", "面点师"):
            texts.append(f"会做{rng.choice(DISHES)}者优先。")
        if meals and housing and rng.random() < 0.5:
            texts.append("包吃住。")
        else:
            # The tag or the text says so, or a neighbour's phrasing (员工餐, 宿舍); 包吃不包住 holds no 包住.
            if meals:
                (basic.append("包吃") if rng.random() < 0.5 else
                 texts.append(rng.choice(["包吃。", "提供员工餐。", "包两餐。"])))
            if housing:
                (basic.append("包住") if rng.random() < 0.5 else
                 texts.append(rng.choice(["包住。", "提供员工宿舍。"])))
            if meals and not housing and rng.random() < 0.4:
                texts.append("包吃不包住。")
        if daily:
            (benefits.append("日结") if rng.random() < 0.5 else
             texts.append(rng.choice(["工资日结。", "可日结，干一天结一天。", "日结200元/天，也可月结。"])))
        else:
            trap = rng.random()
            if trap < 0.08:
                texts.append("每日结束营业后需配合打扫卫生。")
            elif trap < 0.14:
                texts.append("收银需每日结账对账。" if family == "收银员" else "每日结束后有员工餐。")
            texts.append(rng.choice([f"月薪{salary_min}-{salary_max}元。", "工资面议。", "底薪加提成。",
                                     "工资每月15号准时发放。"]))
        postings.append({
            "fields": {**_common(rng, key, place), "positions": word, "contact_person_name": rng.choice(["段先生", "刘经理", "王老板", "陈姐"]),
                       "address": _address(rng, place), "description": "".join(texts),
                       "salary_min": salary_min, "salary_max": salary_max,
                       "basic_protection": basic, "salary_benefits": benefits, "attendance_leave": leave},
            "truth": {"family": family, **_place_truth(place), "salary": [salary_min, salary_max],
                      "daily_pay": daily, "meals": meals, "housing": housing, "experience_min": experience},
        })
    return postings


def generate_seekers(count: int = 360, seed: int = 33) -> list[dict]:
    rng = random.Random(seed)
    weights = {family: JOB_FAMILY_WEIGHTS[family] for family in CARD_WORDS}
    postings = []
    for key in range(1, count + 1):
        families = list(dict.fromkeys(_weighted(rng, weights) for _ in range(rng.choice((1, 1, 2, 3)))))
        words = [rng.choice(CARD_WORDS[family]) for family in families]
        place = _area(rng)
        age = rng.randint(18, 58)
        experience = min(age - 17, rng.choice((0, 1, 2, 3, 5, 6, 8, 10, 12, 15, 20)))
        main = words[0]
        if rng.random() < 0.15:
            salary = (-1, -1)
        else:
            salary = _salary(rng, *SALARIES[families[0]])
        texts = []
        if experience:
            texts.append(rng.choice([f"做了{experience}年{main}，", f"{experience}年{main}经验，",
                                     f"从事餐饮{experience}年，"]))
        else:
            texts.append("没做过，想学门手艺，")
        texts.append(rng.choice(["能吃苦，服从安排。", "人勤快，好沟通。", "希望离家近一点。", "可以上夜班。"]))
        if families[0] in ("厨师", "厨师长"):
            texts.append(f"擅长{rng.choice(DISHES)}。")
        if rng.random() < 0.2:
            texts.append(f"在{place['district'][1]}住了{rng.randint(2, 12)}年。")  # a number that is no experience
        postings.append({
            "fields": {**_common(rng, key, place), "name": rng.choice(CARD_NAMES), "sex": rng.choice((1, 2)),
                       "birth_year": NOW.year - age, "positions": words, "salary_min": salary[0],
                       "salary_max": salary[1], "experience_years": experience,
                       "available": rng.choice(("随时", "一周内", "一月内")), "address": _address(rng, place, short=True),
                       "description": "".join(texts)},
            "truth": {"families": families, **_place_truth(place), "salary": None if salary[0] < 0 else list(salary),
                      "experience_years": experience},
        })
    return postings


def generate_shops(count: int = 360, seed: int = 34) -> list[dict]:
    rng = random.Random(seed)
    postings = []
    for key in range(1, count + 1):
        trade = _weighted(rng, TRADE_WEIGHTS)
        others = [t for t in rng.sample(list(SHOP_TRADES), rng.randint(0, 2)) if t != trade]
        industry = [trade, *others]
        place = _area(rng)
        transfer = rng.random() < 0.6
        deal_word = rng.choice(TRANSFER_WORDS if transfer else RENT_WORDS)
        area = rng.choice((rng.randint(15, 60), rng.randint(40, 150), rng.randint(100, 400)))
        facilities = rng.sample(FACILITIES, rng.randint(0, 5))
        rent = 0 if rng.random() < 0.1 else rng.randrange(2000, 40001, 500)
        fee = rng.randrange(20000, 300001, 10000) if transfer and rng.random() < 0.8 else 0
        city_short, district = place["city"]["city"][1].removesuffix("市"), place["district"][1]
        shop_word = SHOP_TRADES[trade]
        title = rng.choice([f"{city_short}{district}{shop_word}{deal_word}", f"{shop_word}{deal_word}",
                            f"{district}临街旺铺{deal_word}", f"{place['street']}{area}平{shop_word}{deal_word}",
                            f"{shop_word}{deal_word} 可空转" if transfer else f"{district}商铺{deal_word}"])
        texts = [f"店面{area}平米，{rng.choice(['一楼临街', '社区底商', '商场美食街', '学校旁边', '写字楼下'])}，"]
        if facilities:
            texts.append("、".join(facilities[:3]) + "齐全，")
        if "明火" not in facilities and rng.random() < 0.3:
            texts.append("不可明火，")
        texts.append(f"适合做{'、'.join(industry)}。")
        texts.append(f"月租{rent}元，" if rent else "租金面议，")
        texts.append(rng.choice(["因个人原因" + ("转让" if transfer else "出租") + "。", "接手即可营业。",
                                 "人流量大，周边小区多。"]))
        postings.append({
            "fields": {**_common(rng, key, place), "title": title[:40], "deal_type": 2 if transfer else 1,
                       "area_tenths": area * 10, "rent_month": rent, "transfer_fee": fee, "industry": industry,
                       "floor": rng.choice(("1层", "1层", "2层", "B1", "")), "frontage_tenths": rng.choice((None, 45, 80, 120)),
                       "facilities": facilities, "contact_name": rng.choice(["张先生", "李女士", "王老板"]),
                       "address": _address(rng, place), "description": "".join(texts)},
            "truth": {"trades": industry, "deal_type": "transfer" if transfer else "rent", "area_m2": area,
                      "rent_month": rent, "facilities": facilities, **_place_truth(place)},
        })
    return postings


GENERATORS = {"jobs": generate_jobs, "seekers": generate_seekers, "shops": generate_shops}
