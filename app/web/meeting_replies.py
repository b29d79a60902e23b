"""The family's side of a meeting: the public reply pages (the link itself is the
credential)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.deps import SessionDep, SettingsDep, public
from app.domain.meeting import ReplyTokenError, read_reply_token
from app.i18n import N_, Msg
from app.models.meeting import Answer
from app.services import meetings
from app.settings import Settings
from app.web.forms import form_dict
from app.web.meetings import _now
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


# --- replies (public: the link itself is the credential) ------------------------------------


def _reply_claim(settings: Settings, token: str) -> tuple[Any, Msg | None]:
    try:
        return read_reply_token(settings.key, token, _now()), None
    except ReplyTokenError as exc:
        if exc.expired:
            return None, Msg(N_("This link has expired: the meeting is over. Contact the "
                                "caseworker if you have questions."))
        return None, Msg(N_("This link is not valid. Use the link from your e-mail as it is."))


@router.get("/meetings/reply/{token}")
@public
def reply_page(request: Request, token: str, settings: SettingsDep) -> Response:
    _claim, problem = _reply_claim(settings, token)
    answer = request.query_params.get("answer", "")
    return render(request, "meetings/reply.html", {
        "token": token, "answer": answer if answer in ("accepted", "declined") else "",
        "problem": problem, "done": None,
    }, status_code=400 if problem else 200)


@router.post("/meetings/reply/{token}")
@public
async def reply_save(request: Request, token: str, session: SessionDep,
                     settings: SettingsDep) -> Response:
    claim, problem = _reply_claim(settings, token)
    data = form_dict(await request.form())
    done = None
    if claim is not None and data.get("answer") in ("accepted", "declined"):
        try:
            _, invitee = meetings.record_answer(session, claim, Answer(data["answer"]), _now())
            done = invitee.answer
        except meetings.MeetingNotFoundError:
            problem = Msg(N_("The meeting has been changed or cancelled, so this link no "
                             "longer works."))
    return render(request, "meetings/reply.html", {
        "token": token, "answer": "", "problem": problem, "done": done,
    }, status_code=400 if problem else 200)
