"""Letters: the template editor (administrators), writing a letter from the young person's
page, its copy, and recording a status update."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from sqlmodel import Session

from app.deps import (
    AdminUser,
    CurrentUser,
    NotFoundError,
    NowDep,
    SessionDep,
    SettingsDep,
    TodayDep,
)
from app.domain import labels
from app.domain import letters as rules
from app.domain.letters import TemplateKey
from app.domain.validation import FieldError, MultilineText, empty_to_none
from app.i18n import N_, Msg
from app.models.user import User
from app.models.youth import Channel, Youth
from app.services import letter_templates, letters, youths
from app.settings import Settings
from app.web.forms import field_errors, form_dict
from app.web.routing import make_router
from app.web.templating import render

router = make_router()

# The facts a template asks for when it is sent: their labels.
ASK_LABELS = {"tidspunkt": N_("Date and time of the meeting"), "sted": N_("Place")}
UPDATE_CHANNELS = (Channel.PHONE, Channel.MEETING, Channel.EMAIL, Channel.SMS,
                   Channel.DIGITAL_POST, Channel.LETTER)


def _key(value: str) -> TemplateKey:
    try:
        return TemplateKey(value)
    except ValueError:
        raise NotFoundError() from None


def communication_context(session: Session, settings: Settings, youth: Youth) -> dict[str, Any]:
    """The letters and status-update parts of the young person's page."""
    last = letters.last_status_update(session, youth.id or 0)
    return {
        "letter_copies": letters.copies(session, youth.id or 0),
        "last_update": last,
        "update_due_on": letters.update_due_on(youth, last.given_at if last else None,
                                               settings),
        "update_channels": UPDATE_CHANNELS,
    }


# --- the template editor -------------------------------------------------------------------


@router.get("/admin/letters")
def template_list(request: Request, session: SessionDep, _user: AdminUser) -> Response:
    return render(request, "letters/templates.html", {
        "templates": letter_templates.all_templates(session), "lix_target": rules.LIX_TARGET,
    })


def _editor(request: Request, session: Session, key: TemplateKey, values: dict[str, Any],
            errors: dict[str, Msg], status_code: int = 200, confirm: str = "") -> Response:
    template = letter_templates.get(session, key)
    body = str(values.get("body", ""))
    return render(request, "letters/template_form.html", {
        "template": template, "values": values, "errors": errors, "confirm": confirm,
        "placeholders": [(name, rules.PLACEHOLDERS[name][0])
                         for name in rules.SHIPPED[key].placeholders],
        "lix": rules.template_lix(key, body), "lix_target": rules.LIX_TARGET,
        "sample_subject": rules.sample(key, str(values.get("subject", ""))),
        "sample_body": rules.sample(key, body),
    }, status_code=status_code)


@router.get("/admin/letters/{key}")
def template_edit(request: Request, key: str, session: SessionDep,
                  _user: AdminUser) -> Response:
    template = letter_templates.get(session, _key(key))
    return _editor(request, session, template.key,
                   {"subject": template.subject, "body": template.body}, {})


@router.post("/admin/letters/{key}")
async def template_save(request: Request, key: str, session: SessionDep,
                        user: AdminUser) -> Response:
    template_key = _key(key)
    form = form_dict(await request.form())
    values = {"subject": str(form.get("subject", "")),
              "body": str(form.get("body", "")).replace("\r\n", "\n")}
    try:
        rules.check(template_key, values["subject"].strip(), values["body"].strip())
        if form.get("action") == "preview":
            return _editor(request, session, template_key, values, {})
        letter_templates.save(session, user, template_key, values["subject"], values["body"])
    except FieldError as exc:
        return _editor(request, session, template_key, values,
                       {exc.field or "__all__": exc.msg}, 400)
    return RedirectResponse("/admin/letters?saved=" + template_key.value, status_code=303)


@router.post("/admin/letters/{key}/reset")
async def template_reset(request: Request, key: str, session: SessionDep,
                         user: AdminUser) -> Response:
    template_key = _key(key)
    form = form_dict(await request.form())
    if form.get("confirm") != "yes":
        template = letter_templates.get(session, template_key)
        return _editor(request, session, template_key,
                       {"subject": template.subject, "body": template.body}, {},
                       confirm="reset")
    letter_templates.reset(session, user, template_key)
    return RedirectResponse(f"/admin/letters/{template_key.value}", status_code=303)


# --- writing a letter ---------------------------------------------------------------------


def _letter_page(request: Request, session: Session, user: User, youth: Youth,
                 values: dict[str, Any], errors: dict[str, Msg], today: date,
                 status_code: int = 200) -> Response:
    key = TemplateKey(values["template"])
    facts = {name: str(values.get(name, "")) for name in rules.SHIPPED[key].asks}
    rendered = letters.render(session, youth, key, user, today, facts)
    if "recipients" not in values:  # first shown: everyone who can get a letter
        values["recipients"] = [letter.ref for letter in rendered if letter.channel]
    return render(request, "letters/write.html", {
        "youth": youth, "values": values, "errors": errors, "key": key,
        "manual": [(k, rules.SHIPPED[k].name) for k in rules.MANUAL],
        "asks": [(name, ASK_LABELS[name]) for name in rules.SHIPPED[key].asks],
        "letters": rendered, "labels": labels,
    }, status_code=status_code)


@router.get("/youths/{youth_id}/letters/new")
def letter_new(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
               today: TodayDep, template: str = TemplateKey.TURNING_18.value) -> Response:
    youth = youths.get_visible(session, user, youth_id)
    key = _key(template)
    if key not in rules.MANUAL:
        raise NotFoundError()
    return _letter_page(request, session, user, youth, {"template": key.value}, {}, today)


@router.post("/youths/{youth_id}/letters")
async def letter_send(request: Request, youth_id: int, session: SessionDep,
                      settings: SettingsDep, user: CurrentUser, today: TodayDep) -> Response:
    youth = youths.get_visible(session, user, youth_id)
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form_dict(form).items() if k != "recipients"}
    values["recipients"] = [str(v) for v in form.getlist("recipients")]
    key = _key(str(values.get("template", "")))
    if key not in rules.MANUAL:
        raise NotFoundError()
    if values.get("action") != "send":
        return _letter_page(request, session, user, youth, values, {}, today)
    if youth.plain_language and values.get("easy_read_checked") != "true":
        return _letter_page(request, session, user, youth, values, {"easy_read_checked": Msg(
            N_("Confirm that you have read the letter with easy-read language in mind."))},
            today, 400)
    facts = {name: str(values.get(name, "")) for name in rules.SHIPPED[key].asks}
    try:
        letters.send(session, settings, user, youth_id, key, values["recipients"], facts,
                     today)
    except FieldError as exc:
        return _letter_page(request, session, user, youth, values,
                            {exc.field or "__all__": exc.msg}, today, 400)
    return RedirectResponse(f"/youths/{youth_id}#letters", status_code=303)


@router.get("/youths/{youth_id}/letters/{message_id}")
def letter_copy(request: Request, youth_id: int, message_id: int, session: SessionDep,
                user: CurrentUser) -> Response:
    message = letters.copy(session, user, youth_id, message_id)
    youth = youths.get_visible(session, user, youth_id)
    return render(request, "letters/copy.html",
                  {"youth": youth, "message": message, "labels": labels})


# --- status updates -----------------------------------------------------------------------


class StatusUpdateData(BaseModel):
    channel: Channel
    given_on: Annotated[date | None, BeforeValidator(empty_to_none)] = None
    note: Annotated[MultilineText, Field(max_length=500)] = ""
    back: Annotated[str, Field(max_length=10)] = ""


def _status_form(request: Request, youth: Youth, values: dict[str, Any],
                 errors: dict[str, Msg], status_code: int = 200) -> Response:
    return render(request, "letters/status_update.html", {
        "youth": youth, "values": values, "errors": errors, "labels": labels,
        "channels": [(c.value, labels.CHANNEL[c]) for c in UPDATE_CHANNELS],
    }, status_code=status_code)


@router.get("/youths/{youth_id}/status-updates/new")
def status_update_new(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                      today: TodayDep, back: str = "") -> Response:
    youth = youths.get_visible(session, user, youth_id)
    return _status_form(request, youth, {"channel": Channel.PHONE.value,
                                         "given_on": today.isoformat(),
                                         "back": "tasks" if back == "tasks" else ""}, {})


@router.post("/youths/{youth_id}/status-updates")
async def status_update(request: Request, youth_id: int, session: SessionDep,
                        settings: SettingsDep, user: CurrentUser, today: TodayDep,
                        now: NowDep) -> Response:
    youth = youths.get_visible(session, user, youth_id)
    values = form_dict(await request.form())
    try:
        data = StatusUpdateData.model_validate(values)
        given_on = data.given_on or today
        if given_on > today:
            raise FieldError(N_("The date lies in the future."), field="given_on")
    except ValidationError as exc:
        return _status_form(request, youth, values, field_errors(exc.errors()), 400)
    except FieldError as exc:
        return _status_form(request, youth, values, {exc.field or "__all__": exc.msg}, 400)
    # today: the time it is now; an earlier day: noon (only the day counts for what is due)
    at = now.astimezone(settings.tz).time() if given_on == today else time(12)
    given_at = datetime.combine(given_on, at, settings.tz).astimezone(UTC)
    letters.record_status_update(session, user, youth_id, data.channel, data.note, given_at)
    back = "/tasks#status-updates" if data.back == "tasks" else (
        f"/youths/{youth_id}#communication")
    return RedirectResponse(back, status_code=303)
