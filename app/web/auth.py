"""Login and logout: the password form, and the municipality's login (OpenID Connect)."""

from __future__ import annotations

import logging
import math
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import (
    SESSION_COOKIE,
    NotFoundError,
    SessionDep,
    SettingsDep,
    client_addr,
    public,
)
from app.domain import login_delay
from app.i18n import N_, Msg
from app.models.base import utcnow
from app.services import auth, oidc
from app.settings import Settings
from app.web.routing import make_router
from app.web.templating import render

router = make_router()
log = logging.getLogger("overgang.auth")

OIDC_PATH = "/login/oidc"
OIDC_FLOW_COOKIE = "overgang_oidc"
# What the login page says when a login through the municipality's login did not succeed.
OIDC_MESSAGES: dict[str, str] = {
    oidc.Failure.DENIED: N_("The login was cancelled or refused at the municipality's login."),
    oidc.Failure.EXPIRED: N_(
        "The login took too long or was started in another window. Please start it again."),
    oidc.Failure.STATE: N_(
        "The answer from the municipality's login did not match this login, so it was "
        "stopped. Please start it again."),
    oidc.Failure.PROVIDER: N_(
        "The municipality's login answered with an error. Please try again, and contact "
        "IT support if it keeps happening."),
    oidc.Failure.UNAVAILABLE: N_(
        "The municipality's login cannot be reached right now. Please try again in a moment."),
    auth.Refusal.NO_USERNAME: N_(
        "The municipality's login did not tell us your username. Contact IT support."),
    auth.Refusal.NO_ROLE: N_(
        "Your login does not give access to Overgang. Ask your manager or IT support to give "
        "you access in the municipality's user administration."),
    auth.Refusal.DEACTIVATED: N_(
        "Your account in Overgang has been deactivated. Contact an administrator."),
}


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
@public
def login_page(
    request: Request,
    expired: bool = False,
    next: str = "/",
    oidc_failure: Annotated[str, Query(alias="oidc")] = "",
) -> Response:
    if request.state.user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    notice = Msg(N_("Your session has expired. Please log in again.")) if expired else None
    failure = OIDC_MESSAGES.get(oidc_failure)
    errors = {"__all__": Msg(failure)} if failure else {}
    return _login_form(request, "", next, status_code=200, errors=errors, notice=notice)


@router.post("/login")
@public
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    auth.close_session(session, request.cookies.get(SESSION_COOKIE), client_addr(request))
    errors: dict[str, Msg] = {}
    if not username.strip():
        errors["username"] = Msg(N_("Enter your username."))
    if not password:
        errors["password"] = Msg(N_("Enter your password."))
    if errors:
        return _login_form(request, username, next, errors=errors)
    result = auth.login(session, settings, username, password, client_addr(request))
    if result.outcome is auth.LoginOutcome.OK and result.session_token:
        return _logged_in(_safe_next(next), result.session_token, settings)
    if result.outcome is auth.LoginOutcome.THROTTLED:
        throttled = _login_form(request, username, next, status_code=429,
                                wait_minutes=login_delay.minutes_to_show(result.wait))
        throttled.headers["Retry-After"] = str(math.ceil(result.wait.total_seconds()))
        return throttled
    return _login_form(request, username, next,
                       errors={"__all__": Msg(N_("Wrong username or password."))})


def _login_form(request: Request, username: str, next: str, *, status_code: int = 400,
                errors: dict[str, Msg] | None = None, wait_minutes: int = 0,
                notice: Msg | None = None) -> Response:
    settings: Settings = request.app.state.settings
    return render(
        request,
        "auth/login.html",
        {"errors": errors or {}, "username": username, "next": _safe_next(next),
         "wait_minutes": wait_minutes, "notice": notice, "oidc_enabled": settings.oidc_enabled},
        status_code=status_code,
    )


def _logged_in(target: str, session_token: str, settings: Settings) -> Response:
    """The same session cookie whichever way the person logged in."""
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=settings.session_absolute_hours * 3600,
    )
    return response


@router.get(OIDC_PATH)
@public
def oidc_start(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    """Sends the browser to the municipality's login; it comes back to the callback."""
    if not settings.oidc_enabled:
        raise NotFoundError()
    try:
        started = oidc.begin(settings, _safe_next(next), utcnow())
    except oidc.LoginFailedError as error:
        log.warning("OpenID Connect login could not start: %s", error)
        return _back_to_login(error.failure, next)
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        OIDC_FLOW_COOKIE, started.flow, max_age=int(oidc.FLOW_LIFETIME.total_seconds()),
        path=OIDC_PATH, httponly=True, samesite="lax", secure=settings.secure_cookies,
    )
    return response


@router.get(OIDC_PATH + "/callback")
@public
def oidc_callback(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Finishes the login: the answer checked against this browser's flow, then the same
    session as after a password login. A refusal goes back to the login page with its
    reason, and its failed-login row is kept (a redirect, so the unit of work commits)."""
    if not settings.oidc_enabled:
        raise NotFoundError()
    addr = client_addr(request)
    try:
        finished = oidc.finish(settings, dict(request.query_params),
                               request.cookies.get(OIDC_FLOW_COOKIE), utcnow())
    except oidc.LoginFailedError as error:
        log.warning("OpenID Connect login failed: %s", error)
        auth.oidc_login_failed(session, error.failure, addr)
        return _back_to_login(error.failure, "/")
    result = auth.login_with_claims(session, settings, finished.claims, addr)
    if result.refusal is not None or result.session_token is None:
        return _back_to_login(result.refusal or oidc.Failure.PROVIDER, finished.next)
    auth.close_session(session, request.cookies.get(SESSION_COOKIE), addr)
    response = _logged_in(_safe_next(finished.next), result.session_token, settings)
    response.delete_cookie(OIDC_FLOW_COOKIE, path=OIDC_PATH)
    return response


def _back_to_login(reason: str, next: str) -> Response:
    query = {"oidc": reason} | ({"next": _safe_next(next)} if _safe_next(next) != "/" else {})
    response = RedirectResponse("/login?" + urlencode(query), status_code=303)
    response.delete_cookie(OIDC_FLOW_COOKIE, path=OIDC_PATH)
    return response


@router.post("/logout")
@public
def logout(request: Request, session: SessionDep) -> Response:
    auth.close_session(session, request.cookies.get(SESSION_COOKIE), client_addr(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
