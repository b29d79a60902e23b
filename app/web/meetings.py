"""Meeting pages, the meeting's lifecycle: plan, view, move, cancel (with a confirmation
step), invite and uninvite, and the invite.ics download. After the meeting:
`web/meeting_followup`; the family's reply pages: `web/meeting_replies`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.deps import (
    CurrentUser,
    ForbiddenError,
    NotFoundError,
    NowDep,
    SessionDep,
    SettingsDep,
    TodayDep,
    client_addr,
)
from app.domain import ical, labels
from app.domain.meeting import AGENDA_AREAS, MeetingData
from app.domain.validation import FieldError, refuse_cpr
from app.i18n import N_, Msg, gettext
from app.models.meeting import Meeting, MeetingStatus
from app.models.user import User
from app.models.youth import Channel, Youth
from app.services import meetings, youths
from app.services.meeting_mail import as_ical, attendees, written_texts
from app.settings import Settings
from app.web.forms import Errors, form_dict, parse_form
from app.web.routing import make_router
from app.web.templating import render

router = make_router()



def _youth(session: Session, user: User, youth_id: int, addr: str | None = None) -> Youth:
    try:
        if addr is not None:
            return youths.get_visible(session, user, youth_id)
        return youths.get_visible(session, user, youth_id)
    except youths.YouthNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise ForbiddenError(N_("You do not have access to this young person.")) from None


def _meeting(session: Session, user: User, meeting_id: int) -> tuple[Meeting, Youth]:
    try:
        return meetings.get(session, user, meeting_id)
    except meetings.MeetingNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise ForbiddenError(N_("You do not have access to this young person.")) from None


def _choices(data: dict[str, Any]) -> list[meetings.Choice]:
    out = []
    for name, value in data.items():
        if name.startswith("inv_") and value in ("required", "optional"):
            key = name[4:]
            via = data.get(f"via_{key}", "")
            channel = Channel(via) if via in (Channel.LETTER, Channel.PHONE) else None
            out.append(meetings.Choice(key, value == "required", channel))
    return out


def _form(request: Request, session: Session, youth: Youth, today: date, values: dict[str, Any],
          errors: Errors, meeting: Meeting | None = None, status: int = 200) -> Response:
    return render(request, "meetings/form.html", {
        "youth": youth, "meeting": meeting, "values": values, "errors": errors,
        "candidates": meetings.candidates(session, youth, today) if meeting is None else [],
        "labels": labels,
    }, status_code=status)


@router.get("/youths/{youth_id}/meetings")
def youth_meetings(request: Request, youth_id: int, session: SessionDep,
                   user: CurrentUser) -> Response:
    youth = _youth(session, user, youth_id, client_addr(request))
    return render(request, "meetings/list.html", {
        "youth": youth, "meetings": meetings.for_youth(session, youth), "labels": labels,
    }, block="meetings")


@router.get("/youths/{youth_id}/meetings/new")
def meeting_new(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                today: TodayDep) -> Response:
    youth = _youth(session, user, youth_id)
    agenda = "\n".join(gettext(area) for area in AGENDA_AREAS)
    values = {"kind": "coordination", "place_kind": "town_hall", "agenda": agenda,
              "start_time": "10:00", "end_time": "11:00"}
    for candidate in meetings.candidates(session, youth, today):
        if candidate.suggested:
            values[f"inv_{candidate.key}"] = "required"
    return _form(request, session, youth, today, values, {})


@router.post("/youths/{youth_id}/meetings/new")
async def meeting_create(request: Request, youth_id: int, session: SessionDep,
                         user: CurrentUser, today: TodayDep, settings: SettingsDep,
                         now: NowDep) -> Response:
    youth = _youth(session, user, youth_id)
    data = form_dict(await request.form())
    form, errors = parse_form(MeetingData, data, {"now": now, "tz": settings.tz})
    if form is None:  # the invitees' errors too, all at once
        errors = {**meetings.invitee_errors(session, youth, today, _choices(data)), **errors}
    else:
        try:
            meeting = meetings.plan(session, settings, user, youth_id, form, _choices(data),
                                    now, today)
            return RedirectResponse(f"/meetings/{meeting.id}", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _form(request, session, youth, today, data, errors, status=400)


def _page(request: Request, session: Session, meeting: Meeting, youth: Youth, now: datetime,
          status: int = 200, **extra: Any) -> Response:
    today = now.astimezone(request.app.state.settings.tz).date()
    return render(request, "meetings/view.html", {
        "more_candidates": meetings.not_invited(session, meeting, youth, today),
        "meeting": meeting, "youth": youth, "labels": labels,
        "invitees": meetings.invitees(session, meeting),
        "messages": meetings.messages(session, meeting),
        "actions": meetings.actions(session, meeting),
        "organiser": session.get(User, meeting.organiser_id), "confirm": None, "errors": {},
        "now": now, "owners": meetings.owners(session, meeting, youth), "values": {},
        "users": youths.users_by_id(session, {a.owner_id for a in meetings.actions(
            session, meeting)}),
        **extra,
    }, status_code=status)


@router.get("/meetings/{meeting_id}")
def meeting_view(request: Request, meeting_id: int, session: SessionDep,
                 user: CurrentUser, now: NowDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    return _page(request, session, meeting, youth, now)


def _values(meeting: Meeting, settings: Settings) -> dict[str, Any]:
    start = meeting.starts_at.astimezone(settings.tz)
    end = meeting.ends_at.astimezone(settings.tz)
    return {"kind": meeting.kind.value, "day": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"), "end_time": end.strftime("%H:%M"),
            "place_kind": meeting.place_kind.value, "place_detail": meeting.place_detail,
            "agenda": meeting.agenda}


@router.get("/meetings/{meeting_id}/edit")
def meeting_edit(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser,
                 today: TodayDep, settings: SettingsDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    return _form(request, session, youth, today, _values(meeting, settings), {}, meeting)


@router.post("/meetings/{meeting_id}/edit")
async def meeting_update(request: Request, meeting_id: int, session: SessionDep,
                         user: CurrentUser, today: TodayDep, settings: SettingsDep,
                         now: NowDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    form, errors = parse_form(MeetingData, data, {"now": now, "tz": settings.tz})
    if form is not None:
        try:
            meetings.update(session, settings, user, meeting_id, form, now)
            return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _form(request, session, youth, today, data, errors, meeting, status=400)


@router.post("/meetings/{meeting_id}/cancel")
async def meeting_cancel(request: Request, meeting_id: int, session: SessionDep,
                         user: CurrentUser, settings: SettingsDep, now: NowDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    if data.get("confirm") != "yes":
        return _page(request, session, meeting, youth, now, confirm="cancel")
    try:
        meetings.cancel(session, settings, user, meeting_id, str(data.get("reason", "")),
                        now)
    except youths.ValidationFailedError as exc:
        return _page(request, session, meeting, youth, now, errors=exc.errors, status=400)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)


@router.post("/meetings/{meeting_id}/invitees")
async def invitee_add(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser,
                      settings: SettingsDep, today: TodayDep, now: NowDep) -> Response:
    """Invites one more person; everyone invited gets the updated invitation."""
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    key = str(data.get("candidate", ""))
    via = data.get("via", "")
    choice = meetings.Choice(key, data.get("required") != "optional",
                             Channel(via) if via in (Channel.LETTER, Channel.PHONE) else None)
    known = {c.key for c in meetings.not_invited(session, meeting, youth, today)}
    try:
        if key not in known:
            raise youths.ValidationFailedError(
                {"candidate": Msg(N_("Choose someone from the list."))})
        meetings.add_invitee(session, settings, user, meeting_id, choice, now, today)
    except youths.ValidationFailedError as exc:
        return _page(request, session, meeting, youth, now, errors=exc.errors, status=400)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)


@router.post("/meetings/{meeting_id}/invitees/{invitee_id}/remove")
async def invitee_remove(request: Request, meeting_id: int, invitee_id: int,
                         session: SessionDep, user: CurrentUser,
                         settings: SettingsDep, now: NowDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    if data.get("confirm") != "yes":
        return _page(request, session, meeting, youth, now, confirm=f"remove:{invitee_id}")
    try:
        meetings.remove_invitee(session, settings, user, meeting_id, invitee_id, now)
    except meetings.MeetingNotFoundError:
        raise NotFoundError() from None
    except youths.ValidationFailedError as exc:
        return _page(request, session, meeting, youth, now, errors=exc.errors, status=400)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)


ICS_HOLDS_CPR = N_("A text in this meeting looks like a CPR number. Edit the meeting (agenda, "
                   "place or an invitee's name or role) before the invitation can be downloaded.")


@router.get("/meetings/{meeting_id}/invite.ics")
def invite_ics(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser,
               settings: SettingsDep, now: NowDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    organiser = session.get(User, meeting.organiser_id)
    assert organiser is not None
    listed = attendees(meetings.invitees(session, meeting))
    if not listed:
        raise NotFoundError()
    try:  # a text saved before the CPR check never leaves in the file
        refuse_cpr(written_texts(meeting, youth, meetings.invitees(session, meeting),
                                 organiser))
    except FieldError:
        return _page(request, session, meeting, youth, now, status=409,
                     errors={"__all__": Msg(ICS_HOLDS_CPR)})
    event = as_ical(settings, meeting, youth, organiser, meeting.updated_at)
    body = (ical.cancel(event, listed) if meeting.status is MeetingStatus.CANCELLED
            else ical.request(event, listed))
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="invite.ics"'})
