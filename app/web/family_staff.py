"""The staff side of the family's page: which custody holders can log in (their CPR number
registered, kept only as its keyed hash) and the family's proposals for the communication
agreement, which the caseworker confirms or declines."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.deps import CurrentUser, NotFoundError, SessionDep, SettingsDep, TodayDep
from app.domain import labels
from app.domain.validation import FieldError
from app.i18n import Msg
from app.models.user import User
from app.models.youth import Youth
from app.services import family, youths
from app.web.forms import form_dict
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


def _page(request: Request, session: Session, user: User, youth: Youth, today: date,
          errors: dict[str, Msg] | None = None, member_id: int | None = None,
          status_code: int = 200) -> Response:
    assert youth.id is not None
    return render(request, "family/staff.html", {
        "youth": youth, "logins": family.custody_logins(session, youth, today),
        "proposals": family.proposals(session, youth), "labels": labels,
        "proposal_status": labels.PROPOSAL_STATUS, "errors": errors or {},
        "error_member": member_id,
    }, status_code=status_code)


@router.get("/youths/{youth_id}/family")
def staff_page(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
               today: TodayDep) -> Response:
    youth = youths.get_visible(session, user, youth_id)
    return _page(request, session, user, youth, today)


@router.post("/youths/{youth_id}/family/logins")
async def register_login(request: Request, youth_id: int, session: SessionDep,
                         settings: SettingsDep, user: CurrentUser, today: TodayDep) -> Response:
    youth = youths.get_visible(session, user, youth_id)
    form = form_dict(await request.form())
    raw_member, cpr = str(form.get("member_id", "")), str(form.get("cpr", ""))
    member_id = int(raw_member) if raw_member.isdigit() and len(raw_member) < 10 else 0
    try:
        family.register_custody_cpr(session, settings, user, youth, member_id, cpr, today)
    except family.NotYoursError:
        raise NotFoundError() from None
    except FieldError as exc:
        return _page(request, session, user, youth, today, {"cpr": exc.msg}, member_id, 400)
    return RedirectResponse(f"/youths/{youth_id}/family", status_code=303)


@router.post("/youths/{youth_id}/family/proposals")
async def decide(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                 today: TodayDep) -> Response:
    youth = youths.get_visible(session, user, youth_id)
    form = form_dict(await request.form())
    raw = str(form.get("proposal_id", ""))
    decision = form.get("decision")
    if not (raw.isdigit() and len(raw) < 10) or decision not in ("confirm", "decline"):
        raise NotFoundError()
    try:
        family.decide_proposal(session, user, youth, int(raw), decision == "confirm")
    except family.NotYoursError:
        raise NotFoundError() from None
    except FieldError as exc:
        return _page(request, session, user, youth, today, {"proposal": exc.msg},
                     status_code=409)
    return RedirectResponse(f"/youths/{youth_id}/family", status_code=303)
