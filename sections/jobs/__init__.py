"""招聘 (biz_type 1): restaurants' job offers. The whole declaration of the section: its bodies (bodies.py), items
(items.py), index document and filters (search.py), rules (rules.py) and samples (samples.py); its model is
models/job.py, its mapping es_mappings/jobs.json. Its routes are made from `api` (server/routes/postings.py)."""

from __future__ import annotations

from decimal import Decimal
from importlib.resources import files

from models.job import BIZ_RECRUIT, Job
from sections.registry import Prices, Section, SectionApi, register
from search.documents import AREA_DES
from sections.jobs.items import FavoriteItem, JobItem, ListedJob, MyPosting
from sections.jobs import rules
from sections.jobs.bodies import CreateJobBody, JobListBody, UpdateJobBody
from sections.jobs.samples import random_jobs
from sections.jobs.search import WELFARE_GROUPS, job_document, job_filters


JOBS = register(Section(
    name="jobs",
    share_letter="j",  # share codes' scenes: j42
    biz_type=BIZ_RECRUIT,
    mapping=files("es_mappings") / "jobs.json",
    document=job_document,
    filters=job_filters,
    model=Job,
    verified_label=True,  # its postings show their owner's verified business (营业执照)
    target="job",
    title="招聘",
    # The texts of a job that are published: what the listing and the detail show (tags joined into one).
    texts=("positions", "description", "address", "contact_person_name", "first_area_des", "second_area_des",
           "third_area_des", "four_area_des", *WELFARE_GROUPS),
    summary=lambda job: {"positions": job.positions, "address": job.address},
    keyword_numbers=("salary",),
    suggested="positions",
    highlighted=("positions", *WELFARE_GROUPS, "description", "address", *AREA_DES),
    item=JobItem,
    listed=ListedJob,
    mine=MyPosting,
    favorite=FavoriteItem,
    api=SectionApi(
        create=CreateJobBody, update=UpdateJobBody, listing=JobListBody,
        noun="招聘信息", owner="商家", browser="用户", id_text="招聘信息 id", example_id=1234,
        create_summary="发布招聘信息（商家）", update_summary="修改招聘信息（商家）", list_summary="招聘信息列表（用户）",
        update_note="只改带上的字段；\"\" 或 null 表示不修改（photo_urls 为 \"\" 时清空图片）。",
        list_note=(
            "类型：推荐（刷新时间；有关键词时按相关度）、附近（距离）、最新（发布时间倒序）。筛选：岗位、薪资范围、基础保障、"
            "薪酬福利、考勤休假、地区、搜索关键词（规则见 filter.keyword）。可以不带 token；带 token 时，已解锁"
            "（/contact_voucher/cost）或自己发布的招聘显示完整电话，其余 contact 打码。"),
        detail_note="每当商家、用户点击某一条招聘，希望详细展开查看数据时使用。已关闭的招聘只对发布者显示电话。",
        report_example="收取押金后联系不上",
        # "cancnel" is the seed's spelling, which the mini-program calls; the correct spelling is an alias.
        cancel_paths=("/job/cancnel_collect", "/job/cancel_collect")),
    prices=Prices(top={24: Decimal("2.00"), 72: Decimal("5.00"), 168: Decimal("9.90")}, refresh=Decimal("1.99")),
    prepare=rules.prepare,
    check_edit=rules.check_edit,
    samples=lambda count, owner_ids, seed: random_jobs(count, owner_ids[0], seed),
    order_field="job_id",
))
