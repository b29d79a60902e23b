"""Inquiries on the young person's page, their forms, the closing days and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.deps import AdminUser, CurrentUser, NotFoundError, NowDep, SessionDep, SettingsDep
from app.domain import labels
from app.domain.inquiry import AnswerData, ClosingDayData, InquiryData
from app.domain.validation import FieldError
from app.i18n import Msg
from app.models.inquiry import Inquiry, InquirySender
from app.models.user import User
from app.models.youth import Channel, Youth
from app.services import inquiries, youths
from app.settings import Settings
from app.web.forms import field_errors, form_dict
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


def inquiry_context(session: Session, youth: Youth) -> dict[str, Any]:
    """The inquiries section of the young person's page."""
    return {"inquiries": inquiries.for_youth(session, youth.id or 0),
            "sender_labels": labels.INQUIRY_SENDER}


def _local_now(settings: Settings, now: datetime) -> datetime:
    return now.astimezone(settings.tz)


def _form(request: Request, youth: Youth, values: dict[str, Any], errors: dict[str, Msg],
          status_code: int = 200) -> Response:
    return render(request, "inquiries/form.html", {
        "youth": youth, "values": values, "errors": errors, "sender_labels": labels.INQUIRY_SENDER,
        "labels": labels,
    }, status_code=status_code)


@router.get("/youths/{youth_id}/inquiries/new")
def inquiry_new(request: Request, youth_id: int, session: SessionDep, settings: SettingsDep,
                user: CurrentUser, now: NowDep) -> Response:
    youth = youths.get_visible(session, user, youth_id)
    local = _local_now(settings, now)
    values = {"received_on": local.date().isoformat(), "received_time": f"{local:%H:%M}",
              "channel": Channel.PHONE.value, "sender_kind": InquirySender.FAMILY.value}
    return _form(request, youth, values, {})


@router.post("/youths/{youth_id}/inquiries")
async def inquiry_create(request: Request, youth_id: int, session: SessionDep,
                         settings: SettingsDep, user: CurrentUser, now: NowDep) -> Response:
    youth = youths.get_visible(session, user, youth_id)
    values = form_dict(await request.form())
    try:
        data = InquiryData.model_validate(values)
        inquiries.create(session, settings, user, youth_id, data, now)
    except ValidationError as exc:
        return _form(request, youth, values, field_errors(exc.errors()), 400)
    except FieldError as exc:
        return _form(request, youth, values, {exc.field or "__all__": exc.msg}, 400)
    return RedirectResponse(f"/youths/{youth_id}#inquiries", status_code=303)


def _visible(session: Session, user: User, inquiry_id: int) -> Inquiry:
    try:
        return inquiries.visible(session, user, inquiry_id)
    except inquiries.InquiryNotFoundError:
        raise NotFoundError() from None


@router.post("/inquiries/{inquiry_id}/acknowledge")
def inquiry_acknowledge(inquiry_id: int, session: SessionDep, user: CurrentUser,
                        now: NowDep) -> Response:
    row = _visible(session, user, inquiry_id)
    inquiries.acknowledge(session, user, inquiry_id, now)
    return RedirectResponse(f"/youths/{row.youth_id}#inquiries", status_code=303)


def _answer_form(request: Request, session: Session, user: User, row: Inquiry,
                 values: dict[str, Any], errors: dict[str, Msg],
                 status_code: int = 200) -> Response:
    youth = youths.get_visible(session, user, row.youth_id)
    return render(request, "inquiries/answer.html", {
        "youth": youth, "inquiry": row, "values": values, "errors": errors,
        "sender_labels": labels.INQUIRY_SENDER,
    }, status_code=status_code)


@router.get("/inquiries/{inquiry_id}/answer")
def inquiry_answer_form(request: Request, inquiry_id: int, session: SessionDep,
                        settings: SettingsDep, user: CurrentUser, now: NowDep) -> Response:
    row = _visible(session, user, inquiry_id)
    local = _local_now(settings, now)
    values = {"answered_on": local.date().isoformat(), "answered_time": f"{local:%H:%M}"}
    return _answer_form(request, session, user, row, values, {})


@router.post("/inquiries/{inquiry_id}/answer")
async def inquiry_answer(request: Request, inquiry_id: int, session: SessionDep,
                         settings: SettingsDep, user: CurrentUser, now: NowDep) -> Response:
    row = _visible(session, user, inquiry_id)
    values = form_dict(await request.form())
    try:
        data = AnswerData.model_validate(values)
        inquiries.answer(session, settings, user, inquiry_id, data, now)
    except ValidationError as exc:
        return _answer_form(request, session, user, row, values, field_errors(exc.errors()),
                            400)
    except FieldError as exc:
        return _answer_form(request, session, user, row, values,
                            {exc.field or "__all__": exc.msg}, 400)
    return RedirectResponse(f"/youths/{row.youth_id}#inquiries", status_code=303)


# --- closing days (administrators) ----------------------------------------------------


def _closing_page(request: Request, session: Session, values: dict[str, Any],
                  errors: dict[str, Msg], status_code: int = 200) -> Response:
    return render(request, "inquiries/closing_days.html", {
        "days": inquiries.list_closing_days(session), "values": values, "errors": errors,
    }, status_code=status_code)


@router.get("/admin/closing-days")
def closing_days(request: Request, session: SessionDep, _user: AdminUser) -> Response:
    return _closing_page(request, session, {}, {})


@router.post("/admin/closing-days")
async def closing_day_add(request: Request, session: SessionDep, user: AdminUser) -> Response:
    values = form_dict(await request.form())
    try:
        data = ClosingDayData.model_validate(values)
        inquiries.add_closing_day(session, user, data.day, data.reason)
    except ValidationError as exc:
        return _closing_page(request, session, values, field_errors(exc.errors()), 400)
    except FieldError as exc:
        return _closing_page(request, session, values, {exc.field or "__all__": exc.msg}, 400)
    return RedirectResponse("/admin/closing-days", status_code=303)


@router.post("/admin/closing-days/{closing_day_id}/delete")
def closing_day_delete(closing_day_id: int, session: SessionDep, user: AdminUser) -> Response:
    inquiries.remove_closing_day(session, user, closing_day_id)
    return RedirectResponse("/admin/closing-days", status_code=303)
