"""Meeting pages after the meeting: attendance, minutes, decisions, action points and
sending the minutes."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.deps import (
    CurrentUser,
    ForbiddenError,
    NotFoundError,
    NowDep,
    SessionDep,
    SettingsDep,
    TodayDep,
)
from app.i18n import N_, Msg
from app.services import meetings, youths
from app.web.forms import Errors, form_dict
from app.web.meetings import _meeting, _page
from app.web.routing import make_router

router = make_router()


# --- after the meeting: attendance, minutes, decisions, action points ---------------------------


def _ids(value: Any) -> set[int]:
    values = value if isinstance(value, list) else [value] if value else []
    return {int(v) for v in values if str(v).isdigit()}


@router.post("/meetings/{meeting_id}/minutes")
async def meeting_minutes(request: Request, meeting_id: int, session: SessionDep,
                          user: CurrentUser, now: NowDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    minutes, decisions = str(data.get("minutes", "")), str(data.get("decisions", ""))
    errors: Errors = {}
    if len(minutes) > 20000:
        errors["minutes"] = Msg(N_("Enter at most %(n)s characters."), n=20000)
    if len(decisions) > 10000:
        errors["decisions"] = Msg(N_("Enter at most %(n)s characters."), n=10000)
    if not errors:
        try:
            meetings.record_minutes(session, user, meeting_id, attended=_ids(data.get("attended")),
                                    minutes=minutes, decisions=decisions, now=now)
            return RedirectResponse(f"/meetings/{meeting_id}#minutes", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _page(request, session, meeting, youth, now, errors=errors, values=data, status=400)


@router.post("/meetings/{meeting_id}/actions")
async def action_add(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser,
                     today: TodayDep, now: NowDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    errors: Errors = {}
    owner = str(data.get("owner_id", ""))
    try:
        due_on = date.fromisoformat(str(data.get("due_on", "")))
    except ValueError:
        due_on = None
        errors["due_on"] = Msg(N_("Enter a valid date."))
    if not owner.isdigit():
        errors["owner_id"] = Msg(N_("Choose a caseworker from the list."))
    if not errors and due_on is not None:
        try:
            meetings.add_action(session, user, meeting_id, text=str(data.get("text", "")),
                                owner_id=int(owner), due_on=due_on, today=today)
            return RedirectResponse(f"/meetings/{meeting_id}#actions", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _page(request, session, meeting, youth, now, errors=errors, values=data, status=400)


@router.post("/actions/{action_id}/complete")
async def action_complete(request: Request, action_id: int, session: SessionDep,
                          user: CurrentUser, now: NowDep) -> Response:
    data = form_dict(await request.form())
    try:
        point = meetings.complete_action(session, user, action_id, now)
    except meetings.MeetingNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise ForbiddenError(N_("You do not have access to this young person.")) from None
    if data.get("back") == "tasks":
        return RedirectResponse("/tasks#actions", status_code=303)
    return RedirectResponse(f"/meetings/{point.meeting_id}#actions", status_code=303)


@router.post("/meetings/{meeting_id}/minutes/send")
async def minutes_send(request: Request, meeting_id: int, session: SessionDep,
                       user: CurrentUser, settings: SettingsDep, now: NowDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    if data.get("confirm") != "yes":
        return _page(request, session, meeting, youth, now, confirm="send_minutes")
    try:
        meetings.send_minutes(session, settings, user, meeting_id, now)
    except youths.ValidationFailedError as exc:
        return _page(request, session, meeting, youth, now, errors=exc.errors, status=400)
    return RedirectResponse(f"/meetings/{meeting_id}#messages", status_code=303)
