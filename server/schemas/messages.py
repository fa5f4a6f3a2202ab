"""Request bodies of subscribe messages and share codes."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from sections.fields import BizType, Body, Id

TemplateId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class SubscribeAcceptBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"template_ids": ["AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-ABCD"]}]})

    # wx.requestSubscribeMessage asks for at most 3 at once; a few more are tolerated.
    template_ids: list[TemplateId] = Field(min_length=1, max_length=10,
                                           description="用户在 wx.requestSubscribeMessage 中选择“允许”的模板 id")


class ShareCodeBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"biz_type": 1, "id": 42}]})

    biz_type: BizType = Field(description="1=招聘、2=求职、3=招租（栏目的 biz_type）")
    id: Id = Field(description="信息 id")


class ShareResolveBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"scene": "j42"}]})

    scene: str = Field(pattern=r"^[a-z][1-9][0-9]{0,17}$", description="扫码进入时 options.scene 的值（先 decodeURIComponent）")
