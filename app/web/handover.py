"""Handover documents and consents: the checklist section with its htmx status actions, the
consent form, the withdrawal confirmation, the printable consent overview, and the
administrators' document catalogue.

Every action is a real form. An htmx request gets the handover section back; without
JavaScript the same URL redirects to the young person's page (or shows the refusal).
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import AwareDatetime, BaseModel, Field
from sqlmodel import Session

from app.deps import (
    AdminUser,
    CurrentUser,
    ForbiddenError,
    HtmxDep,
    NotFoundError,
    NowDep,
    SessionDep,
    TodayDep,
    client_addr,
)
from app.domain import labels
from app.domain.consent import (
    RECIPIENT_LABELS,
    ConsentData,
    DocumentPlace,
    WithdrawalData,
    corrections,
    giver_text,
    next_steps,
    undo_status_problem,
)
from app.domain.undo import UNDO_MINUTES
from app.domain.validation import MultilineText, Text
from app.i18n import N_, Msg
from app.models.handover import DocumentStatus, DocumentType
from app.models.user import User
from app.models.youth import Youth
from app.services import handover, network, youths
from app.web.forms import form_dict, parse_form
from app.web.routing import make_router
from app.web.templating import render

router = make_router()


def _youth(session: Session, user: User, youth_id: int, read_from: str | None = None) -> Youth:
    try:
        if read_from is not None:
            return youths.get_visible(session, user, youth_id)
        return youths.get_visible(session, user, youth_id)
    except youths.YouthNotFoundError:
        raise NotFoundError() from None
    except youths.YouthForbiddenError:
        raise ForbiddenError(N_("You do not have access to this young person.")) from None


def handover_context(session: Session, youth: Youth, today: date, user: User | None = None,
                     **extra: Any) -> dict[str, Any]:
    """What the handover section needs (the youth page includes the section too)."""
    summary = handover.overview(session, youth, today)
    people = youths.users_by_id(session, {
        user_id for d in summary.documents
        for user_id in (d.row.requested_by_id, d.row.received_by_id, d.row.handed_over_by_id,
                        d.row.acknowledged_by_id)
    })
    return {
        "youth": youth, "handover": summary, "next_steps": next_steps,
        "corrections": corrections,
        "handover_people": people, "hlabels": labels, "giver_text": giver_text,
        "recipient_labels": RECIPIENT_LABELS, "handover_message": None,
        "handover_error": None, "handover_undo": None, "handover_no_undo": None,
        "undo_minutes": UNDO_MINUTES, "today": today,
        "may_acknowledge": user is not None and handover.may_acknowledge(user), **extra,
    }


def _section(request: Request, session: Session, youth: Youth, today: date, htmx: bool,
             status: int = 200, **extra: Any) -> Response:
    context = handover_context(session, youth, today, request.state.user, **extra)
    name = "handover/_section.html" if htmx else "handover/page.html"
    return render(request, name, context, status_code=status)


@router.get("/youths/{youth_id}/handover")
def handover_page(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                  today: TodayDep, htmx: HtmxDep) -> Response:
    youth = _youth(session, user, youth_id, client_addr(request))
    return _section(request, session, youth, today, htmx)


DOCUMENT_DONE = {
    DocumentStatus.HANDED_OVER: N_("The document has been handed over: %(document)s."),
    DocumentStatus.ACKNOWLEDGED: N_("Receipt acknowledged: %(document)s."),
}


def _document(session: Session, user: User, youth_id: int, document_id: int
              ) -> handover.DocumentView:
    try:
        return handover.get_document(session, user, youth_id, document_id)[1]
    except handover.DocumentNotFoundError:
        raise NotFoundError() from None


@router.post("/youths/{youth_id}/documents/{document_id}/status")
def document_status(request: Request, youth_id: int, document_id: int, session: SessionDep,
                    user: CurrentUser, today: TodayDep, htmx: HtmxDep,
                    status: Annotated[DocumentStatus, Form()]) -> Response:
    """A status change. The htmx answer confirms it and, where the state machine allows the
    move back, offers to undo it for a few minutes."""
    youth = _youth(session, user, youth_id)
    previous = _document(session, user, youth_id, document_id).row.status
    try:
        view = handover.set_status(session, user, youth_id, document_id, status, today)
    except handover.StatusRefusedError as exc:
        return _section(request, session, youth, today, htmx, status=409,
                        handover_error=exc.reason)
    if not htmx:
        return RedirectResponse(f"/youths/{youth_id}#handover", status_code=303)
    if status in DOCUMENT_DONE:
        message = Msg(DOCUMENT_DONE[status], document=view.type.name)
    else:
        message = Msg(N_("%(document)s: %(status)s."), document=view.type.name,
                      status=Msg(labels.DOCUMENT_STATUS[status]))
    no_undo = undo_status_problem(status, previous)
    undo = None if no_undo else {"document": view, "previous": previous,
                                 "since": view.row.updated_at.isoformat()}
    return _section(request, session, youth, today, htmx, handover_message=message,
                    handover_undo=undo, handover_no_undo=no_undo)


@router.post("/youths/{youth_id}/documents/{document_id}/undo")
def document_undo(request: Request, youth_id: int, document_id: int, session: SessionDep,
                  user: CurrentUser, today: TodayDep, now: NowDep, htmx: HtmxDep,
                  previous: Annotated[DocumentStatus, Form()],
                  since: Annotated[AwareDatetime, Form()]) -> Response:
    """Undoes a status change just made ("Fortryd"), if `domain.undo` still allows it."""
    youth = _youth(session, user, youth_id)
    _document(session, user, youth_id, document_id)
    try:
        view = handover.undo_status(session, user, youth_id, document_id, previous, since,
                                    now, today)
    except handover.StatusRefusedError as exc:
        return _section(request, session, youth, today, htmx, status=409,
                        handover_error=exc.reason)
    if not htmx:
        return RedirectResponse(f"/youths/{youth_id}#handover", status_code=303)
    message = Msg(N_("Undone: %(document)s is “%(status)s” again."), document=view.type.name,
                  status=Msg(labels.DOCUMENT_STATUS[previous]))
    return _section(request, session, youth, today, htmx, handover_message=message)


PLAN_ITEM = re.compile(r"^([0-9]{1,12}):([0-9]{1,12})$")


def _hand_over_all_page(request: Request, youth: Youth, documents: list[Any], *,
                        changes: Any = (), done: bool = False, status: int = 200
                        ) -> Response:
    return render(request, "handover/hand_over_all.html", {
        "youth": youth, "documents": documents, "changes": changes, "done": done,
    }, status_code=status)


@router.get("/youths/{youth_id}/handover/all")
def hand_over_all_confirm(request: Request, youth_id: int, session: SessionDep,
                          user: CurrentUser, today: TodayDep) -> Response:
    """The confirmation before "hand over everything covered by consent": exactly the
    documents it would hand over, and the consent that covers each."""
    _youth(session, user, youth_id)
    youth, covered = handover.covered_documents(session, user, youth_id, today)
    return _hand_over_all_page(request, youth, covered)


@router.post("/youths/{youth_id}/handover/all")
async def hand_over_all(request: Request, youth_id: int, session: SessionDep,
                        user: CurrentUser, today: TodayDep) -> Response:
    """Hands over exactly the documents the confirmation listed, in one unit of work; if the
    consents or the checklist changed meanwhile, nothing is handed over and the confirmation
    is shown again with what changed."""
    youth = _youth(session, user, youth_id)
    form = await request.form()
    confirmed: dict[int, int] = {}
    for item in form.getlist("documents"):
        match = PLAN_ITEM.match(item) if isinstance(item, str) else None
        if match is None:
            raise NotFoundError()
        confirmed[int(match[1])] = int(match[2])
    try:
        handed = handover.hand_over_all(session, user, youth_id, confirmed, today)
    except handover.DocumentNotFoundError:
        raise NotFoundError() from None
    except handover.PlanChangedError as exc:
        return _hand_over_all_page(request, youth, exc.documents, changes=exc.changes,
                                   status=409)
    if not handed:  # nothing was listed, and nothing is covered
        return RedirectResponse(f"/youths/{youth_id}#handover", status_code=303)
    return _hand_over_all_page(request, youth, handed, done=True)


@router.get("/youths/{youth_id}/documents/{document_id}/place")
def place_form(request: Request, youth_id: int, document_id: int, session: SessionDep,
               user: CurrentUser) -> Response:
    try:
        youth, view = handover.get_document(session, user, youth_id, document_id)
    except (youths.YouthNotFoundError, youths.YouthForbiddenError,
            handover.DocumentNotFoundError):
        raise NotFoundError() from None
    return render(request, "handover/place.html", {
        "youth": youth, "view": view, "values": view.row.model_dump(), "errors": {},
        "hlabels": labels})


@router.post("/youths/{youth_id}/documents/{document_id}/place")
async def place_save(request: Request, youth_id: int, document_id: int, session: SessionDep,
                     user: CurrentUser) -> Response:
    try:
        youth, view = handover.get_document(session, user, youth_id, document_id)
    except (youths.YouthNotFoundError, youths.YouthForbiddenError,
            handover.DocumentNotFoundError):
        raise NotFoundError() from None
    data = form_dict(await request.form())
    place, errors = parse_form(DocumentPlace, data)
    if place is not None:
        handover.set_place(session, user, youth_id, document_id, place)
        return RedirectResponse(f"/youths/{youth_id}#handover", status_code=303)
    return render(request, "handover/place.html", {
        "youth": youth, "view": view, "values": data, "errors": errors, "hlabels": labels},
        status_code=400)


def _consent_form(request: Request, session: Session, youth: Youth, today: date,
                  values: dict[str, Any], errors: dict[str, Msg], status: int = 200
                  ) -> Response:
    members = network.members(session, youth, today)
    givers = [m for m in members if m.member.custody_holder or m.member.guardian]
    return render(request, "handover/consent_form.html", {
        "youth": youth, "givers": givers, "members": members, "values": values,
        "errors": errors, "catalogue": handover.catalogue(session, active_only=True),
        "hlabels": labels, "recipient_labels": RECIPIENT_LABELS, "today": today,
    }, status_code=status)


@router.get("/youths/{youth_id}/consents/new")
def consent_new(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                today: TodayDep, document: str = "") -> Response:
    """The consent form; `document` (a catalogue id, from a checklist row no consent
    covers) is ticked in advance."""
    youth = _youth(session, user, youth_id)
    values: dict[str, Any] = {
        "given_on": today.isoformat(), "method": "written",
        "purposes": ["share_with_adult_department"], "recipients": ["adult_department"]}
    if document in {str(t.id) for t in handover.catalogue(session, active_only=True)}:
        values["document_type_ids"] = [document]
    return _consent_form(request, session, youth, today, values, {})


@router.post("/youths/{youth_id}/consents/new")
async def consent_create(request: Request, youth_id: int, session: SessionDep,
                         user: CurrentUser, today: TodayDep) -> Response:
    youth = _youth(session, user, youth_id)
    data = form_dict(await request.form())
    form, errors = parse_form(ConsentData, data, {"today": today})
    if form is not None:
        try:
            handover.record_consent(session, user, youth_id, form, today)
            return RedirectResponse(f"/youths/{youth_id}#handover", status_code=303)
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return _consent_form(request, session, youth, today, data, errors, status=400)


def _consent(session: Session, user: User, youth_id: int, consent_id: int
             ) -> tuple[Youth, Any]:
    _youth(session, user, youth_id)
    try:
        return handover.get_consent(session, user, youth_id, consent_id)
    except handover.ConsentNotFoundError:
        raise NotFoundError() from None


@router.get("/youths/{youth_id}/consents/{consent_id}/withdraw")
def withdraw_confirm(request: Request, youth_id: int, consent_id: int, session: SessionDep,
                     user: CurrentUser, today: TodayDep) -> Response:
    """The confirmation step (no hx-confirm under the CSP): what the withdrawal blocks."""
    youth, consent = _consent(session, user, youth_id, consent_id)
    effects = handover.withdrawal_preview(session, youth, consent, today)
    return render(request, "handover/withdraw.html", {
        "youth": youth, "consent": consent, "effects": effects, "done": False,
        "values": {"withdrawn_on": today.isoformat()}, "errors": {},
        "giver_text": giver_text})


@router.post("/youths/{youth_id}/consents/{consent_id}/withdraw")
async def withdraw_save(request: Request, youth_id: int, consent_id: int, session: SessionDep,
                        user: CurrentUser, today: TodayDep) -> Response:
    youth, consent = _consent(session, user, youth_id, consent_id)
    data = form_dict(await request.form())
    form, errors = parse_form(WithdrawalData, data)
    effects = handover.withdrawal_preview(session, youth, consent, today)
    done = False
    if form is not None:
        try:
            consent, effects = handover.withdraw_consent(session, user, youth_id, consent_id,
                                                         form, today)
            done = True
        except youths.ValidationFailedError as exc:
            errors = exc.errors
    return render(request, "handover/withdraw.html", {
        "youth": youth, "consent": consent, "effects": effects, "done": done,
        "values": data, "errors": errors, "giver_text": giver_text,
    }, status_code=200 if done else 400)


@router.get("/youths/{youth_id}/consents")
def consent_overview(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                     today: TodayDep) -> Response:
    youth = _youth(session, user, youth_id, client_addr(request))
    return render(request, "handover/overview.html",
                  handover_context(session, youth, today, user))


# --- the catalogue (administrators) --------------------------------------------------------

class CatalogueForm(BaseModel):
    name: Annotated[Text, Field(min_length=1, max_length=120)]
    description: Annotated[MultilineText, Field(max_length=500)] = ""
    required: bool = False
    active: bool = False
    position: Annotated[int, Field(ge=0, le=10_000)] = 0


@router.get("/admin/documents")
def catalogue_page(request: Request, session: SessionDep, _admin: AdminUser) -> Response:
    return render(request, "handover/catalogue.html",
                  {"entries": handover.catalogue(session)})


def _entry(session: Session, type_id: int | None) -> DocumentType:
    if type_id is None:
        return DocumentType(key="", name="", position=1000)
    entry = handover.catalogue_entry(session, type_id)
    if entry is None:
        raise NotFoundError()
    return entry


@router.get("/admin/documents/new")
def catalogue_new(request: Request, _admin: AdminUser) -> Response:
    return render(request, "handover/catalogue_entry.html", {
        "entry": None, "values": {"required": True, "active": True, "position": 1000},
        "errors": {}})


@router.get("/admin/documents/{type_id}")
def catalogue_edit(request: Request, type_id: int, session: SessionDep,
                   _admin: AdminUser) -> Response:
    entry = _entry(session, type_id)
    return render(request, "handover/catalogue_entry.html",
                  {"entry": entry, "values": entry.model_dump(), "errors": {}})


# "/new" first, so that "/admin/documents/{type_id}" does not take "new" as an id.
@router.post("/admin/documents/{type_id}")
@router.post("/admin/documents/new")
async def catalogue_save(request: Request, session: SessionDep, _admin: AdminUser,
                         type_id: int | None = None) -> Response:
    entry = _entry(session, type_id)
    data = form_dict(await request.form())
    form, errors = parse_form(CatalogueForm, data)
    if form is None:
        return render(request, "handover/catalogue_entry.html", {
            "entry": entry if entry.id else None, "values": data, "errors": errors},
            status_code=400)
    if entry.id is None:
        entry.key = f"custom_{secrets.token_hex(8)}"
    for key, value in form.model_dump().items():
        setattr(entry, key, value)
    handover.save_catalogue_entry(session, entry)
    return RedirectResponse("/admin/documents", status_code=303)

