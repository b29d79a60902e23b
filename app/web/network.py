"""The network map: the map page and the htmx actions that add, edit, move and remove members.

Every action is a real link or form. An htmx request gets the network section back (map and
table together); without JavaScript the same URL serves a whole page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app import i18n
from app.deps import (
    CurrentUser,
    ForbiddenError,
    HtmxDep,
    NotFoundError,
    NowDep,
    SessionDep,
    SettingsDep,
    TodayDep,
    client_addr,
)
from app.domain import labels
from app.domain.network import MapMember, NetworkMap, layout
from app.domain.network_input import MemberData, MemberUpdate, PlaceData
from app.i18n import N_, Msg
from app.models.network import PersonKind, Sector
from app.models.user import User
from app.models.youth import Youth
from app.services import member_removal, network, youths
from app.settings import Settings
from app.web.forms import Errors, form_dict, parse_form
from app.web.routing import make_router
from app.web.templating import render, use_request_locale

router = make_router(prefix="/youths/{youth_id}/network")


def role_text(view: network.MemberView) -> str:
    return view.member.role_other or i18n.gettext(labels.NETWORK_ROLE[view.member.role])


def network_map(youth: Youth, views: list[network.MemberView]) -> NetworkMap:
    counts = {s: sum(v.member.sector is s for v in views) for s in Sector}
    titles = {s: f"{i18n.gettext(labels.SECTOR[s])} ({counts[s]})" for s in Sector}
    return layout(
        [MapMember(v.id, v.member.sector, v.member.ring, v.kind, v.person.name, role_text(v))
         for v in views],
        titles, youth.full_name,
    )


def network_context(request: Request, session: Session, youth: Youth,
                    today: date, **extra: Any) -> dict[str, Any]:
    """What the network section needs (the youth page includes the section too)."""
    use_request_locale(request)
    views = network.members(session, youth, today)
    base = f"/youths/{youth.id}/network"
    shown_at = request.headers.get("hx-current-url", "").split("#")[0].split("?")[0]
    return {
        "youth": youth, "members": views, "netmap": network_map(youth, views),
        "on_map_page": request.url.path == base or shown_at.endswith(base),
        "by_id": {v.id: v for v in views}, "labels": labels, "today": today,
        "panel": None, "values": {}, "errors": {}, "message": None, **extra,
    }


def _section(request: Request, session: Session, youth: Youth, today: date, htmx: bool,
             status: int = 200, **extra: Any) -> Response:
    context = network_context(request, session, youth, today, **extra)
    name = "network/_section.html" if htmx else "network/page.html"
    return render(request, name, context, status_code=status)


def _done(request: Request, session: Session, youth: Youth, today: date, htmx: bool,
          message: Msg) -> Response:
    if htmx:
        return _section(request, session, youth, today, htmx, message=message)
    return RedirectResponse(f"/youths/{youth.id}/network#network", status_code=303)


def _youth(session: Session, user: User, youth_id: int, *, read_from: str | None = None
           ) -> Youth:
    """The young person through the access rule; a page read (`read_from` the client's
    address) is audit-logged, an action writes its own audit row."""
    try:
        if read_from is not None:
            return youths.get_visible(session, user, youth_id)
        return youths.get_visible(session, user, youth_id)
    except youths.YouthNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise ForbiddenError(N_("You do not have access to this young person.")) from None


def _member(session: Session, user: User, youth_id: int, member_id: int,
            today: date) -> tuple[Youth, network.MemberView]:
    _youth(session, user, youth_id)
    try:
        return network.get_member(session, user, youth_id, member_id, today)
    except network.MemberNotFoundError:
        raise NotFoundError() from None


@router.get("")
def network_page(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                 today: TodayDep, htmx: HtmxDep) -> Response:
    youth = _youth(session, user, youth_id, read_from=client_addr(request))
    return _section(request, session, youth, today, htmx)


def _add_panel(request: Request, session: Session, user: User, values: dict[str, Any],
               ) -> dict[str, Any]:
    query = str(request.query_params.get("q", ""))[:100].strip()
    chosen = None
    person_id = values.get("person_id") or request.query_params.get("person", "")
    if str(person_id).isdigit() and len(str(person_id)) < 10:
        chosen = network.directory_entry(session, user, int(str(person_id)))
    return {"panel": "add", "query": query, "chosen": chosen,
            "directory": network.directory_search(session, user, query) if query else None}


@router.get("/members/new")
def member_new(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
               today: TodayDep, htmx: HtmxDep) -> Response:
    youth = _youth(session, user, youth_id)
    values = {"ring": 2, "kind": PersonKind.PRIVATE.value}
    return _section(request, session, youth, today, htmx, values=values,
                    **_add_panel(request, session, user, values))


@router.post("/members/new")
async def member_create(request: Request, youth_id: int, session: SessionDep,
                        user: CurrentUser, today: TodayDep, htmx: HtmxDep) -> Response:
    youth = _youth(session, user, youth_id)
    data = form_dict(await request.form())
    form, errors = parse_form(MemberData, data)
    if form is not None:
        try:
            view = network.add_member(session, user, youth_id, form, today)
            return _done(request, session, youth, today, htmx,
                         Msg(N_("%(name)s was added to the network."), name=view.person.name))
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _section(request, session, youth, today, htmx, status=400, values=data,
                    errors=errors, **_add_panel(request, session, user, data))


@router.get("/members/{member_id}/{action}")
def member_panel(request: Request, youth_id: int, member_id: int, action: str,
                 session: SessionDep, user: CurrentUser, today: TodayDep, now: NowDep,
                 htmx: HtmxDep) -> Response:
    if action not in ("edit", "move", "remove"):
        raise NotFoundError()
    youth, view = _member(session, user, youth_id, member_id, today)
    extra: dict[str, Any] = {}
    if action == "remove":
        extra["invitations"] = member_removal.future_meeting_invitations(
            session, view.member, now)
    extra.update(_edit_panel(session, user, view, action))
    return _section(request, session, youth, today, htmx, panel=action, member=view,
                    values=network.as_form(view), **extra)


def _edit_panel(session: Session, user: User, view: network.MemberView,
                action: str) -> dict[str, Any]:
    """Tells before the edit when the person's details are not the user's to change."""
    assert view.person.id is not None
    if action != "edit" or network.may_change_contact(session, user, view.person.id):
        return {}
    return {"contact_locked": Msg(network.SHARED_ELSEWHERE, name=view.person.name)}


def _save(session: Session, user: User, youth_id: int, member_id: int, action: str,
          data: dict[str, Any], today: date) -> tuple[Msg | None, Errors, int]:
    """Applies an edit or a move; returns the success message, or the field errors and the
    status to answer with."""
    model: type[BaseModel] = MemberUpdate if action == "edit" else PlaceData
    form, errors = parse_form(model, data)
    if form is None:
        return None, errors, 400
    try:
        if isinstance(form, MemberUpdate):
            view = network.update_member(session, user, youth_id, member_id, form, today)
            return Msg(N_("The details of %(name)s were saved."), name=view.person.name), {}, 200
        assert isinstance(form, PlaceData)
        view = network.move_member(session, user, youth_id, member_id, form, today)
        return Msg(N_("%(name)s was moved."), name=view.person.name), {}, 200
    except youths.ValidationFailedError as exc:
        return None, exc.errors, 403 if exc.forbidden else 400


@router.post("/members/{member_id}/{action}")
async def member_action(request: Request, youth_id: int, member_id: int, action: str,
                        session: SessionDep, settings: SettingsDep, user: CurrentUser,
                        today: TodayDep, now: NowDep, htmx: HtmxDep) -> Response:
    if action not in ("edit", "move", "remove"):
        raise NotFoundError()
    youth, view = _member(session, user, youth_id, member_id, today)
    data = form_dict(await request.form())
    if action == "remove":
        return _remove(request, session, settings, user, youth, view, data, today, now, htmx)
    message, errors, status = _save(session, user, youth_id, member_id, action, data, today)
    if message is not None:
        return _done(request, session, youth, today, htmx, message)
    return _section(request, session, youth, today, htmx, status=status, panel=action,
                    member=view, values={**network.as_form(view), **data}, errors=errors,
                    **_edit_panel(session, user, view, action))


def _remove(request: Request, session: Session, settings: Settings, user: User, youth: Youth,
            view: network.MemberView, data: dict[str, Any], today: date, now: datetime,
            htmx: bool) -> Response:
    """Removal always goes through the confirmation step; `confirm` says it was answered,
    and with invitations to meetings ahead, `uninvite` that they are cancelled too."""
    assert youth.id is not None
    if data.get("confirm") != "yes":
        return _section(request, session, youth, today, htmx, status=400, panel="remove",
                        member=view,
                        invitations=member_removal.future_meeting_invitations(
                            session, view.member, now))
    try:
        member_removal.remove_member(session, settings, user, youth.id, view.id, today, now,
                                     uninvite=data.get("uninvite") == "yes")
    except member_removal.ConfirmationNeededError as exc:
        return _section(request, session, youth, today, htmx, status=409, panel="remove",
                        member=view, invitations=exc.invitations)
    return _done(request, session, youth, today, htmx,
                 Msg(N_("%(name)s was removed from the network."), name=view.person.name))
