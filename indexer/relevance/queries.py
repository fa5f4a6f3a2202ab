"""The judged queries as written: (text, category, intent) per section. `python -m indexer.relevance.generate`
judges them on the corpus (judge.py) and writes both to data/. Categories: typical, unspaced, synonym, typo (one
wrong character in a word of 3+), pinyin (full or initials), number (salary, experience, m²), place (a city or
district), facility, trap (a word that also occurs inside unrelated text), combo (several of these at once)."""

from __future__ import annotations

# Place names as people type them → the intent's area constraint.
PLACES = {"长沙": {"city": "长沙市"}, "长沙市": {"city": "长沙市"}, "北京": {"city": "北京市"},
          "上海": {"city": "上海市"}, "成都": {"city": "成都市"}, "广州": {"city": "广州市"},
          **{d: {"district": d} for d in ("岳麓区", "雨花区", "开福区", "朝阳区", "海淀区", "东城区", "静安区",
                                          "浦东新区", "徐汇区", "武侯区", "锦江区", "青羊区", "天河区", "越秀区",
                                          "海珠区")}}


def _family(name: str, **more) -> dict:
    return {"family": [name], **more}


def _at(place: str, **more) -> dict:
    return {**PLACES[place], **more}


COOK, HEAD, PASTRY, CASHIER, WAITER = "厨师", "厨师长", "面点师", "收银员", "服务员"
RUNNER, DISHES, PREP, TEA, CLEANER, GRILL = "传菜员", "洗碗工", "切配", "奶茶店员", "保洁", "烧烤师傅"

JOB_QUERIES = [
    *[(word, "typical", _family(family)) for word, family in [
        ("厨师", COOK), ("厨师长", HEAD), ("服务员", WAITER), ("收银员", CASHIER), ("洗碗工", DISHES),
        ("传菜员", RUNNER), ("切配", PREP), ("面点师", PASTRY), ("保洁", CLEANER), ("烧烤师傅", GRILL),
        ("奶茶店员", TEA)]],
    *[(word, "unspaced", _at(place, family=[family])) for word, place, family in [
        ("长沙厨师", "长沙", COOK), ("北京服务员", "北京", WAITER), ("上海收银员", "上海", CASHIER),
        ("成都洗碗工", "成都", DISHES), ("广州传菜员", "广州", RUNNER), ("岳麓区厨师", "岳麓区", COOK),
        ("朝阳区服务员", "朝阳区", WAITER), ("浦东新区面点师", "浦东新区", PASTRY), ("武侯区收银员", "武侯区", CASHIER)]],
    ("长沙服务员包吃住", "unspaced", _at("长沙", family=[WAITER], meals=True, housing=True)),
    *[(word, "synonym", _family(family)) for word, family in [
        ("大厨", COOK), ("炒锅", COOK), ("掌勺", COOK), ("总厨", HEAD), ("白案", PASTRY), ("面点", PASTRY),
        ("收银", CASHIER), ("洗碗", DISHES), ("传菜", RUNNER), ("奶茶", TEA), ("茶饮", TEA), ("饮品", TEA),
        ("砧板", PREP)]],
    ("包吃住", "synonym", {"meals": True, "housing": True}),
    ("包吃", "synonym", {"meals": True}),
    ("包住", "trap", {"housing": True}),  # 包吃不包住 holds 包住
    ("日结", "trap", {"daily_pay": True}),  # 每日结束营业, 每日结账 hold 日结
    *[(word, "typo", _family(family)) for word, family in [
        ("收营员", CASHIER), ("服务圆", WAITER), ("洗晚工", DISHES), ("传菜圆", RUNNER), ("面点狮", PASTRY),
        ("厨师掌", HEAD), ("烧烤师付", GRILL)]],
    *[(word, "pinyin", _family(family)) for word, family in [
        ("chushi", COOK), ("cs", COOK), ("fuwuyuan", WAITER), ("fwy", WAITER), ("shouyinyuan", CASHIER),
        ("xiwangong", DISHES), ("chuancaiyuan", RUNNER), ("miandianshi", PASTRY)]],
    ("changsha", "pinyin", _at("长沙")),
    ("changsha chushi", "pinyin", _at("长沙", family=[COOK])),
    *[(word, "number", {"salary": figure}) for word, figure in [
        ("月薪8000", 8000), ("8k", 8000), ("8千", 8000), ("工资6000", 6000), ("月薪1万", 10000), ("4500", 4500),
        ("12000", 12000)]],
    ("厨师 8000", "number", _family(COOK, salary=8000)),
    ("服务员 5k", "number", _family(WAITER, salary=5000)),
    *[(word, "place", _at(word)) for word in ("长沙", "长沙市", "岳麓区", "开福区", "北京", "朝阳区", "海淀区",
                                              "上海", "浦东新区", "成都", "武侯区", "广州", "天河区")],
    ("厨师 长沙", "combo", _at("长沙", family=[COOK])),
    ("服务员 北京", "combo", _at("北京", family=[WAITER])),  # 广州 北京路 is no 北京
    ("长沙 厨师 8000", "combo", _at("长沙", family=[COOK], salary=8000)),
    ("北京包吃住服务员", "combo", _at("北京", family=[WAITER], meals=True, housing=True)),
    ("日结 洗碗工", "combo", _family(DISHES, daily_pay=True)),
    ("包吃住 厨师", "combo", _family(COOK, meals=True, housing=True)),
    ("岳麓区 日结", "combo", _at("岳麓区", daily_pay=True)),
    ("广州 服务员 日结", "combo", _at("广州", family=[WAITER], daily_pay=True)),
    ("上海 月薪6000", "combo", _at("上海", salary=6000)),
    ("大厨 成都", "combo", _at("成都", family=[COOK])),
]

SEEKER_QUERIES = [
    *[(word, "typical", _family(family)) for word, family in [
        ("厨师", COOK), ("厨师长", HEAD), ("服务员", WAITER), ("收银员", CASHIER), ("洗碗工", DISHES),
        ("传菜员", RUNNER), ("切配", PREP), ("面点师", PASTRY), ("保洁", CLEANER), ("奶茶店员", TEA)]],
    *[(word, "unspaced", _at(place, family=[family])) for word, place, family in [
        ("长沙厨师", "长沙", COOK), ("北京服务员", "北京", WAITER), ("上海收银员", "上海", CASHIER),
        ("成都洗碗工", "成都", DISHES), ("广州面点师", "广州", PASTRY), ("岳麓区服务员", "岳麓区", WAITER),
        ("朝阳区厨师", "朝阳区", COOK), ("天河区收银员", "天河区", CASHIER)]],
    *[(word, "synonym", _family(family)) for word, family in [
        ("大厨", COOK), ("炒锅", COOK), ("掌勺", COOK), ("白案", PASTRY), ("面点", PASTRY), ("收银", CASHIER),
        ("洗碗", DISHES), ("传菜", RUNNER), ("奶茶", TEA), ("饮品", TEA), ("砧板", PREP), ("炒菜师傅", COOK)]],
    *[(word, "typo", _family(family)) for word, family in [
        ("收营员", CASHIER), ("服务圆", WAITER), ("洗晚工", DISHES), ("面点狮", PASTRY), ("传菜圆", RUNNER),
        ("厨师掌", HEAD)]],
    *[(word, "pinyin", _family(family)) for word, family in [
        ("chushi", COOK), ("cs", COOK), ("fuwuyuan", WAITER), ("fwy", WAITER), ("shouyinyuan", CASHIER),
        ("xiwangong", DISHES), ("miandianshi", PASTRY)]],
    ("10年经验", "number", {"experience_min": 10}),
    ("5年经验", "number", {"experience_min": 5}),
    ("3年", "number", {"experience_min": 3}),
    ("10年经验 厨师", "number", _family(COOK, experience_min=10)),
    ("8年经验 服务员", "number", _family(WAITER, experience_min=8)),
    ("厨师 10年", "number", _family(COOK, experience_min=10)),
    ("月薪8000", "number", {"salary": 8000}),
    ("8k", "number", {"salary": 8000}),
    ("5千", "number", {"salary": 5000}),
    ("期望6000", "number", {"salary": 6000}),
    *[(word, "place", _at(word)) for word in ("长沙", "岳麓区", "雨花区", "北京", "海淀区", "上海", "静安区",
                                              "成都", "锦江区", "广州", "海珠区")],
    ("厨师 长沙", "combo", _at("长沙", family=[COOK])),
    ("长沙 10年经验 厨师", "combo", _at("长沙", family=[COOK], experience_min=10)),
    ("服务员 北京", "combo", _at("北京", family=[WAITER])),
    ("洗碗工 成都 5000", "combo", _at("成都", family=[DISHES], salary=5000)),
    ("5年经验 面点师", "combo", _family(PASTRY, experience_min=5)),
    ("上海 厨师 8000", "combo", _at("上海", family=[COOK], salary=8000)),
]

TRANSFER, RENT = {"deal_type": "transfer"}, {"deal_type": "rent"}
DRINKS = ["奶茶", "咖啡"]


def _trade(*trades: str, **more) -> dict:
    return {"trade": list(trades), **more}


SHOP_QUERIES = [
    ("转让", "typical", TRANSFER),
    ("出租", "typical", RENT),
    ("旺铺出租", "typical", RENT),
    *[(word, "typical", _trade(trade)) for word, trade in [
        ("小吃店", "小吃"), ("奶茶店", "奶茶"), ("火锅店", "火锅"), ("烧烤店", "烧烤"), ("面馆", "面馆"),
        ("快餐店", "快餐"), ("咖啡店", "咖啡"), ("烘焙店", "烘焙"), ("中餐馆", "中餐")]],
    *[(word, "unspaced", _trade(trade, **deal)) for word, trade, deal in [
        ("小吃店转让", "小吃", TRANSFER), ("奶茶店转让", "奶茶", TRANSFER), ("火锅店转让", "火锅", TRANSFER),
        ("烧烤店出租", "烧烤", RENT), ("面馆转让", "面馆", TRANSFER), ("快餐店出租", "快餐", RENT)]],
    ("饮品店转让", "unspaced", _trade(*DRINKS, **TRANSFER)),
    ("长沙小吃店转让", "unspaced", _trade("小吃", **TRANSFER, **PLACES["长沙"])),
    ("长沙岳麓区小吃店转让", "unspaced", _trade("小吃", **TRANSFER, **PLACES["岳麓区"])),
    ("北京火锅店转让", "unspaced", _trade("火锅", **TRANSFER, **PLACES["北京"])),
    ("出兑", "synonym", TRANSFER),
    ("出让", "synonym", TRANSFER),
    ("招租", "synonym", RENT),
    ("饮品店", "synonym", _trade(*DRINKS)),
    ("饮品", "synonym", _trade(*DRINKS)),
    ("茶饮店", "synonym", _trade("奶茶")),
    ("面包店", "synonym", _trade("烘焙")),
    ("烤串", "synonym", _trade("烧烤")),
    ("奶茶店出兑", "synonym", _trade("奶茶", **TRANSFER)),
    *[(word, "typo", _trade(trade)) for word, trade in [
        ("烘培店", "烘焙"), ("奶查店", "奶茶"), ("烧考店", "烧烤"), ("咖非店", "咖啡"), ("火锅点", "火锅"),
        ("小吃点", "小吃")]],
    ("zhuanrang", "pinyin", TRANSFER),
    ("zr", "pinyin", TRANSFER),
    ("chuzu", "pinyin", RENT),
    *[(word, "pinyin", _trade(trade)) for word, trade in [
        ("naicha", "奶茶"), ("huoguo", "火锅"), ("xiaochi", "小吃"), ("shaokao", "烧烤")]],
    *[(word, "number", {"area_near": figure}) for word, figure in [
        ("50平", 50), ("50㎡", 50), ("100平", 100), ("100平米", 100), ("30平", 30), ("200平米", 200)]],
    ("80平 转让", "number", {"area_near": 80, **TRANSFER}),
    ("明火", "facility", {"facilities": ["明火"]}),  # 不可明火 holds 明火
    ("可明火", "facility", {"facilities": ["明火"]}),
    ("排烟", "facility", {"facilities": ["排烟"]}),
    ("上下水", "facility", {"facilities": ["上下水"]}),
    ("明火 排烟", "facility", {"facilities": ["明火", "排烟"]}),
    ("外摆", "facility", {"facilities": ["外摆"]}),
    ("停车位", "facility", {"facilities": ["停车位"]}),
    ("三相电", "facility", {"facilities": ["三相电"]}),
    *[(word, "place", _at(word)) for word in ("长沙", "岳麓区", "北京", "朝阳区", "上海", "浦东新区", "成都",
                                              "锦江区", "广州", "天河区")],
    ("小吃店转让 50平", "combo", _trade("小吃", area_near=50, **TRANSFER)),
    ("长沙 转让", "combo", _at("长沙", **TRANSFER)),
    ("岳麓区 小吃店", "combo", _at("岳麓区", trade=["小吃"])),
    ("天河区 出租", "combo", _at("天河区", **RENT)),
    ("北京 火锅店", "combo", _at("北京", trade=["火锅"])),
    ("奶茶店转让 明火", "combo", _trade("奶茶", facilities=["明火"], **TRANSFER)),
    ("上海 旺铺出租 100平", "combo", _at("上海", area_near=100, **RENT)),
]

QUERIES = {"jobs": JOB_QUERIES, "seekers": SEEKER_QUERIES, "shops": SHOP_QUERIES}
