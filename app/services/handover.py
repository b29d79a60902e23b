"""Handover documents and consents: the checklist, status changes, consent records.

Every path that marks a document as handed over (the page, the htmx action, the API, an
import) goes through `set_status`, which asks the pure rule `domain.consent.handover_decision`
and refuses with its reason. A young person is found through the access rule first; a
document or consent id is only looked up within that young person's records. Each change
writes an event row and an audit row in the same transaction; a refused handover writes an
event row too, so every consent decision is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from app.db import insert_new, keep
from app.domain.consent import (
    BEFORE_HANDOVER,
    STATUS_ORDER,
    ConsentData,
    ConsentFacts,
    Coverage,
    Decision,
    DocumentFacts,
    DocumentPlace,
    PlanChange,
    WithdrawalData,
    WithdrawalEffects,
    all_required_handed_over,
    check_giver,
    coverage,
    eighteenth_birthday,
    giver_text,
    handover_decision,
    is_correction,
    own_consent_needed,
    own_consent_recorded,
    plan_changes,
    timing_problem,
    transition_problem,
    undo_status_problem,
    withdrawal_effects,
)
from app.domain.errors import add_errors
from app.domain.timeline import HANDOVER_STEP_KEY
from app.domain.undo import undo_problem
from app.domain.validation import FieldError
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.handover import (
    Consent,
    DocumentStatus,
    DocumentType,
    GiverRole,
    HandoverDocument,
    Purpose,
    Recipient,
)
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, User
from app.models.youth import EventKind, Youth, YouthEvent
from app.services import audit, network, timeline, youths
from app.services.youths import ValidationFailedError

HANDOVER_OFFSET = relativedelta(years=17, months=6)
STATUS_EVENT = {
    DocumentStatus.REQUESTED: EventKind.DOCUMENT_REQUESTED,
    DocumentStatus.RECEIVED: EventKind.DOCUMENT_RECEIVED,
    DocumentStatus.HANDED_OVER: EventKind.DOCUMENT_HANDED_OVER,
    DocumentStatus.ACKNOWLEDGED: EventKind.DOCUMENT_ACKNOWLEDGED,
}
EVENT_KINDS = frozenset({*STATUS_EVENT.values(), EventKind.DOCUMENT_STATUS_CORRECTED,
                         EventKind.DOCUMENT_HANDOVER_REFUSED, EventKind.DOCUMENT_PLACE_CHANGED,
                         EventKind.CONSENT_RECORDED, EventKind.CONSENT_WITHDRAWN})


class DocumentNotFoundError(Exception):
    pass


class ConsentNotFoundError(Exception):
    pass


class PlanChangedError(Exception):
    """What may be handed over has changed since the user confirmed the list; nothing was
    handed over. `changes` says what changed, `documents` is the list as it is now."""

    def __init__(self, changes: tuple[PlanChange, ...], documents: list[CoveredDocument]
                 ) -> None:
        super().__init__("the handover has changed")
        self.changes = changes
        self.documents = documents


class StatusRefusedError(Exception):
    """The status change is not allowed; `reason` says why (a handover: which consent is
    missing)."""

    def __init__(self, reason: Msg) -> None:
        super().__init__(reason.msgid)
        self.reason = reason


@dataclass(frozen=True)
class DocumentView:
    row: HandoverDocument
    type: DocumentType
    due_on: date

    @property
    def id(self) -> int:
        assert self.row.id is not None
        return self.row.id

    @property
    def facts(self) -> DocumentFacts:
        return DocumentFacts(self.id, self.type.id or 0, self.type.name, self.row.status,
                             self.type.required, self.row.handed_over_consent_id)


# --- the catalogue -------------------------------------------------------------------------

def catalogue(session: Session, *, active_only: bool = False) -> list[DocumentType]:
    stmt = select(DocumentType).order_by(col(DocumentType.position), col(DocumentType.id))
    if active_only:
        stmt = stmt.where(col(DocumentType.active).is_(True))
    return list(session.exec(stmt))


def catalogue_entry(session: Session, type_id: int) -> DocumentType | None:
    return session.get(DocumentType, type_id)


def save_catalogue_entry(session: Session, entry: DocumentType) -> DocumentType:
    session.add(entry)
    session.flush()
    return entry


# --- the checklist -------------------------------------------------------------------------

def handover_due_on(session: Session, youth: Youth) -> date:
    """The due date of the young person's 17½-year step (the template's offset may change)."""
    step = session.exec(
        select(YouthStep).join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(YouthStep.youth_id == youth.id, TimelineStep.key == HANDOVER_STEP_KEY)
    ).first()
    if step is not None:
        return step.due_on
    fallback: date = youth.birth_date + HANDOVER_OFFSET
    return fallback


def _ensure_rows(session: Session, youth: Youth) -> None:
    """A checklist row for every active catalogue entry the young person has none for."""
    have = set(session.exec(select(HandoverDocument.document_type_id)
                            .where(HandoverDocument.youth_id == youth.id)))
    missing = [t for t in catalogue(session, active_only=True) if t.id not in have]
    if not missing:
        return
    insert_new(session, HandoverDocument.__table__, [  # type: ignore[attr-defined]
        {"youth_id": youth.id, "document_type_id": entry.id} for entry in missing
    ], ["youth_id", "document_type_id"])


def _views(session: Session, youth: Youth) -> list[DocumentView]:
    due = handover_due_on(session, youth)
    stmt = (
        select(HandoverDocument, DocumentType)
        .join(DocumentType, col(DocumentType.id) == HandoverDocument.document_type_id)
        .where(HandoverDocument.youth_id == youth.id)
        .order_by(col(DocumentType.position), col(DocumentType.id))
    )
    return [DocumentView(row, entry, due) for row, entry in session.exec(stmt)]


def checklist(session: Session, youth: Youth) -> list[DocumentView]:
    """The checklist of a young person the caller has found through the access rule."""
    _ensure_rows(session, youth)
    return _views(session, youth)


def get_document(session: Session, user: User, youth_id: int, document_id: int
                 ) -> tuple[Youth, DocumentView]:
    youth = youths.get_visible(session, user, youth_id)
    for view in checklist(session, youth):
        if view.id == document_id:
            return youth, view
    raise DocumentNotFoundError()


# --- consents ------------------------------------------------------------------------------

def consents(session: Session, youth: Youth, *, lock: bool = False) -> list[Consent]:
    """The young person's consents, newest first. `lock` holds them (FOR UPDATE on
    PostgreSQL) until the commit, so a withdrawal cannot slip in while a handover is decided."""
    stmt = (select(Consent).where(Consent.youth_id == youth.id)
            .order_by(col(Consent.given_on).desc(), col(Consent.id).desc()))
    if lock:
        stmt = stmt.with_for_update()
    return list(session.exec(stmt))


def facts(consent: Consent) -> ConsentFacts:
    assert consent.id is not None
    return ConsentFacts(
        consent.id, consent.giver_role, consent.giver_name,
        frozenset(Purpose(p) for p in consent.purposes),
        frozenset(int(i) for i in consent.document_type_ids),
        frozenset(Recipient(r) for r in consent.recipients),
        consent.given_on, consent.valid_until, consent.withdrawn_on,
    )


def get_consent(session: Session, user: User, youth_id: int, consent_id: int
                ) -> tuple[Youth, Consent]:
    youth = youths.get_visible(session, user, youth_id)
    consent = session.exec(
        select(Consent).where(Consent.id == consent_id, Consent.youth_id == youth.id)
    ).first()
    if consent is None:
        raise ConsentNotFoundError()
    return youth, consent


def decide(session: Session, youth: Youth, view: DocumentView, on: date) -> Decision:
    """The rule, asked with this young person's consents."""
    return handover_decision([facts(c) for c in consents(session, youth, lock=True)],
                             view.type.id or 0, view.type.name, youth.birth_date, on)


# --- events --------------------------------------------------------------------------------

def _event(session: Session, youth: Youth, user: User, kind: EventKind, detail: str) -> None:
    assert youth.id is not None
    session.add(YouthEvent(youth_id=youth.id, actor_id=user.id, kind=kind, detail=detail[:500]))


def _audit(session: Session, user: User, action: AuditAction, youth: Youth, object_type: str,
           object_id: int | None, detail: str = "") -> None:
    audit.record(session, action, user_id=user.id, object_type=object_type,
                 object_id=object_id or "", youth_id=youth.id, detail=detail)


# --- status changes ------------------------------------------------------------------------

def _stamp(row: HandoverDocument, target: DocumentStatus, user: User, now: datetime) -> None:
    """Records who and when for the new status; moving back clears the later steps."""
    stamps = {
        DocumentStatus.REQUESTED: ("requested_at", "requested_by_id"),
        DocumentStatus.RECEIVED: ("received_at", "received_by_id"),
        DocumentStatus.HANDED_OVER: ("handed_over_at", "handed_over_by_id"),
        DocumentStatus.ACKNOWLEDGED: ("acknowledged_at", "acknowledged_by_id"),
    }
    position = STATUS_ORDER.index(target)
    for status, (at, by) in stamps.items():
        if STATUS_ORDER.index(status) > position:
            setattr(row, at, None)
            setattr(row, by, None)
    if target in stamps:
        at, by = stamps[target]
        setattr(row, at, now)
        setattr(row, by, user.id)


def _refuse_handover(session: Session, user: User, youth: Youth, view: DocumentView,
                     reason: Msg) -> StatusRefusedError:
    """The refusal is recorded even though the request that asked for it fails."""
    detail, document_id = f"{view.type.name}: {reason}", view.id

    def record(s: Session) -> None:
        _event(s, youth, user, EventKind.DOCUMENT_HANDOVER_REFUSED, detail)
        _audit(s, user, AuditAction.UPDATE, youth, "handover_document", document_id,
               "handover refused")

    keep(session, record)
    return StatusRefusedError(reason)


def may_acknowledge(user: User) -> bool:
    """The adult department acknowledges receipt (a coordinator or administrator may too)."""
    return user.role in (Role.ADULT_CASEWORKER, Role.COORDINATOR, Role.ADMIN)


def set_status(session: Session, user: User, youth_id: int, document_id: int,
               target: DocumentStatus, today: date, *, undo: bool = False) -> DocumentView:
    """Moves a checklist row to `target`. A handover needs a consent that counts today and
    covers the document type and the adult department; handing over every required document
    completes the 17½-year step."""
    youth, view = get_document(session, user, youth_id, document_id)
    row = view.row
    problem = transition_problem(row.status, target)
    if problem is None and target is DocumentStatus.ACKNOWLEDGED and not may_acknowledge(user):
        problem = Msg(N_("Receipt is acknowledged by the adult department."))
    if problem is not None:
        raise StatusRefusedError(problem)
    if target is DocumentStatus.HANDED_OVER:
        decision = decide(session, youth, view, today)
        if not decision.allowed:
            assert decision.reason is not None
            raise _refuse_handover(session, user, youth, view, decision.reason)
        row.handed_over_consent_id = decision.consent_id
    elif target in BEFORE_HANDOVER:
        row.handed_over_consent_id = None
    backwards = is_correction(row.status, target)
    old = row.status
    now = utcnow()
    _stamp(row, target, user, now)
    row.status, row.updated_at = target, now
    session.add(row)
    kind = EventKind.DOCUMENT_STATUS_CORRECTED if backwards else STATUS_EVENT[target]
    _event(session, youth, user, kind, view.type.name)
    _audit(session, user, AuditAction.UPDATE, youth, "handover_document", view.id,
           f"{old.value} -> {target.value}" + (" (undo)" if undo else ""))
    session.flush()
    if target is DocumentStatus.HANDED_OVER and all_required_handed_over(
            [v.facts for v in _views(session, youth)]):
        assert youth.id is not None
        timeline.complete_by_event(session, [youth.id], HANDOVER_STEP_KEY)
    return view


def undo_status(session: Session, user: User, youth_id: int, document_id: int,
                previous: DocumentStatus, changed_at: datetime, now: datetime, today: date
                ) -> DocumentView:
    """Sets the status back to `previous`, undoing the change made at `changed_at`: only
    shortly after it and only if the document has not changed since (`domain.undo`), and
    only where the checklist's state machine allows the move back (a handed-over document
    stays handed over). Recorded like any status change, marked as an undo."""
    _youth, view = get_document(session, user, youth_id, document_id)
    session.refresh(view.row, with_for_update=True)
    problem = undo_problem(view.row.updated_at, changed_at, now) \
        or undo_status_problem(view.row.status, previous)
    if problem is not None:
        raise StatusRefusedError(problem)
    return set_status(session, user, youth_id, document_id, previous, today, undo=True)


@dataclass(frozen=True)
class CoveredDocument:
    """A checklist row with what the consent rule says about handing it over today."""

    view: DocumentView
    coverage: Coverage


def _coverage(session: Session, youth: Youth, docs: list[DocumentView], today: date, *,
              lock: bool = False) -> list[CoveredDocument]:
    by_id = {d.id: d for d in docs}
    found = coverage([facts(c) for c in consents(session, youth, lock=lock)],
                     [d.facts for d in docs], youth.birth_date, today)
    return [CoveredDocument(by_id[c.document.id], c) for c in found]


def covered_documents(session: Session, user: User, youth_id: int, today: date
                      ) -> tuple[Youth, list[CoveredDocument]]:
    """The documents "hand over everything covered" would hand over today, each with the
    consent that covers it."""
    youth = youths.get_visible(session, user, youth_id)
    docs = checklist(session, youth)
    return youth, [c for c in _coverage(session, youth, docs, today) if c.coverage.covered]


def hand_over_all(session: Session, user: User, youth_id: int, confirmed: Mapping[int, int],
                  today: date) -> list[CoveredDocument]:
    """Hands over exactly the documents the user confirmed (document id -> the consent shown
    as covering it), each as a single handover is (`set_status`: events, audit, the 17½-year
    step). The consents are held and the rule asked again first: if anything differs from
    what was confirmed, nothing is handed over and `PlanChangedError` says what changed."""
    youth = youths.get_visible(session, user, youth_id)
    docs = checklist(session, youth)
    if any(i not in {d.id for d in docs} for i in confirmed):
        raise DocumentNotFoundError()
    now = _coverage(session, youth, docs, today, lock=True)
    changes = plan_changes(confirmed, [d.facts for d in docs], [c.coverage for c in now])
    covered = [c for c in now if c.coverage.covered]
    if changes:
        raise PlanChangedError(changes, covered)
    for c in covered:
        set_status(session, user, youth_id, c.view.id, DocumentStatus.HANDED_OVER, today)
    return covered


def set_place(session: Session, user: User, youth_id: int, document_id: int,
              place: DocumentPlace) -> DocumentView:
    youth, view = get_document(session, user, youth_id, document_id)
    row = view.row
    row.storage, row.storage_other, row.journal_ref = (place.storage, place.storage_other,
                                                       place.journal_ref)
    row.updated_at = utcnow()
    session.add(row)
    _event(session, youth, user, EventKind.DOCUMENT_PLACE_CHANGED, view.type.name)
    _audit(session, user, AuditAction.UPDATE, youth, "handover_document", view.id, "place")
    return view


# --- recording and withdrawing consent -----------------------------------------------------

def _giver(session: Session, youth: Youth, data: ConsentData, today: date
           ) -> tuple[GiverRole, int | None, str, str]:
    """(role, member id, name, relation) of the giver; only the young person, a custody
    holder or a guardian from the network map may give consent."""
    if data.giver == "youth":
        check_giver(GiverRole.YOUTH, custody_holder=False, guardian=False,
                    given_on=data.given_on, birth_date=youth.birth_date)
        return GiverRole.YOUTH, None, youth.full_name, ""
    view = next((v for v in network.members(session, youth, today)
                 if str(v.id) == data.giver), None)
    if view is None:
        raise FieldError(N_("Choose who gave the consent."), field="giver")
    member = view.member
    adult = data.given_on >= eighteenth_birthday(youth.birth_date)
    if member.guardian and (adult or not member.custody_holder):
        role = GiverRole.GUARDIAN
    elif member.custody_holder:
        role = GiverRole.CUSTODY_HOLDER
    else:
        role = GiverRole.GUARDIAN  # refused below: neither custody holder nor guardian
    check_giver(role, custody_holder=member.custody_holder, guardian=member.guardian,
                given_on=data.given_on, birth_date=youth.birth_date)
    return role, view.id, view.person.name, member.role.value


def _check_references(session: Session, youth: Youth, data: ConsentData, today: date
                      ) -> list[FieldError]:
    errors = []
    known = {t.id for t in catalogue(session)}
    if any(i not in known for i in data.document_type_ids):
        errors.append(FieldError(N_("Choose documents from the catalogue."),
                                 field="document_type_ids"))
    members = {v.id for v in network.members(session, youth, today)}
    if any(i not in members for i in data.invitee_member_ids):
        errors.append(FieldError(N_("Choose people from the young person's network map."),
                                 field="invitee_member_ids"))
    return errors


def record_consent(session: Session, user: User, youth_id: int, data: ConsentData,
                   today: date) -> Consent:
    youth = youths.get_visible(session, user, youth_id)
    found = _check_references(session, youth, data, today)
    try:
        data.check_dates(today)
    except FieldError as exc:
        found.append(exc)
    try:
        role, member_id, name, relation = _giver(session, youth, data, today)
    except FieldError as exc:
        found.append(exc)
    if found:  # every error at once
        raise ValidationFailedError(add_errors({}, found, "giver"))
    assert youth.id is not None
    consent = Consent(
        youth_id=youth.id, giver_role=role, giver_member_id=member_id, giver_name=name,
        giver_relation=relation, purposes=[p.value for p in data.purposes],
        document_type_ids=list(data.document_type_ids),
        recipients=[r.value for r in data.recipients], sources=data.sources,
        invitee_member_ids=list(data.invitee_member_ids), method=data.method,
        given_on=data.given_on, valid_until=data.valid_until, note=data.note,
        created_by_id=user.id,
    )
    session.add(consent)
    session.flush()
    _event(session, youth, user, EventKind.CONSENT_RECORDED, str(giver_text(role, name)))
    _audit(session, user, AuditAction.CREATE, youth, "consent", consent.id)
    return consent


def withdrawal_preview(session: Session, youth: Youth, consent: Consent, on: date
                       ) -> WithdrawalEffects:
    assert consent.id is not None
    return withdrawal_effects([facts(c) for c in consents(session, youth)], consent.id, on,
                              [v.facts for v in checklist(session, youth)], youth.birth_date)


def withdraw_consent(session: Session, user: User, youth_id: int, consent_id: int,
                     data: WithdrawalData, today: date) -> tuple[Consent, WithdrawalEffects]:
    """Records the withdrawal (the consent is kept). Returns what it blocks from now on and
    what was already handed over under it, for review."""
    youth, consent = get_consent(session, user, youth_id, consent_id)
    session.refresh(consent, with_for_update=True)
    if consent.withdrawn_on is not None:
        raise ValidationFailedError(
            {"withdrawn_on": Msg(N_("The consent has already been withdrawn."))}, conflict=True)
    try:
        data.check(consent.given_on, today)
    except FieldError as exc:
        raise ValidationFailedError({exc.field or "withdrawn_on": exc.msg}) from None
    effects = withdrawal_preview(session, youth, consent, data.withdrawn_on)
    consent.withdrawn_on, consent.withdrawal_reason = data.withdrawn_on, data.reason
    consent.withdrawn_at, consent.withdrawn_by_id = utcnow(), user.id
    session.add(consent)
    _event(session, youth, user, EventKind.CONSENT_WITHDRAWN,
           f"{giver_text(consent.giver_role, consent.giver_name)}: {data.reason}")
    _audit(session, user, AuditAction.UPDATE, youth, "consent", consent.id, "withdrawn")
    return consent, effects


# --- the overview --------------------------------------------------------------------------

@dataclass(frozen=True)
class ConsentView:
    consent: Consent
    counts: bool
    problem: Msg | None
    documents: list[str]
    handed_over: list[DocumentView]
    invitees: list[str]


@dataclass(frozen=True)
class Overview:
    youth: Youth
    consents: list[ConsentView]
    documents: list[DocumentView]
    own_consent_needed: bool
    own_consent_recorded: bool
    adult_from: date
    coverage: dict[int, Coverage]
    consent_by_id: dict[int, Consent]

    @property
    def covered_count(self) -> int:
        return sum(1 for c in self.coverage.values() if c.covered)


def overview(session: Session, youth: Youth, today: date) -> Overview:
    """Who has consented to what, until when, and what was handed over under it."""
    docs = checklist(session, youth)
    rows = consents(session, youth)
    # The catalogue's names and the network's people only name what consents cover.
    names = {t.id: t.name for t in catalogue(session)} if rows else {}
    people = {v.id: v.person.name for v in network.members(session, youth, today)} \
        if rows else {}
    views = []
    for consent in rows:
        problem = timing_problem(facts(consent), youth.birth_date, today)
        views.append(ConsentView(
            consent, problem is None, problem,
            [names.get(i, "?") for i in consent.document_type_ids],
            [d for d in docs if d.row.handed_over_consent_id == consent.id],
            [people.get(i, "?") for i in consent.invitee_member_ids],
        ))
    all_facts = [facts(c) for c in rows]
    covered = coverage(all_facts, [d.facts for d in docs], youth.birth_date, today)
    return Overview(youth, views, docs,
                    own_consent_needed(all_facts, youth.birth_date, today),
                    own_consent_recorded(all_facts, youth.birth_date, today),
                    eighteenth_birthday(youth.birth_date),
                    {c.document.id: c for c in covered},
                    {c.id: c for c in rows if c.id is not None})


def read_overview(session: Session, user: User, youth_id: int, today: date) -> Overview:
    """The overview page of a young person the user may see."""
    youth = youths.get_visible(session, user, youth_id)
    return overview(session, youth, today)
