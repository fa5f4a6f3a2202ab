"""Subscribe message templates for every event, as an operator would configure them (tests/fakes/wechat.py
knows their ids)."""

from __future__ import annotations

from runtime.settings import TemplateSetting

_POSTING_PAGE = "pages/detail/index?biz_type={biz_type}&id={posting_id}"
MESSAGE_TEMPLATES = {name: TemplateSetting(**template) for name, template in {
    "contact_unlocked": {"template_id": "TPL-UNLOCK", "page": _POSTING_PAGE,
                         "data": {"thing1": "{posting}", "name2": "{by}", "phone_number3": "{by_phone}",
                                  "time4": "{at}"}},
    "top_ending": {"template_id": "TPL-TOP", "page": _POSTING_PAGE,
                   "data": {"thing1": "{posting}", "phrase2": "即将结束", "time3": "{end}"}},
    "top_ended": {"template_id": "TPL-TOP", "page": _POSTING_PAGE,
                  "data": {"thing1": "{posting}", "phrase2": "已结束", "time3": "{end}"}},
    "posting_hidden": {"template_id": "TPL-MOD", "data": {"thing1": "{posting}", "phrase2": "已隐藏",
                                                          "thing3": "{reason}"}},
    "posting_taken_down": {"template_id": "TPL-MOD", "data": {"thing1": "{posting}", "phrase2": "已下架",
                                                              "thing3": "{reason}"}},
    "posting_restored": {"template_id": "TPL-MOD", "page": _POSTING_PAGE,
                         "data": {"thing1": "{posting}", "phrase2": "已恢复", "thing3": "{reason}"}},
    "report_decided": {"template_id": "TPL-REPORT", "data": {"thing1": "{posting}", "thing2": "{decision}",
                                                             "time3": "{at}"}},
    "refund_arrived": {"template_id": "TPL-REFUND", "data": {"amount1": "{amount}", "character_string2": "{order_no}",
                                                             "thing3": "{what}"}},
}.items()}
