"""JSON API for a young person's meetings: the same validation, access rules and messages
as the pages. A young person the caller may not see answers 404, like one that does not
exist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Body, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from app.deps import CurrentUser, NowDep, SessionDep, SettingsDep, TodayDep
from app.domain.meeting import MeetingData
from app.models.meeting import (
    Answer,
    AnsweredVia,
    Meeting,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
    PlaceKind,
)
from app.models.youth import Channel
from app.services import meetings, youths
from app.web.forms import api_errors
from app.web.routing import make_router

router = make_router(prefix="/api/v1/youths/{youth_id}/meetings", tags=["meetings"])

NOT_VISIBLE = (youths.YouthNotFoundError, youths.YouthForbiddenError,
               meetings.MeetingNotFoundError)


class InviteeIn(BaseModel):
    """Someone to invite: ``key`` is ``y`` (the young person), ``m<id>`` (a network member)
    or ``u<id>`` (a caseworker on the case). ``channel`` (letter or phone) is for someone
    without an e-mail address."""

    key: str = Field(max_length=20)
    required: bool = True
    channel: Channel | None = None


class MeetingIn(MeetingData):
    invitees: list[InviteeIn] = Field(default_factory=list, max_length=50)


class CancelIn(BaseModel):
    reason: str = Field(default="", max_length=500)


class InviteeOut(BaseModel):
    id: int
    name: str
    role_label: str
    member_id: int | None
    user_id: int | None
    channel: Channel
    required: bool
    answer: Answer
    answered_at: datetime | None  # when the answer came
    answered_via: AnsweredVia | None  # the reply page (link) or their calendar program
    attended: bool | None

    @classmethod
    def of(cls, invitee: MeetingInvitee) -> InviteeOut:
        return cls.model_validate(invitee.model_dump(include=set(cls.model_fields)))


class MeetingOut(BaseModel):
    id: int
    uid: str
    youth_id: int
    kind: MeetingKind
    status: MeetingStatus
    starts_at: datetime
    ends_at: datetime
    place_kind: PlaceKind
    place_detail: str
    agenda: str
    organiser_id: int
    sequence: int
    cancelled_at: datetime | None
    cancel_reason: str
    held_at: datetime | None
    created_at: datetime
    updated_at: datetime
    invitees: list[InviteeOut]

    @classmethod
    def of(cls, meeting: Meeting, invitees: list[MeetingInvitee]) -> MeetingOut:
        values = meeting.model_dump(include=set(cls.model_fields) - {"invitees"})
        return cls.model_validate({**values, "invitees": [InviteeOut.of(i) for i in invitees]})


class MeetingList(BaseModel):
    youth_id: int
    items: list[MeetingOut]



def _not_found() -> JSONResponse:
    return JSONResponse({"detail": "Not found"}, status_code=404)


def _error(errors: dict[str, Any]) -> JSONResponse:
    detail = [{"field": field, "message": str(message)} for field, message in errors.items()]
    return JSONResponse({"detail": detail}, status_code=422)


def _out(session: SessionDep, meeting: Meeting) -> MeetingOut:
    return MeetingOut.of(meeting, meetings.invitees(session, meeting))


def _own(session: SessionDep, user: CurrentUser, youth_id: int, meeting_id: int) -> Meeting:
    meeting, youth = meetings.get(session, user, meeting_id)
    if youth.id != youth_id:
        raise meetings.MeetingNotFoundError()
    return meeting


@router.get("", response_model=MeetingList)
def list_meetings(request: Request, youth_id: int, session: SessionDep,
                  user: CurrentUser) -> Any:
    try:
        youth = youths.get_visible(session, user, youth_id)
    except NOT_VISIBLE:
        return _not_found()
    return MeetingList(youth_id=youth_id,
                       items=[_out(session, m) for m in meetings.for_youth(session, youth)])


@router.post("", response_model=MeetingOut, status_code=201)
def create_meeting(youth_id: int, data: MeetingIn, session: SessionDep, settings: SettingsDep,
                   user: CurrentUser, today: TodayDep, now: NowDep) -> Any:
    try:
        youths.get_visible(session, user, youth_id)
    except NOT_VISIBLE:
        return _not_found()
    choices = [meetings.Choice(i.key, i.required, i.channel) for i in data.invitees]
    form = MeetingData.model_validate(data.model_dump(exclude={"invitees"}))
    try:
        meeting = meetings.plan(session, settings, user, youth_id, form, choices, now, today)
    except youths.ValidationFailedError as exc:
        return _error(exc.errors)
    return _out(session, meeting)


@router.get("/{meeting_id}", response_model=MeetingOut)
def get_meeting(request: Request, youth_id: int, meeting_id: int, session: SessionDep,
                user: CurrentUser) -> Any:
    try:
        meeting = _own(session, user, youth_id, meeting_id)
    except NOT_VISIBLE:
        return _not_found()
    return _out(session, meeting)


def _current(meeting: Meeting, settings: SettingsDep) -> dict[str, Any]:
    start = meeting.starts_at.astimezone(settings.tz)
    end = meeting.ends_at.astimezone(settings.tz)
    return {"kind": meeting.kind, "day": start.date(), "start_time": start.time(),
            "end_time": end.time(), "place_kind": meeting.place_kind,
            "place_detail": meeting.place_detail, "agenda": meeting.agenda}


@router.patch("/{meeting_id}", response_model=MeetingOut)
def update_meeting(youth_id: int, meeting_id: int, session: SessionDep, settings: SettingsDep,
                   user: CurrentUser, now: NowDep, changes: dict[str, Any] = Body(...)) -> Any:
    """Changes some of kind, day, start_time, end_time, place_kind, place_detail, agenda;
    everyone invited gets the update."""
    try:
        meeting = _own(session, user, youth_id, meeting_id)
    except NOT_VISIBLE:
        return _not_found()
    unknown = set(changes) - set(MeetingData.model_fields)
    if unknown:
        return JSONResponse(
            {"detail": [{"field": f, "message": "Unknown field"} for f in sorted(unknown)]},
            status_code=422,
        )
    try:
        data = MeetingData.model_validate({**_current(meeting, settings), **changes})
    except ValidationError as exc:
        return JSONResponse({"detail": api_errors(exc.errors())}, status_code=422)
    try:
        meeting = meetings.update(session, settings, user, meeting_id, data, now)
    except youths.ValidationFailedError as exc:
        return _error(exc.errors)
    return _out(session, meeting)


@router.post("/{meeting_id}/cancel", response_model=MeetingOut)
def cancel_meeting(youth_id: int, meeting_id: int, session: SessionDep, settings: SettingsDep,
                   user: CurrentUser, now: NowDep, body: CancelIn | None = None) -> Any:
    try:
        _own(session, user, youth_id, meeting_id)
    except NOT_VISIBLE:
        return _not_found()
    try:
        meeting = meetings.cancel(session, settings, user, meeting_id,
                                  body.reason if body else "", now)
    except youths.ValidationFailedError as exc:
        return _error(exc.errors)
    return _out(session, meeting)

