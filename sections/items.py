"""The item shapes every section's items start from: the listing's and detail's, "my postings"' and "my
favourites"'. A section's own item adds its fields (sections/<name>/items.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


TIME = "Asia/Shanghai 时间 YYYY-MM-DD HH:MM:SS.mmm；无则为 \"\""


class Data(BaseModel):
    """An answer's `data` (or part of it), as the API document shows it. Closed (extra="forbid"): a field a
    service starts to send without declaring it here makes the document untrue, and the tests that check
    real responses against the document fail. A section's items are built from these (posting_shapes)."""

    model_config = ConfigDict(extra="forbid")


class UnsignedItem(Data):
    """What every section's item (the listing's and the detail's) starts with: the fields every posting's
    document has (search/documents.py), as the shared mapper shows them, but the owner's id. A section's
    item adds its own; one whose postings are people (`Section.shows_owner` False: a worker's card) starts
    here, so its items cannot join the person's other postings by their account."""

    id: int
    biz_type: int = Field(description="1=招聘、2=求职、3=招租")
    status: int = Field(description="1 发布中、2 已关闭")
    longitude: float
    latitude: float
    address: str
    contact: str
    description: str
    photo_urls: list[str]
    first_area_id: int | None
    first_area_des: str
    second_area_id: int | None
    second_area_des: str
    third_area_id: int | None
    third_area_des: str
    four_area_id: int | None
    four_area_des: str
    create_at: str = Field(description=TIME)
    update_at: str = Field(description=TIME)
    last_refresh_time: str = Field(description=TIME)
    top_start_time: str = Field(description=TIME)
    top_end_time: str = Field(description=TIME)
    is_top: int = Field(description="1 置顶中（top_end_time 未到）、0 否")
    contact_unlocked: bool = Field(description="contact 是否完整：自己发布的、已用联系券解锁的为 true，其余打码")


class Verified(Data):
    type: str = Field(description='"business"：营业执照已通过运营审核')
    name: str = Field(description="企业名称（营业执照上的）")


VERIFIED = Field(None, description=(
    "发布者的认证：营业执照经运营审核通过后为 {\"type\": \"business\", \"name\": \"长沙某某餐饮有限公司\"}；未认证、"
    "认证被撤销或执照过期为 null"))


class PostingItem(UnsignedItem):
    """An item that names its owner's account, as the seed's jobs do."""

    user_id: int


HIGHLIGHT = Field(None, description=(
    "仅当有搜索关键词时出现：匹配到的公开字段 → 该字段中匹配的文字，匹配处以 <em>…</em> 标出，其余 HTML 转义"
    "（描述为匹配处前后的片段，列表字段为匹配的各项）。如 {\"positions\": [\"<em>厨师</em>\"]}"))


class PostingFigures(Data):
    """What a posting did (`/jobs/my`'s `stats`): its owner's eyes only."""

    views: int = Field(description="看过详情的人数（登录用户，每人每天计一次，不含自己）")
    favorites: int = Field(description="被收藏次数")
    contacts: int = Field(description="电话被解锁次数")


class MinePosting(Data):
    """What every section's "my postings" item (`/jobs/my`) starts with; the seed's example names the owner,
    the contact name and number purpose_user_*."""

    id: int
    biz_type: int
    address: str
    purpose_user_id: int = Field(description="发布者 id")
    purpose_user_name: str = Field(description="联系人")
    purpose_user_phone: str = Field(description="联系电话")
    status: int
    is_top: int
    create_at: str = Field(description=TIME)
    update_at: str = Field(description=TIME)
    last_refresh_time: str = Field(description=TIME)
    top_start_time: str = Field(description=TIME)
    top_end_time: str = Field(description=TIME)
    moderation: str = Field(description='"" 正常；"hidden" 被多人举报（或内容安全检测），暂时下架待处理；"taken_down" 被运营下架')
    moderation_reason: str = Field(description='下架原因（moderation 非空时），如 "reported by 3 users"、运营填写的理由')
    photo_held: bool = Field(description="图片未通过内容安全检测已被移除：修改后重新上架")
    stats: PostingFigures = Field(description="近 7 天（含今天，约一分钟内的）数据")


class SavedPosting(Data):
    """What every section's favourite item (`/collect/my`) has besides its `<target>_id` and its own fields."""

    first_area_des: str
    second_area_des: str
    third_area_des: str
    address: str
    create_at: str = Field(description=TIME)
    is_top: int
    last_refresh_time: str = Field(description=TIME)
    status: int
    collect_at: str = Field(description="收藏时间，" + TIME)
    unavailable: bool = Field(description="已关闭而不公开，或已被下架（举报隐藏或运营下架）：只保留 id、时间与状态，内容不再展示")
