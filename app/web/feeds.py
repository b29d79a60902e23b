"""The caseworker's calendar feed: the "My calendar" page (make, rotate and revoke the
link, show or withhold names) and the public feed address ``/feeds/{token}.ics``.

The token is shown once, in the answer to the POST that made it; it is never stored (only
its hash) and never logged (see ``app.web.log_redaction``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.deps import (
    CurrentUser,
    NotFoundError,
    NowDep,
    SessionDep,
    SettingsDep,
    client_addr,
    public,
)
from app.domain import ical
from app.models.user import User
from app.services import feeds
from app.settings import Settings
from app.web.forms import form_dict
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


def _page(request: Request, session: Session, settings: Settings, user: User,
          status: int = 200, **extra: Any) -> Response:
    feed = feeds.get(session, user)
    return render(request, "calendar.html", {
        "feed": feed, "active": feeds.is_active(feed),
        "https": settings.public_base_url.startswith("https://"),
        "link": None, "confirm": None, **extra,
    }, status_code=status)


@router.get("/calendar")
def calendar_page(request: Request, session: SessionDep, settings: SettingsDep,
                  user: CurrentUser) -> Response:
    return _page(request, session, settings, user)


@router.post("/calendar/feed")
def calendar_feed_new(request: Request, session: SessionDep, settings: SettingsDep,
                      user: CurrentUser, now: NowDep) -> Response:
    token = feeds.create_or_rotate(session, user, now)
    return _page(request, session, settings, user, link=feeds.feed_url(settings, token))


@router.post("/calendar/feed/revoke")
async def calendar_feed_revoke(request: Request, session: SessionDep, settings: SettingsDep,
                               user: CurrentUser, now: NowDep) -> Response:
    data = form_dict(await request.form())
    if data.get("confirm") != "yes":
        return _page(request, session, settings, user, confirm="revoke")
    feeds.revoke(session, user, now)
    return RedirectResponse("/calendar", status_code=303)


@router.post("/calendar/names")
async def calendar_names(request: Request, session: SessionDep, user: CurrentUser,
                         now: NowDep) -> Response:
    data = form_dict(await request.form())
    feeds.set_show_names(session, user, data.get("show_names") == "yes", now)
    return RedirectResponse("/calendar", status_code=303)


def _etag_matches(header: str, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


@router.api_route("/feeds/{token}.ics", methods=["GET", "HEAD"], include_in_schema=False)
@public
def feed(request: Request, token: str, session: SessionDep, settings: SettingsDep,
         now: NowDep) -> Response:
    found = feeds.by_token(session, token)
    if found is None:
        raise NotFoundError()
    calendar_feed, owner = found
    body = feeds.body(session, settings, calendar_feed, owner, now)
    etag = ical.feed_etag(body)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache",
               "Content-Disposition": 'inline; filename="overgang.ics"'}
    if _etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    feeds.record_fetch(session, calendar_feed, owner, body.count(b"BEGIN:VEVENT"),
                       client_addr(request))
    return Response(body, media_type=ical.FEED_CONTENT_TYPE, headers=headers)
