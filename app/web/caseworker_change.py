"""Changing the coordinating caseworker or the buddy: kind of change, handover note, letters."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import (
    CurrentUser,
    ForbiddenError,
    NotFoundError,
    SessionDep,
    SettingsDep,
    TodayDep,
)
from app.domain import labels
from app.domain.caseworker_change import ChangeData
from app.i18n import N_, Msg
from app.models.caseworker import CaseRole, ChangeKind
from app.models.user import User
from app.models.youth import Youth
from app.services import caseworker_change, users, youths
from app.web.forms import form_dict, parse_form
from app.web.routing import make_router
from app.web.templating import render

router = make_router(prefix="/youths/{youth_id}/caseworkers")


def _youth(session: Session, user: User, youth_id: int) -> Youth:
    try:
        return youths.get_visible(session, user, youth_id)
    except youths.YouthNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise ForbiddenError(N_("You do not have access to this young person.")) from None


def _page(request: Request, session: Session, youth: Youth, values: dict[str, Any],
          errors: dict[str, Msg], status: int = 200, **extra: Any) -> Response:
    people = youths.users_by_id(session, {youth.coordinator_id, youth.buddy_id})
    return render(request, "youths/caseworker_change.html", {
        "youth": youth, "values": values, "errors": errors, "labels": labels,
        "people": people, "caseworkers": [(u.id, u.full_name) for u in users.caseworkers(session)],
        **extra,
    }, status_code=status)


@router.get("/change")
def change_form(request: Request, youth_id: int, session: SessionDep,
                user: CurrentUser) -> Response:
    youth = _youth(session, user, youth_id)
    query = request.query_params
    role = query.get("role", CaseRole.COORDINATOR.value)
    values: dict[str, Any] = {
        "role": role if role in {r.value for r in CaseRole} else CaseRole.COORDINATOR}
    # Prefilled from "My tasks" when a temporary change ends: back to whom, for good.
    if query.get("kind") in {k.value for k in ChangeKind}:
        values["kind"] = query["kind"]
    if query.get("to_user_id", "").isdigit():
        values["to_user_id"] = query["to_user_id"]
    return _page(request, session, youth, values, {})


@router.post("/change")
async def change_save(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                      today: TodayDep, settings: SettingsDep) -> Response:
    youth = _youth(session, user, youth_id)
    data = form_dict(await request.form())
    form, errors = parse_form(ChangeData, data, {"today": today})
    if form is not None:
        try:
            result = caseworker_change.change_caseworker(session, user, youth_id, form, today,
                                                          settings)
            # Read again without the access check: handing a case back can end the user's
            # own access to it, and they still see what was done.
            session.refresh(youth)
            return _page(request, session, youth, {}, {}, result=result)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _page(request, session, youth, data, errors, status=400)
