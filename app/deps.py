"""Request dependencies: the database session, settings, the logged-in user, CSRF.

`authenticate` and `csrf_protect` are installed on the whole application, so a new route
is protected without asking. A route opts out of login with the `public` decorator.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlmodel import Session

from app.clock import Clock
from app.db import at_commit, new_session
from app.domain.principal import Citizen, Principal
from app.models.audit import AuditAction
from app.models.user import Role, User
from app.services import access, audit, auth, citizens
from app.settings import Settings

SESSION_COOKIE = "overgang_session"
CITIZEN_COOKIE = "overgang_borger"  # a citizen's session on the family's page (/borger)
CSRF_COOKIE = "overgang_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Any])


class NotAuthenticatedError(Exception):
    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("not authenticated")
        self.expired = expired


class CsrfError(Exception):
    pass


class ForbiddenError(Exception):
    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(Exception):
    pass


def public(endpoint: F) -> F:
    """Marks a route that anyone may open without logging in."""
    endpoint.public = True  # type: ignore[attr-defined]
    return endpoint


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """The request's session. Its unit of work is committed or rolled back by the route
    (web/routing.py); closing it here rolls back whatever was not committed."""
    session = new_session(request.app.state.engine)
    request.state.db = session
    try:
        yield session
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def client_addr(request: Request) -> str:
    return request.client.host if request.client else ""


def _route_is_public(request: Request) -> bool:
    route = request.scope.get("route")
    return bool(getattr(getattr(route, "endpoint", None), "public", False))


@dataclass(frozen=True)
class Viewer:
    """Plain copies of the logged-in user's name, role and language, taken when the request
    is authenticated. Error pages use these, never the ORM object: a failed transaction
    expires it, and reading it then fails too."""

    full_name: str
    role: Role
    locale: str


def _set_user(request: Request, user: User | None) -> None:
    request.state.user = user
    request.state.principal = user
    request.state.viewer = Viewer(user.full_name, user.role, user.locale) if user else None


def authenticate(request: Request, session: SessionDep, settings: SettingsDep) -> None:
    """Finds the user behind the session cookie or bearer token; refuses anonymous access."""
    _set_user(request, None)
    request.state.session_digest = None
    request.state.via_token = False
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = auth.user_for_api_token(session, header[7:].strip())
        request.state.via_token = True
        if user is None:
            raise NotAuthenticatedError()
        _set_user(request, user)
        return
    state, user, digest = auth.resolve_session(
        session, settings, request.cookies.get(SESSION_COOKIE)
    )
    _set_user(request, user)
    request.state.session_digest = digest
    if user is None and request.cookies.get(CITIZEN_COOKIE):
        today = request.app.state.clock.now().astimezone(settings.tz).date()
        citizen, digest = citizens.resolve_session(
            session, settings, request.cookies.get(CITIZEN_COOKIE), today)
        request.state.principal = citizen
        request.state.session_digest = digest
        if citizen is not None:
            return
    if user is None and not _route_is_public(request):
        raise NotAuthenticatedError(expired=state is auth.SessionState.EXPIRED)


def youth_scope(request: Request, session: SessionDep) -> None:
    """The access check and the read's audit row for every route whose path names a young
    person or one of their objects (services/access.OWNED_BY_YOUTH), installed on the whole
    application like `authenticate`: a new route with such an id cannot forget either.

    The young person is kept on ``request.state.youth`` (None for other paths). A page or API
    read (GET, HEAD) writes one READ row naming the object and the route; a change writes its
    own row in its service."""
    request.state.youth = None
    principal: Principal | None = request.state.principal
    if principal is None or not request.path_params:
        return
    scope = access.resolve_path(session, principal, request.path_params)
    if scope is None:
        return
    request.state.youth = scope.youth
    if request.method in ("GET", "HEAD"):
        route = request.scope.get("route")
        youth_id, addr = scope.youth.id, client_addr(request)
        detail = f"{request.method} {getattr(route, 'path', '')}"
        at_commit(session, lambda s: audit.record(
            s, AuditAction.READ, actor=principal, object_type=scope.object_type,
            object_id=scope.object_id, youth_id=youth_id, client_addr=addr, detail=detail,
        ))


def csrf_token_for(request: Request) -> str:
    cookie = request.state.csrf_cookie
    digest = getattr(request.state, "session_digest", None) or ""
    key: bytes = request.app.state.settings.key
    return hmac.new(key, f"csrf|{cookie}|{digest}".encode(), hashlib.sha256).hexdigest()


async def csrf_protect(request: Request) -> None:
    """Every state-changing request carries the token, as a form field or a header."""
    if request.method in SAFE_METHODS or request.state.via_token:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent, csrf_token_for(request)):
        raise CsrfError()


def get_principal(request: Request) -> Principal:
    """Whoever is logged in: a member of staff or a citizen."""
    principal: Principal | None = request.state.principal
    if principal is None:
        raise NotAuthenticatedError()
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_current_user(request: Request) -> User:
    """A member of staff: the staff pages and the API are for staff only."""
    principal = get_principal(request)
    if not isinstance(principal, User):
        raise NotFoundError()
    return principal


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_current_citizen(request: Request) -> Citizen:
    """A citizen: the family's pages (/borger) are for citizens only; staff get 404 there."""
    principal = request.state.principal
    if principal is None:
        raise NotAuthenticatedError()
    if not isinstance(principal, Citizen):
        raise NotFoundError()
    return principal


CurrentCitizen = Annotated[Citizen, Depends(get_current_citizen)]


def require_roles(*roles: Role) -> Callable[[Request], User]:
    def dependency(request: Request) -> User:
        user = get_current_user(request)
        if user.role not in roles:
            raise ForbiddenError()
        return user

    return dependency


AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
CoordinatorUser = Annotated[User, Depends(require_roles(Role.COORDINATOR, Role.ADMIN))]


def is_htmx(request: Request) -> bool:
    """True for an htmx request that wants a fragment (not a boosted full page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-boosted") != "true"
    )


HtmxDep = Annotated[bool, Depends(is_htmx)]


def get_now(request: Request) -> datetime:
    """The request's moment on the application's clock (app/clock.py), read once per request."""
    clock: Clock = request.app.state.clock
    return clock.now()


NowDep = Annotated[datetime, Depends(get_now)]


def get_today(now: NowDep, settings: SettingsDep) -> date:
    """Today in the municipality's time zone."""
    return now.astimezone(settings.tz).date()


TodayDep = Annotated[date, Depends(get_today)]
