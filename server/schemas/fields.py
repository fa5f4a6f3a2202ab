"""Field types shared by request bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MOBILE_PATTERN = r"^1[3-9]\d{9}$"

Mobile = Annotated[str, StringConstraints(strip_whitespace=True, pattern=MOBILE_PATTERN)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
AreaId = Annotated[int, Field(ge=0, le=10**15)]
AreaDes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")) or len(value) < 10 or any(c.isspace() for c in value):
        raise ValueError("must be an http(s) URL")
    return value


HttpUrlText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=512), AfterValidator(_http_url)]


class Body(BaseModel):
    """Base of request bodies: unknown keys are ignored so the mini-program may send extras."""

    model_config = ConfigDict(extra="ignore", str_max_length=10_000)
