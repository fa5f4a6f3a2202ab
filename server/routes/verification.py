"""Verified businesses: a poster sends their business licence (营业执照) photo, and sees where it stands."""

from __future__ import annotations

from sanic import Blueprint

from server.context import JobBoardRequest
from server.openapi import documented
from server.responses import ok
from server.routes.guard import login_required
from server.routes.uploads import file_reader
from server.schemas.responses import LicenceSubmission, MyLicence
from server.services import images, verification

bp = Blueprint("verification")


@bp.post("/verify/business", stream=True)
@documented("提交营业执照认证（商家）", auth=True, data=LicenceSubmission, file_field="file",
            description="营业执照照片（multipart 字段 file，格式与大小限制同 /img/upload），微信识别后等待运营审核；"
                        "通过后该用户的招聘、招租信息显示 verified。照片不公开（GPS 等信息去掉）。不是营业执照或无法"
                        "识别：400；上一次提交还在等待审核：400；微信识别暂不可用：status 为 reading，稍后自动识别。")
@login_required
async def submit(request: JobBoardRequest):
    ctx, settings = request.app.ctx, request.app.ctx.settings
    answer = await verification.submit(ctx.storage, ctx.licence_reader, ctx.cache, settings.rate_limit_uploads_per_user,
                                       request.ctx.user_id, file_reader(request), ctx.image_decoding,
                                       images.ImageLimits.from_settings(settings))
    return ok(answer)


@bp.get("/verify/business")
@documented("我的营业执照认证", auth=True, data=MyLicence, description="最近一次提交及其状态。")
@login_required
async def mine(request: JobBoardRequest):
    return ok({"submission": await verification.mine(request.ctx.user_id)})
