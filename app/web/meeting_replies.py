"""The family's side of a meeting: the public reply pages (the link itself is the
credential)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.deps import NowDep, SessionDep, SettingsDep, public
from app.domain.meeting import ReplyTokenError, read_reply_token
from app.i18n import N_, Msg
from app.models.meeting import Answer
from app.services import meetings
from app.settings import Settings
from app.web.forms import form_dict
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


# --- replies (public: the link itself is the credential) ------------------------------------


def _reply_claim(settings: Settings, token: str, now: datetime) -> tuple[Any, Msg | None]:
    try:
        return read_reply_token(settings.key, token, now), None
    except ReplyTokenError as exc:
        if exc.expired:
            return None, Msg(N_("This link has expired: the meeting is over. Contact the "
                                "caseworker if you have questions."))
        return None, Msg(N_("This link is not valid. Use the link from your e-mail as it is."))


@router.get("/meetings/reply/{token}")
@public
def reply_page(request: Request, token: str, settings: SettingsDep, now: NowDep) -> Response:
    _claim, problem = _reply_claim(settings, token, now)
    answer = request.query_params.get("answer", "")
    return render(request, "meetings/reply.html", {
        "token": token, "answer": answer if answer in ("accepted", "declined") else "",
        "problem": problem, "done": None,
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
            _, invitee = meetings.record_answer(session, claim, Answer(data["answer"]), now)
            done = invitee.answer
        except meetings.MeetingNotFoundError:
            problem = Msg(N_("The meeting has been changed or cancelled, so this link no "
                             "longer works."))
    return render(request, "meetings/reply.html", {
        "token": token, "answer": "", "problem": problem, "done": done,
    }, status_code=400 if problem else 200)
