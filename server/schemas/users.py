from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, StringConstraints, model_validator

from server.schemas.fields import Address, AreaId, Body, HttpUrlText, Latitude, Longitude, Mobile

WeChatCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


def _optional_id(value):
    # "可为空": null, "" and 0 all mean "no inviter".
    if value in (None, "", 0, "0"):
        return None
    return value


class RegisterBody(Body):
    phone_code: WeChatCode
    login_code: WeChatCode
    inviter_id: Annotated[int | None, BeforeValidator(_optional_id)] = None


class LoginBody(Body):
    login_code: WeChatCode


class UpdateInfoBody(Body):
    avatar: HttpUrlText | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None = None
    sex: Literal[0, 1, 2] | None = None
    phone: Mobile | None = None

    @model_validator(mode="after")
    def _something(self):
        if not self.model_dump(exclude_none=True):
            raise ValueError("give at least one of avatar, name, sex, phone")
        return self


class UpdateGeoBody(Body):
    first_area_id: AreaId | None = None
    second_area_id: AreaId | None = None
    third_area_id: AreaId | None = None
    address: Address | None = None
    longitude: Longitude
    latitude: Latitude
