"""JSON API for a young person's inquiries, each with its computed due time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from app.deps import CurrentUser, NowDep, SessionDep, SettingsDep
from app.domain.inquiry import InquiryData
from app.domain.validation import FieldError
from app.i18n import N_, Msg
from app.models.inquiry import Inquiry
from app.services import inquiries, youths
from app.web.forms import api_errors
from app.web.routing import make_router

router = make_router(prefix="/api/v1/youths/{youth_id}/inquiries", tags=["inquiries"])


def _out(row: Inquiry) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat() if value else None

    return {
        "id": row.id, "youth_id": row.youth_id, "received_at": iso(row.received_at),
        "channel": row.channel.value, "sender_kind": row.sender_kind.value,
        "sender_name": row.sender_name, "summary": row.summary, "due_at": iso(row.due_at),
        "acknowledged_at": iso(row.acknowledged_at), "answered_at": iso(row.answered_at),
        "escalated_at": iso(row.escalated_at),
    }


@router.get("")
def api_list(youth_id: int, session: SessionDep, user: CurrentUser) -> Response:
    youths.get_visible(session, user, youth_id)
    return JSONResponse([_out(row) for row in inquiries.for_youth(session, youth_id)])


@router.post("")
async def api_create(request: Request, youth_id: int, session: SessionDep,
                     settings: SettingsDep, user: CurrentUser, now: NowDep) -> Response:
    youths.get_visible(session, user, youth_id)
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JSONResponse({"detail": [{"field": "__all__",
                                         "message": str(Msg(N_("Send a JSON object.")))}]},
                            status_code=422)
    try:
        data = InquiryData.model_validate(body)
        row = inquiries.create(session, settings, user, youth_id, data, now)
    except ValidationError as exc:
        return JSONResponse({"detail": api_errors(exc.errors())}, status_code=422)
    except FieldError as exc:
        return JSONResponse({"detail": [{"field": exc.field or "__all__",
                                         "message": str(exc.msg)}]}, status_code=422)
    return JSONResponse(_out(row), status_code=201)
