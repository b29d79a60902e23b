"""The start page, the accessibility statement, the user's own settings, health."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from app import db
from app.deps import CurrentUser, SessionDep, public
from app.i18n import LOCALES
from app.services import users
from app.web.errors import health_unavailable
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


@router.get("/")
def home(request: Request, user: CurrentUser) -> Response:
    return render(request, "home.html", {})


@router.get("/tilgaengelighed")
@public
def accessibility_statement(request: Request) -> Response:
    return render(request, "accessibility.html", {})


FAVICON = Path(__file__).resolve().parents[1] / "static" / "img" / "favicon.svg"


@router.get("/favicon.ico", include_in_schema=False)
@public
def favicon() -> Response:
    """Browsers and tools ask for /favicon.ico whatever the page links: the same icon."""
    return FileResponse(FAVICON, media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/profile")
def profile(request: Request, user: CurrentUser) -> Response:
    return render(request, "profile.html", {"locales": LOCALES})


@router.post("/profile")
def profile_update(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    locale: Annotated[str, Form(max_length=8)] = "da",
) -> Response:
    if locale not in LOCALES:
        return render(request, "profile.html", {"locales": LOCALES}, status_code=400)
    users.set_locale(session, user, locale)
    return RedirectResponse("/profile", status_code=303)


@router.get("/health")
@public
def health(request: Request) -> Response:
    """200 `{"status": "ok"}` while the database answers; 503 with Retry-After and
    `{"status": "database unreachable"}` when it does not. On SQLite `overgang serve` checks
    the file's integrity before it starts, and the answer says so (`"integrity": "ok"`)."""
    if not db.reachable(request.app.state.engine):
        return health_unavailable()
    body = {"status": "ok"}
    integrity: str | None = getattr(request.app.state, "integrity", None)
    if integrity is not None:
        body["integrity"] = integrity
    return JSONResponse(body)
