"""JSON API for a young person's network: the same rules and access checks as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Body, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError

from app.deps import CurrentUser, NowDep, SessionDep, SettingsDep, TodayDep
from app.domain.network_input import MemberData, MemberUpdate
from app.models.network import NetworkRole, PersonKind, RoleKind, Sector
from app.models.youth import Channel
from app.services import member_removal, network, youths
from app.web.forms import api_errors
from app.web.routing import make_router

router = make_router(prefix="/api/v1/youths/{youth_id}/network", tags=["network"])


class MemberOut(BaseModel):
    id: int
    person_id: int
    kind: PersonKind
    name: str
    email: str
    phone: str
    address: str
    organisation: str
    role: NetworkRole
    role_other: str
    role_kind: RoleKind
    sector: Sector
    ring: int
    custody_holder: bool
    custody_ended: bool
    guardian: bool
    bisidder: bool
    invited_to_meetings: bool
    preferred_channel: Channel | None
    note: str
    youth_agreed: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: network.MemberView) -> MemberOut:
        m, p = view.member, view.person
        return cls(
            id=view.id, person_id=m.person_id, kind=p.kind, name=p.name, email=p.email,
            phone=p.phone, address=p.address, organisation=p.organisation, role=m.role,
            role_other=m.role_other, role_kind=view.kind, sector=m.sector, ring=m.ring,
            custody_holder=m.custody_holder, custody_ended=view.custody_ended,
            guardian=m.guardian, bisidder=m.bisidder, invited_to_meetings=m.invited_to_meetings,
            preferred_channel=m.preferred_channel, note=m.note, youth_agreed=m.youth_agreed,
            created_at=m.created_at, updated_at=m.updated_at,
        )


class NetworkOut(BaseModel):
    youth_id: int
    members: list[MemberOut]


def _error(status: int, errors: dict[str, Any]) -> JSONResponse:
    detail = [{"field": field, "message": str(message)} for field, message in errors.items()]
    return JSONResponse({"detail": detail}, status_code=status)


def _not_found(exc: Exception) -> JSONResponse:
    if isinstance(exc, youths.YouthForbiddenError):
        return JSONResponse({"detail": "Forbidden"}, status_code=403)
    return JSONResponse({"detail": "Not found"}, status_code=404)


NOT_VISIBLE = (youths.YouthNotFoundError, youths.YouthForbiddenError, network.MemberNotFoundError)


@router.get("", response_model=NetworkOut)
def get_network(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                today: TodayDep) -> Any:
    try:
        youth = youths.get_visible(session, user, youth_id)
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    views = network.members(session, youth, today)
    return NetworkOut(youth_id=youth_id, members=[MemberOut.of(v) for v in views])


@router.post("/members", response_model=MemberOut, status_code=201)
def add_member(youth_id: int, data: MemberData, session: SessionDep, user: CurrentUser,
               today: TodayDep) -> Any:
    try:
        return MemberOut.of(network.add_member(session, user, youth_id, data, today))
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    except youths.ValidationFailedError as exc:
        return _error(409 if exc.conflict else 422, exc.errors)


@router.get("/members/{member_id}", response_model=MemberOut)
def get_member(youth_id: int, member_id: int, session: SessionDep, user: CurrentUser,
               today: TodayDep) -> Any:
    try:
        return MemberOut.of(network.get_member(session, user, youth_id, member_id, today)[1])
    except NOT_VISIBLE as exc:
        return _not_found(exc)


@router.patch("/members/{member_id}", response_model=MemberOut)
def change_member(youth_id: int, member_id: int, session: SessionDep, user: CurrentUser,
                  today: TodayDep, changes: dict[str, Any] = Body(...)) -> Any:
    """Changes some fields; moving is a change of `sector` and `ring`. The name and contact
    details are shared by every network the person is in: changing them answers 403 with the
    reason unless the user may see every young person whose network holds the person."""
    try:
        _youth, view = network.get_member(session, user, youth_id, member_id, today)
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    unknown = set(changes) - set(MemberUpdate.model_fields)
    if unknown:
        return JSONResponse(
            {"detail": [{"field": f, "message": "Unknown field"} for f in sorted(unknown)]},
            status_code=422,
        )
    try:
        data = MemberUpdate.model_validate({**network.as_form(view), **changes})
    except ValidationError as exc:
        return JSONResponse({"detail": api_errors(exc.errors())}, status_code=422)
    try:
        return MemberOut.of(network.update_member(session, user, youth_id, member_id, data,
                                                  today))
    except youths.ValidationFailedError as exc:
        return _error(403 if exc.forbidden else 409 if exc.conflict else 422, exc.errors)


@router.delete("/members/{member_id}", status_code=204, response_model=None)
def remove_member(youth_id: int, member_id: int, session: SessionDep, settings: SettingsDep,
                  user: CurrentUser, today: TodayDep, now: NowDep,
                  uninvite: bool = False) -> Response:
    """Removes the member. If they are invited to a future meeting, answers 409 with those
    meetings; repeat with `?uninvite=true` to remove them and cancel the invitations."""
    try:
        member_removal.remove_member(session, settings, user, youth_id, member_id, today, now,
                              uninvite=uninvite)
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    except member_removal.ConfirmationNeededError as exc:
        return JSONResponse({
            "detail": "The member is invited to future meetings; repeat with uninvite=true.",
            "meetings": [{"id": i.meeting_id, "kind": i.kind.value,
                          "starts_at": i.starts_at.isoformat()} for i in exc.invitations],
        }, status_code=409)
    return Response(status_code=204)
