"""Request bodies of seed section 一 (users)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from sections.fields import (
    Address,
    AreaId,
    Body,
    HttpUrlText,
    Id,
    Latitude,
    Longitude,
    Mobile,
    PersonName,
    choice,
    text,
)

WeChatCode = text(min_length=1, max_length=256)


def _no_inviter(value):
    # "可为空": null and "" are dropped by Body; 0 means "no inviter" too.
    return None if value in (0, "0") and not isinstance(value, bool) else value


class RegisterBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"phone_code": "test", "login_code": "test",
                                                              "inviter_id": 289}]})

    phone_code: WeChatCode = Field(description="wx.getPhoneNumber 获取")
    login_code: WeChatCode = Field(description="wx.login 获取")
    inviter_id: Annotated[Id | None, BeforeValidator(_no_inviter)] = Field(None, description="邀请人，可为空")


class LoginBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"login_code": "test"}]})

    login_code: WeChatCode = Field(description="wx.login 获取")


class UpdateInfoBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "avatar": "https://cdn.xxx.com/avatar/4882.png", "name": "小周", "sex": 1, "phone": "13811111234"}]})

    avatar: HttpUrlText | None = Field(None, description="头像链接（先经图片上传）")
    name: PersonName | None = Field(None, description="昵称")
    sex: choice(0, 1, 2) | None = Field(None, description="性别 0 未知、1 男、2 女")
    phone: Mobile | None = Field(None, description="手机号")

    @model_validator(mode="after")
    def _something(self):
        if not self.model_dump(exclude_none=True):
            raise ValueError("give at least one of avatar, name, sex, phone")
        return self


class UpdateGeoBody(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "first_area_id": 1, "second_area_id": 101, "third_area_id": 1001, "address": "北京市朝阳区XXXX",
        "longitude": 116.3974, "latitude": 39.9093}]})

    first_area_id: AreaId | None = Field(None, description="省级区域 id")
    second_area_id: AreaId | None = Field(None, description="市级区域 id")
    third_area_id: AreaId | None = Field(None, description="区县级区域 id")
    address: Address | None = Field(None, description="地址")
    longitude: Longitude = Field(description="经度")
    latitude: Latitude = Field(description="纬度")
