"""The family's own page (/borger): citizens log in through the MitID broker and see the
transition of the young person they are, or hold custody of. Every path that names a young
person goes through the application's path scope (deps.youth_scope): a citizen who may not see
them gets 404, and each page read writes an audit row with the citizen as principal."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.deps import (
    CITIZEN_COOKIE,
    CurrentCitizen,
    NotFoundError,
    NowDep,
    SessionDep,
    SettingsDep,
    TodayDep,
    client_addr,
    public,
)
from app.domain import labels
from app.domain.principal import Citizen
from app.domain.validation import FieldError, refuse_cpr
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.meeting import Answer
from app.models.youth import Channel, Frequency, Youth
from app.services import audit, citizens, family, meetings, oidc
from app.services.access import visible_youth
from app.settings import Settings
from app.web.forms import form_dict
from app.web.network import network_map
from app.web.routing import make_router
from app.web.templating import render

router = make_router()
log = logging.getLogger("overgang.family")

PREFIX = "/borger"
LOGIN_PATH = PREFIX + "/login"
FLOW_COOKIE = "overgang_borger_oidc"
LOGIN_MESSAGES: dict[str, str] = {
    oidc.Failure.DENIED: N_("The login with MitID was cancelled."),
    oidc.Failure.EXPIRED: N_("The login took too long. Please start it again."),
    oidc.Failure.STATE: N_("The login did not match this window. Please start it again."),
    oidc.Failure.PROVIDER: N_("MitID answered with an error. Please try again later."),
    oidc.Failure.UNAVAILABLE: N_("MitID cannot be reached right now. Please try again later."),
    citizens.Refusal.NO_CPR: N_("MitID did not tell us who you are. Please try again."),
}
INQUIRY_STATUS = {
    "open": N_("Sent. We have not read it yet"),
    "acknowledged": N_("We have read it and will answer"),
    "answered": N_("Answered"),
}


def youth_url(youth_id: int | None, part: str = "") -> str:
    return f"{PREFIX}/unge/{youth_id}{part}"


# --- login and logout ----------------------------------------------------------------------


@router.get(LOGIN_PATH)
@public
def login_page(request: Request, settings: SettingsDep, failure: str = "",
               expired: bool = False) -> Response:
    if isinstance(request.state.principal, Citizen):
        return RedirectResponse(PREFIX, status_code=303)
    message = LOGIN_MESSAGES.get(failure)
    return render(request, "family/login.html", {
        "enabled": settings.citizen_oidc_enabled,
        "failure": Msg(message) if message else None, "expired": expired,
    })


@router.get(LOGIN_PATH + "/start")
@public
def login_start(settings: SettingsDep, now: NowDep) -> Response:
    if not settings.citizen_oidc_enabled:
        raise NotFoundError()
    try:
        started = oidc.begin(settings, PREFIX, now, oidc.citizen_party(settings))
    except oidc.LoginFailedError as error:
        log.warning("MitID login could not start: %s", error.failure)
        return _back(error.failure)
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(FLOW_COOKIE, started.flow, max_age=int(oidc.FLOW_LIFETIME.total_seconds()),
                        path=LOGIN_PATH, httponly=True, samesite="lax",
                        secure=settings.secure_cookies)
    return response


@router.get(LOGIN_PATH + "/callback")
@public
def login_callback(request: Request, session: SessionDep, settings: SettingsDep,
                   now: NowDep) -> Response:
    """Finishes the MitID login: the answer checked against this browser's flow, the CPR
    claim turned into its keyed hash, and a new citizen session (a new id at every login)."""
    if not settings.citizen_oidc_enabled:
        raise NotFoundError()
    try:
        finished = oidc.finish(settings, dict(request.query_params),
                               request.cookies.get(FLOW_COOKIE), now,
                               oidc.citizen_party(settings))
    except oidc.LoginFailedError as error:
        log.warning("MitID login failed: %s", error.failure)
        return _back(error.failure)
    addr = client_addr(request)
    citizens.close_session(session, request.cookies.get(CITIZEN_COOKIE), addr)
    result = citizens.login_with_claims(session, settings, finished.claims, addr)
    if result.token is None:
        return _back(result.refusal or oidc.Failure.PROVIDER)
    response = RedirectResponse(PREFIX, status_code=303)
    response.set_cookie(CITIZEN_COOKIE, result.token, httponly=True, samesite="lax",
                        secure=settings.secure_cookies,
                        max_age=settings.session_absolute_hours * 3600)
    response.delete_cookie(FLOW_COOKIE, path=LOGIN_PATH)
    return response


def _back(reason: str) -> Response:
    response = RedirectResponse(f"{LOGIN_PATH}?failure={reason}", status_code=303)
    response.delete_cookie(FLOW_COOKIE, path=LOGIN_PATH)
    return response


@router.post(PREFIX + "/logout")
@public
def logout(request: Request, session: SessionDep) -> Response:
    citizens.close_session(session, request.cookies.get(CITIZEN_COOKIE), client_addr(request))
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(CITIZEN_COOKIE)
    return response


# --- the pages -----------------------------------------------------------------------------


@router.get(PREFIX)
def start(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The young people whose page the citizen may see; straight to the page when one."""
    found = citizens.visible_youths(session, citizen)
    if len(found) == 1:
        return RedirectResponse(youth_url(found[0].id), status_code=303)
    for youth in found:  # the list names them: a read of each, as the citizen
        audit.record(session, AuditAction.READ, actor=citizen, object_type="youth",
                     object_id=youth.id, youth_id=youth.id, client_addr=client_addr(request),
                     detail=f"GET {PREFIX}")
    return render(request, "family/start.html", {"youths": found, "citizen": citizen})


def _youth(request: Request, session: Session, citizen: Citizen, youth_id: int) -> Youth:
    """The young person of the path (found and audit-logged by the path scope)."""
    youth: Youth | None = request.state.youth
    if youth is None or youth.id != youth_id:
        youth = visible_youth(session, citizen, youth_id)
    return youth


def _page(request: Request, session: Session, settings: Settings, citizen: Citizen,
          youth: Youth, today: Any, now: Any, *, errors: dict[str, Msg] | None = None,
          values: dict[str, Any] | None = None, notice: Msg | None = None,
          status_code: int = 200) -> Response:
    data = family.page(session, citizen, youth, today, now)
    return render(request, "family/page.html", {
        "page": data, "youth": youth, "today": today, "errors": errors or {},
        "values": values or _agreement_values(youth), "notice": notice,
        "members": data.members, "netmap": network_map(youth, data.members),
        "labels": labels, "document_status": labels.DOCUMENT_STATUS_PLAIN,
        "inquiry_status": INQUIRY_STATUS, "proposal_status": labels.PROPOSAL_STATUS,
        "youth_url": youth_url,
    }, status_code=status_code)


def _agreement_values(youth: Youth) -> dict[str, Any]:
    return {"comm_channel": youth.comm_channel.value,
            "comm_frequency": youth.comm_frequency.value,
            "interpreter_language": youth.interpreter_language,
            "plain_language": youth.plain_language}


@router.get(PREFIX + "/unge/{youth_id}")
def youth_page(request: Request, youth_id: int, session: SessionDep, settings: SettingsDep,
               citizen: CurrentCitizen, today: TodayDep, now: NowDep,
               done: str = "") -> Response:
    youth = _youth(request, session, citizen, youth_id)
    notice = Msg(DONE[done]) if done in DONE else None
    return _page(request, session, settings, citizen, youth, today, now, notice=notice)


DONE = {
    "answer": N_("Thank you. We have saved your answer."),
    "withdrawn": N_("The consent is withdrawn. We have told your caseworker."),
    "shared": N_("Your parent can now keep seeing this page. We have told your caseworker."),
    "message": N_("Your message is sent. We answer within 48 working hours."),
    "proposal": N_("Thank you. Your caseworker will look at your wishes."),
}


def _done(youth_id: int, what: str, anchor: str) -> Response:
    return RedirectResponse(youth_url(youth_id, f"?done={what}#{anchor}"), status_code=303)


@router.post(PREFIX + "/unge/{youth_id}/moeder/{invitee_id}")
async def meeting_answer(request: Request, youth_id: int, invitee_id: int, session: SessionDep,
                         citizen: CurrentCitizen, now: NowDep) -> Response:
    youth = _youth(request, session, citizen, youth_id)
    form = form_dict(await request.form())
    if form.get("answer") not in (Answer.ACCEPTED.value, Answer.DECLINED.value):
        raise NotFoundError()
    who = family.viewer(session, citizen, youth)
    try:
        family.answer_meeting(session, who, invitee_id, Answer(form["answer"]), now)
    except (family.NotYoursError, meetings.MeetingNotFoundError):
        raise NotFoundError() from None
    return _done(youth_id, "answer", "moeder")


@router.get(PREFIX + "/unge/{youth_id}/samtykker/{consent_id}")
def withdraw_confirm(request: Request, youth_id: int, consent_id: int, session: SessionDep,
                     citizen: CurrentCitizen, today: TodayDep) -> Response:
    """Asks before a consent is withdrawn."""
    youth = _youth(request, session, citizen, youth_id)
    who = family.viewer(session, citizen, youth)
    row = next((r for r in family.consent_rows(session, who, today)
                if r.consent.id == consent_id and r.mine and r.consent.withdrawn_on is None),
               None)
    if row is None:
        raise NotFoundError()
    return render(request, "family/withdraw.html", {
        "youth": youth, "row": row, "labels": labels, "youth_url": youth_url})


@router.post(PREFIX + "/unge/{youth_id}/samtykker/{consent_id}")
def withdraw(request: Request, youth_id: int, consent_id: int, session: SessionDep,
             settings: SettingsDep, citizen: CurrentCitizen, today: TodayDep,
             now: NowDep) -> Response:
    youth = _youth(request, session, citizen, youth_id)
    who = family.viewer(session, citizen, youth)
    try:
        family.withdraw_consent(session, settings, who, consent_id, today, now)
    except family.NotYoursError:
        raise NotFoundError() from None
    except FieldError as exc:
        return _page(request, session, settings, citizen, youth, today, now,
                     errors={"consent": exc.msg}, status_code=409)
    return _done(youth_id, "withdrawn", "samtykker")


@router.post(PREFIX + "/unge/{youth_id}/del")
async def share(request: Request, youth_id: int, session: SessionDep, settings: SettingsDep,
                citizen: CurrentCitizen, today: TodayDep, now: NowDep) -> Response:
    youth = _youth(request, session, citizen, youth_id)
    who = family.viewer(session, citizen, youth)
    form = form_dict(await request.form())
    raw = form.get("member_id", "")
    try:
        member_id = int(raw) if isinstance(raw, str) and raw.isdigit() else 0
        family.share_with(session, settings, who, member_id, today, now)
    except family.NotYoursError:
        raise NotFoundError() from None
    except FieldError as exc:
        return _page(request, session, settings, citizen, youth, today, now,
                     errors={"member_id": exc.msg}, status_code=400)
    return _done(youth_id, "shared", "samtykker")


@router.post(PREFIX + "/unge/{youth_id}/beskeder")
async def write(request: Request, youth_id: int, session: SessionDep, settings: SettingsDep,
                citizen: CurrentCitizen, today: TodayDep, now: NowDep) -> Response:
    youth = _youth(request, session, citizen, youth_id)
    who = family.viewer(session, citizen, youth)
    form = form_dict(await request.form())
    text = form.get("summary", "")
    text = text if isinstance(text, str) else ""
    values = _agreement_values(youth) | {"summary": text}
    try:
        family.write_inquiry(session, settings, who, text, now)
    except FieldError as exc:
        return _page(request, session, settings, citizen, youth, today, now, values=values,
                     errors={exc.field or "summary": exc.msg}, status_code=400)
    return _done(youth_id, "message", "beskeder")


@router.post(PREFIX + "/unge/{youth_id}/aftale")
async def propose(request: Request, youth_id: int, session: SessionDep, settings: SettingsDep,
                  citizen: CurrentCitizen, today: TodayDep, now: NowDep) -> Response:
    youth = _youth(request, session, citizen, youth_id)
    who = family.viewer(session, citizen, youth)
    form = form_dict(await request.form())
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["plain_language"] = values.get("plain_language") in ("true", "on")
    errors: dict[str, Msg] = {}
    channel = values.get("comm_channel", "")
    frequency = values.get("comm_frequency", "")
    language = str(values.get("interpreter_language", "")).strip()
    if channel not in {c.value for c in Channel}:
        errors["comm_channel"] = Msg(N_("Choose how we should contact you."))
    if frequency not in {f.value for f in Frequency}:
        errors["comm_frequency"] = Msg(N_("Choose how often you want news."))
    try:
        if len(language) > 60 or "\n" in language:
            raise FieldError(N_("Write the language in at most 60 letters."))
        refuse_cpr([("interpreter_language", language)])
    except FieldError as exc:
        errors["interpreter_language"] = exc.msg
    if errors:
        return _page(request, session, settings, citizen, youth, today, now, values=values,
                     errors=errors, status_code=400)
    family.propose(session, settings, who, channel=Channel(channel),
                   frequency=Frequency(frequency), interpreter_language=language,
                   plain_language=bool(values["plain_language"]), note="", now=now)
    return _done(youth_id, "proposal", "aftale")
