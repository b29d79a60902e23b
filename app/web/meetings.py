"""Meeting pages: plan, view, move, cancel (with a confirmation step), invite and uninvite,
the invite.ics download, and the public reply links."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import clock
from app.deps import (
    CurrentUser,
    ForbiddenError,
    NotFoundError,
    SessionDep,
    SettingsDep,
    TodayDep,
    client_addr,
    public,
)
from app.domain import ical, labels
from app.domain.meeting import AGENDA_AREAS, MeetingData, ReplyTokenError, read_reply_token
from app.domain.validation import FieldError, refuse_cpr
from app.i18n import N_, Msg, gettext
from app.models.meeting import Answer, Meeting, MeetingStatus
from app.models.user import User
from app.models.youth import Channel, Youth
from app.services import meetings, youths
from app.services.meeting_mail import as_ical, attendees, written_texts
from app.settings import Settings
from app.web.forms import Errors, form_dict, parse_form
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


def _now() -> datetime:
    return clock.now()  # the application's clock, current for the request


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
                         user: CurrentUser, today: TodayDep, settings: SettingsDep) -> Response:
    youth = _youth(session, user, youth_id)
    data = form_dict(await request.form())
    form, errors = parse_form(MeetingData, data)
    if form is not None:
        try:
            meeting = meetings.plan(session, settings, user, youth_id, form, _choices(data),
                                    _now(), today)
            return RedirectResponse(f"/meetings/{meeting.id}", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _form(request, session, youth, today, data, errors, status=400)


def _page(request: Request, session: Session, meeting: Meeting, youth: Youth,
          status: int = 200, **extra: Any) -> Response:
    today = _now().astimezone(request.app.state.settings.tz).date()
    return render(request, "meetings/view.html", {
        "more_candidates": meetings.not_invited(session, meeting, youth, today),
        "meeting": meeting, "youth": youth, "labels": labels,
        "invitees": meetings.invitees(session, meeting),
        "messages": meetings.messages(session, meeting),
        "actions": meetings.actions(session, meeting),
        "organiser": session.get(User, meeting.organiser_id), "confirm": None, "errors": {},
        "now": _now(), "owners": meetings.owners(session, meeting, youth), "values": {},
        "users": youths.users_by_id(session, {a.owner_id for a in meetings.actions(
            session, meeting)}),
        **extra,
    }, status_code=status)


@router.get("/meetings/{meeting_id}")
def meeting_view(request: Request, meeting_id: int, session: SessionDep,
                 user: CurrentUser) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    return _page(request, session, meeting, youth)


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
                         user: CurrentUser, today: TodayDep, settings: SettingsDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    form, errors = parse_form(MeetingData, data)
    if form is not None:
        try:
            meetings.update(session, settings, user, meeting_id, form, _now())
            return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _form(request, session, youth, today, data, errors, meeting, status=400)


@router.post("/meetings/{meeting_id}/cancel")
async def meeting_cancel(request: Request, meeting_id: int, session: SessionDep,
                         user: CurrentUser, settings: SettingsDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    if data.get("confirm") != "yes":
        return _page(request, session, meeting, youth, confirm="cancel")
    try:
        meetings.cancel(session, settings, user, meeting_id, str(data.get("reason", "")),
                        _now())
    except youths.ValidationFailedError as exc:
        return _page(request, session, meeting, youth, errors=exc.errors, status=400)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)


@router.post("/meetings/{meeting_id}/invitees")
async def invitee_add(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser,
                      settings: SettingsDep, today: TodayDep) -> Response:
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
        meetings.add_invitee(session, settings, user, meeting_id, choice, _now(), today)
    except youths.ValidationFailedError as exc:
        return _page(request, session, meeting, youth, errors=exc.errors, status=400)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)


@router.post("/meetings/{meeting_id}/invitees/{invitee_id}/remove")
async def invitee_remove(request: Request, meeting_id: int, invitee_id: int,
                         session: SessionDep, user: CurrentUser,
                         settings: SettingsDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    if data.get("confirm") != "yes":
        return _page(request, session, meeting, youth, confirm=f"remove:{invitee_id}")
    try:
        meetings.remove_invitee(session, settings, user, meeting_id, invitee_id, _now())
    except meetings.MeetingNotFoundError:
        raise NotFoundError() from None
    except youths.ValidationFailedError as exc:
        return _page(request, session, meeting, youth, errors=exc.errors, status=400)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)


ICS_HOLDS_CPR = N_("A text in this meeting looks like a CPR number. Edit the meeting (agenda, "
                   "place or an invitee's name or role) before the invitation can be downloaded.")


@router.get("/meetings/{meeting_id}/invite.ics")
def invite_ics(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser,
               settings: SettingsDep) -> Response:
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
        return _page(request, session, meeting, youth, status=409,
                     errors={"__all__": Msg(ICS_HOLDS_CPR)})
    event = as_ical(settings, meeting, youth, organiser, meeting.updated_at)
    body = (ical.cancel(event, listed) if meeting.status is MeetingStatus.CANCELLED
            else ical.request(event, listed))
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="invite.ics"'})


# --- after the meeting: attendance, minutes, decisions, action points ---------------------------


def _ids(value: Any) -> set[int]:
    values = value if isinstance(value, list) else [value] if value else []
    return {int(v) for v in values if str(v).isdigit()}


@router.post("/meetings/{meeting_id}/minutes")
async def meeting_minutes(request: Request, meeting_id: int, session: SessionDep,
                          user: CurrentUser) -> Response:
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
                                    minutes=minutes, decisions=decisions, now=_now())
            return RedirectResponse(f"/meetings/{meeting_id}#minutes", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _page(request, session, meeting, youth, errors=errors, values=data, status=400)


@router.post("/meetings/{meeting_id}/actions")
async def action_add(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser,
                     today: TodayDep) -> Response:
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
    return _page(request, session, meeting, youth, errors=errors, values=data, status=400)


@router.post("/actions/{action_id}/complete")
async def action_complete(request: Request, action_id: int, session: SessionDep,
                          user: CurrentUser) -> Response:
    data = form_dict(await request.form())
    try:
        point = meetings.complete_action(session, user, action_id, _now())
    except meetings.MeetingNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise ForbiddenError(N_("You do not have access to this young person.")) from None
    if data.get("back") == "tasks":
        return RedirectResponse("/tasks#actions", status_code=303)
    return RedirectResponse(f"/meetings/{point.meeting_id}#actions", status_code=303)


@router.post("/meetings/{meeting_id}/minutes/send")
async def minutes_send(request: Request, meeting_id: int, session: SessionDep,
                       user: CurrentUser, settings: SettingsDep) -> Response:
    meeting, youth = _meeting(session, user, meeting_id)
    data = form_dict(await request.form())
    if data.get("confirm") != "yes":
        return _page(request, session, meeting, youth, confirm="send_minutes")
    try:
        meetings.send_minutes(session, settings, user, meeting_id, _now())
    except youths.ValidationFailedError as exc:
        return _page(request, session, meeting, youth, errors=exc.errors, status=400)
    return RedirectResponse(f"/meetings/{meeting_id}#messages", status_code=303)


# --- replies (public: the link itself is the credential) ------------------------------------


def _reply_claim(settings: Settings, token: str) -> tuple[Any, Msg | None]:
    try:
        return read_reply_token(settings.key, token, _now()), None
    except ReplyTokenError as exc:
        if exc.expired:
            return None, Msg(N_("This link has expired: the meeting is over. Contact the "
                                "caseworker if you have questions."))
        return None, Msg(N_("This link is not valid. Use the link from your e-mail as it is."))


@router.get("/meetings/reply/{token}")
@public
def reply_page(request: Request, token: str, settings: SettingsDep) -> Response:
    _claim, problem = _reply_claim(settings, token)
    answer = request.query_params.get("answer", "")
    return render(request, "meetings/reply.html", {
        "token": token, "answer": answer if answer in ("accepted", "declined") else "",
        "problem": problem, "done": None,
    }, status_code=400 if problem else 200)


@router.post("/meetings/reply/{token}")
@public
async def reply_save(request: Request, token: str, session: SessionDep,
                     settings: SettingsDep) -> Response:
    claim, problem = _reply_claim(settings, token)
    data = form_dict(await request.form())
    done = None
    if claim is not None and data.get("answer") in ("accepted", "declined"):
        try:
            _, invitee = meetings.record_answer(session, claim, Answer(data["answer"]), _now())
            done = invitee.answer
        except meetings.MeetingNotFoundError:
            problem = Msg(N_("The meeting has been changed or cancelled, so this link no "
                             "longer works."))
    return render(request, "meetings/reply.html", {
        "token": token, "answer": "", "problem": problem, "done": done,
    }, status_code=400 if problem else 200)


