"""The start page, the accessibility statement, the user's own settings, health."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from app import db
from app.deps import CurrentUser, NowDep, SessionDep, SettingsDep, TodayDep, public
from app.domain import labels
from app.domain.timeline import FIRST_MEETING_STEP_KEY, HANDOVER_STEP_KEY
from app.i18n import LOCALES
from app.models.user import Role
from app.services import inquiries, letters, meetings, overview, start, timeline, users
from app.web.errors import health_unavailable
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


# The start page shows the first START_SHOWN of each list, and links to all of them.
START_SHOWN = 5
MEETING_DAYS = 7


@router.get("/")
def home(request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
         today: TodayDep, now: NowDep) -> Response:
    """What is due for the user today, each list short, each task with what closes it; for a
    coordinator the month at a glance too. Lists with nothing in them are not asked for."""
    counts = start.task_counts(session, settings, user, today)
    day_start = datetime.combine(today, time(), settings.tz)
    context: dict[str, Any] = {
        "counts": counts, "shown": START_SHOWN, "today": today, "now": now,
        "soon": now + timedelta(hours=24), "meeting_days": MEETING_DAYS,
        "steps": timeline.my_tasks(session, user, today, limit=START_SHOWN)
        if counts.steps else [],
        "inquiries": inquiries.open_for_user(session, user, limit=START_SHOWN)
        if counts.inquiries else [],
        "status_updates": letters.updates_due_for(
            session, settings, user, today, limit=START_SHOWN - 1)[:START_SHOWN]
        if counts.status_updates else [],
        "meetings": meetings.upcoming_for(
            session, user, day_start, day_start + timedelta(days=MEETING_DAYS), START_SHOWN),
        "first_meeting_key": FIRST_MEETING_STEP_KEY, "handover_key": HANDOVER_STEP_KEY,
        "labels": labels, "step_labels": labels.STEP_STATUS, "step_people": {},
        # The navigation's count, from the counts already made.
        "nav_counts": {"/tasks": counts.total},
    }
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        context["glance"] = overview.glance(session, user, today, settings.tz, now,
                                            START_SHOWN)
    return render(request, "home.html", context)


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
