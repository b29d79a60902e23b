"""Login and logout."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import SESSION_COOKIE, SessionDep, SettingsDep, client_addr, public
from app.domain import login_delay
from app.i18n import N_, Msg
from app.services import auth
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
@public
def login_page(request: Request, expired: bool = False, next: str = "/") -> Response:
    if request.state.user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    notice = Msg(N_("Your session has expired. Please log in again.")) if expired else None
    return render(request, "auth/login.html", {"notice": notice, "next": _safe_next(next)})


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
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            result.session_token,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            max_age=settings.session_absolute_hours * 3600,
        )
        return response
    if result.outcome is auth.LoginOutcome.THROTTLED:
        throttled = _login_form(request, username, next, status_code=429,
                                wait_minutes=login_delay.minutes_to_show(result.wait))
        throttled.headers["Retry-After"] = str(math.ceil(result.wait.total_seconds()))
        return throttled
    return _login_form(request, username, next,
                       errors={"__all__": Msg(N_("Wrong username or password."))})


def _login_form(request: Request, username: str, next: str, *, status_code: int = 400,
                errors: dict[str, Msg] | None = None, wait_minutes: int = 0) -> Response:
    return render(
        request,
        "auth/login.html",
        {"errors": errors or {}, "username": username, "next": _safe_next(next),
         "wait_minutes": wait_minutes},
        status_code=status_code,
    )


@router.post("/logout")
@public
def logout(request: Request, session: SessionDep) -> Response:
    auth.close_session(session, request.cookies.get(SESSION_COOKIE), client_addr(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
