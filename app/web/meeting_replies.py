"""The family's side of a meeting: the public reply pages (the link itself is the
credential). The page shows the meeting (title, time in Danish, place or online link, the
names and roles of those invited, the agenda) and takes the answer and whether a reminder
is wanted the day before; nothing else about the young person or the others is on it."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import NowDep, SessionDep, SettingsDep, public
from app.domain import labels
from app.domain.meeting import ReplyClaim, ReplyTokenError, read_reply_token
from app.i18n import N_, Msg, locale
from app.models.meeting import Answer
from app.services import meetings
from app.settings import Settings
from app.web.forms import form_dict
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


# --- replies (public: the link itself is the credential) ------------------------------------


def _reply_claim(settings: Settings, token: str,
                 now: datetime) -> tuple[ReplyClaim | None, Msg | None]:
    try:
        return read_reply_token(settings.key, token, now), None
    except ReplyTokenError as exc:
        if exc.expired:
            return None, Msg(N_("This link has expired: the meeting is over. Contact the "
                                "caseworker if you have questions."))
        return None, Msg(N_("This link is not valid. Use the link from your e-mail as it is."))


def _view(session: Session, claim: ReplyClaim | None) -> meetings.ReplyView | None:
    if claim is None:
        return None
    with locale("da"):  # the meeting's title and time as the invite wrote them
        try:
            return meetings.reply_view(session, claim)
        except meetings.MeetingNotFoundError:
            return None


GONE = N_("You are no longer invited to this meeting. Contact the caseworker if you have "
          "questions.")


@router.get("/meetings/reply/{token}")
@public
def reply_page(request: Request, token: str, session: SessionDep, settings: SettingsDep,
               now: NowDep) -> Response:
    """The invitee's page about the meeting, reached from the invite: what, when, where,
    who is invited and the agenda, and their answer."""
    claim, problem = _reply_claim(settings, token, now)
    view = _view(session, claim)
    answer = request.query_params.get("answer", "")
    # A sound link whose invitee is no longer on the list is answered, not refused.
    return render(request, "meetings/reply.html", {
        "token": token, "answer": answer if answer in ("accepted", "declined") else "",
        "problem": problem or (Msg(GONE) if view is None else None), "done": None,
        "view": view, "labels": labels,
    }, status_code=400 if problem else 200)


@router.post("/meetings/reply/{token}")
@public
async def reply_save(request: Request, token: str, session: SessionDep,
                     settings: SettingsDep, now: NowDep) -> Response:
    claim, problem = _reply_claim(settings, token, now)
    data = form_dict(await request.form())
    done = None
    if claim is not None and data.get("answer") in ("accepted", "declined"):
        try:
            _, invitee = meetings.record_answer(
                session, claim, Answer(data["answer"]), now,
                wants_reminder=data.get("reminder") == "yes")
            done = invitee.answer
        except meetings.MeetingNotFoundError:
            problem = Msg(N_("The meeting has been changed or cancelled, so this link no "
                             "longer works."))
    view = _view(session, claim)
    return render(request, "meetings/reply.html", {
        "token": token, "answer": "", "problem": problem, "done": done, "view": view,
        "labels": labels,
    }, status_code=400 if problem else 200)
