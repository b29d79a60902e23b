"""JSON API for a young person's handover documents and consents: the same rules, access
checks and consent enforcement as the pages (a refused handover answers 409 with the reason).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.deps import CurrentUser, SessionDep, TodayDep
from app.domain.consent import ConsentData, DocumentPlace, WithdrawalData
from app.models.handover import (
    Consent,
    ConsentMethod,
    DocumentStatus,
    GiverRole,
    Purpose,
    Recipient,
    Storage,
)
from app.services import handover, youths
from app.web.routing import make_router

router = make_router(prefix="/api/v1/youths/{youth_id}", tags=["handover"])


class DocumentOut(BaseModel):
    id: int
    document_type_id: int
    name: str
    required: bool
    status: DocumentStatus
    due_on: date
    storage: Storage | None
    storage_other: str
    journal_ref: str
    requested_at: datetime | None
    requested_by_id: int | None
    received_at: datetime | None
    received_by_id: int | None
    handed_over_at: datetime | None
    handed_over_by_id: int | None
    handed_over_consent_id: int | None
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None

    @classmethod
    def of(cls, view: handover.DocumentView) -> DocumentOut:
        values = view.row.model_dump(exclude={"id", "youth_id", "created_at", "updated_at"})
        return cls(id=view.id, name=view.type.name, required=view.type.required,
                   due_on=view.due_on, **values)


class ConsentOut(BaseModel):
    id: int
    giver_role: GiverRole
    giver_member_id: int | None
    giver_name: str
    purposes: list[Purpose]
    document_type_ids: list[int]
    recipients: list[Recipient]
    sources: str
    invitee_member_ids: list[int]
    method: ConsentMethod
    given_on: date
    valid_until: date | None
    valid_today: bool
    note: str
    withdrawn_on: date | None
    withdrawal_reason: str
    created_at: datetime

    @classmethod
    def of(cls, consent: Consent, valid_today: bool) -> ConsentOut:
        values = consent.model_dump(exclude={"youth_id", "giver_relation", "withdrawn_at",
                                             "withdrawn_by_id", "created_by_id"})
        return cls(valid_today=valid_today, **values)


class StatusIn(BaseModel):
    status: DocumentStatus


class WithdrawalOut(BaseModel):
    consent: ConsentOut
    blocked_document_ids: list[int]
    handed_over_document_ids: list[int]


def _detail(status: int, message: object, field: str = "__all__") -> JSONResponse:
    return JSONResponse({"detail": [{"field": field, "message": str(message)}]},
                        status_code=status)


def _errors(exc: youths.ValidationFailedError) -> JSONResponse:
    detail = [{"field": f, "message": str(m)} for f, m in exc.errors.items()]
    return JSONResponse({"detail": detail}, status_code=409 if exc.conflict else 422)


def _not_found(exc: Exception) -> JSONResponse:
    if isinstance(exc, youths.YouthForbiddenError):
        return JSONResponse({"detail": "Forbidden"}, status_code=403)
    return JSONResponse({"detail": "Not found"}, status_code=404)


NOT_VISIBLE = (youths.YouthNotFoundError, youths.YouthForbiddenError,
               handover.DocumentNotFoundError, handover.ConsentNotFoundError)


@router.get("/documents", response_model=list[DocumentOut])
def list_documents(request: Request, youth_id: int, session: SessionDep,
                   user: CurrentUser) -> Any:
    try:
        youth = youths.get_visible(session, user, youth_id)
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    return [DocumentOut.of(v) for v in handover.checklist(session, youth)]


@router.post("/documents/{document_id}/status", response_model=DocumentOut)
def change_status(youth_id: int, document_id: int, data: StatusIn, session: SessionDep,
                  user: CurrentUser, today: TodayDep) -> Any:
    """Moves a document to a new status; a handover without a covering consent, or an
    acknowledgement of a document not handed over, answers 409 with the reason."""
    try:
        view = handover.set_status(session, user, youth_id, document_id, data.status, today)
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    except handover.StatusRefusedError as exc:
        return _detail(409, exc.reason, "status")
    return DocumentOut.of(view)


@router.put("/documents/{document_id}/place", response_model=DocumentOut)
def change_place(youth_id: int, document_id: int, data: DocumentPlace, session: SessionDep,
                 user: CurrentUser) -> Any:
    try:
        return DocumentOut.of(handover.set_place(session, user, youth_id, document_id, data))
    except NOT_VISIBLE as exc:
        return _not_found(exc)


@router.get("/consents", response_model=list[ConsentOut])
def list_consents(request: Request, youth_id: int, session: SessionDep, user: CurrentUser,
                  today: TodayDep) -> Any:
    try:
        summary = handover.read_overview(session, user, youth_id, today)
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    return [ConsentOut.of(v.consent, v.counts) for v in summary.consents]


@router.post("/consents", response_model=ConsentOut, status_code=201)
def record_consent(youth_id: int, data: ConsentData, session: SessionDep, user: CurrentUser,
                   today: TodayDep) -> Any:
    try:
        consent = handover.record_consent(session, user, youth_id, data, today)
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    except youths.ValidationFailedError as exc:
        return _errors(exc)
    return ConsentOut.of(consent, consent.given_on <= today)


@router.post("/consents/{consent_id}/withdraw", response_model=WithdrawalOut)
def withdraw_consent(youth_id: int, consent_id: int, data: WithdrawalData,
                     session: SessionDep, user: CurrentUser, today: TodayDep) -> Any:
    try:
        consent, effects = handover.withdraw_consent(session, user, youth_id, consent_id,
                                                     data, today)
    except NOT_VISIBLE as exc:
        return _not_found(exc)
    except youths.ValidationFailedError as exc:
        return _errors(exc)
    return WithdrawalOut(consent=ConsentOut.of(consent, False),
                         blocked_document_ids=[d.id for d in effects.blocked],
                         handed_over_document_ids=[d.id for d in effects.handed_over])
