"""Inquiries (henvendelser): logging them with their due time, acknowledging and answering,
the closing days, and escalating those not acknowledged in time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app import i18n
from app.domain import inquiry as rules
from app.domain.validation import FieldError, refuse_cpr
from app.i18n import N_
from app.models.audit import AuditAction
from app.models.inquiry import ClosingDay, Inquiry
from app.models.outbox import OutboxKind
from app.models.user import Role, User
from app.models.youth import EventKind, Youth, YouthEvent
from app.services import audit, outbox, youths
from app.services.access import assigned_to, youth_access
from app.settings import Settings


class InquiryNotFoundError(Exception):
    pass


def closing_days(session: Session) -> frozenset[date]:
    return frozenset(session.exec(select(col(ClosingDay.day))))


def list_closing_days(session: Session) -> list[ClosingDay]:
    return list(session.exec(select(ClosingDay).order_by(col(ClosingDay.day))))


def add_closing_day(session: Session, user: User, day: date, reason: str) -> ClosingDay:
    if session.exec(select(ClosingDay).where(ClosingDay.day == day)).first():
        raise FieldError(N_("This day is already a closing day."), field="day")
    row = ClosingDay(day=day, reason=reason, created_by_id=user.id)
    session.add(row)
    audit.record(session, AuditAction.CREATE, user_id=user.id, object_type="closing_day",
                 object_id=day.isoformat())
    session.flush()
    return row


def remove_closing_day(session: Session, user: User, closing_day_id: int) -> None:
    row = session.get(ClosingDay, closing_day_id)
    if row is not None:
        session.delete(row)
        audit.record(session, AuditAction.DELETE, user_id=user.id, object_type="closing_day",
                     object_id=row.day.isoformat())
        session.flush()


def _event(session: Session, youth_id: int, user: User | None, kind: EventKind,
           detail: str = "") -> None:
    session.add(YouthEvent(youth_id=youth_id, actor_id=user.id if user else None, kind=kind,
                           detail=detail[:500]))


def create(session: Session, settings: Settings, user: User, youth_id: int,
           data: rules.InquiryData, now: datetime) -> Inquiry:
    """Logs an inquiry for a young person the user may see; raises FieldError."""
    youth = youths.get_visible(session, user, youth_id)
    received = data.check(settings.tz, now)
    row = Inquiry(
        youth_id=youth.id or 0, received_at=received, channel=data.channel,
        sender_kind=data.sender_kind, sender_name=data.sender_name, summary=data.summary,
        due_at=rules.due_at(received, closing_days(session), settings.tz),
        created_by_id=user.id,
    )
    session.add(row)
    _event(session, row.youth_id, user, EventKind.INQUIRY_RECEIVED)
    audit.record(session, AuditAction.CREATE, user_id=user.id, object_type="inquiry",
                 youth_id=youth.id)
    session.flush()
    return row


def for_youth(session: Session, youth_id: int) -> list[Inquiry]:
    """A young person's inquiries, open ones first; the caller has checked access."""
    return list(session.exec(
        select(Inquiry).where(Inquiry.youth_id == youth_id)
        .order_by(col(Inquiry.answered_at).is_not(None), col(Inquiry.due_at).desc())
    ))


def visible(session: Session, user: User, inquiry_id: int) -> Inquiry:
    found = session.exec(
        select(Inquiry).join(Youth, col(Youth.id) == Inquiry.youth_id)
        .where(Inquiry.id == inquiry_id, youth_access(user))
    ).first()
    if found is None:
        raise InquiryNotFoundError()
    return found


def acknowledge(session: Session, user: User, inquiry_id: int, now: datetime) -> Inquiry:
    row = visible(session, user, inquiry_id)
    if row.acknowledged_at is None:
        row.acknowledged_at, row.acknowledged_by_id = now, user.id
        session.add(row)
        _event(session, row.youth_id, user, EventKind.INQUIRY_ACKNOWLEDGED)
        session.flush()
    return row


def answer(session: Session, settings: Settings, user: User, inquiry_id: int,
           data: rules.AnswerData, now: datetime) -> Inquiry:
    """Records the answer (and the acknowledgement, if that was not recorded yet). The
    note about the answer is held to the rule for text that is sent out, as the answer
    given to the family is (raises FieldError on a CPR-like number)."""
    row = visible(session, user, inquiry_id)
    refuse_cpr([("note", data.note)])
    answered = data.answered_at(settings.tz, row.received_at, now)
    row.answered_at, row.answered_by_id, row.answer_note = answered, user.id, data.note
    if row.acknowledged_at is None:
        row.acknowledged_at, row.acknowledged_by_id = answered, user.id
    session.add(row)
    _event(session, row.youth_id, user, EventKind.INQUIRY_ANSWERED)
    session.flush()
    return row


def open_for_user(session: Session, user: User, limit: int = 100) -> list[tuple[Inquiry, Youth]]:
    """Unanswered inquiries about the young people the user is assigned to, the earliest
    due first ("My tasks" shows them before the steps)."""
    rows = session.exec(
        select(Inquiry, Youth).join(Youth, col(Youth.id) == Inquiry.youth_id)
        .where(*_open_for(user))
        .order_by(col(Inquiry.due_at)).limit(limit)
    )
    return [(inquiry, youth) for inquiry, youth in rows]


def _open_for(user: User) -> tuple[Any, ...]:
    return col(Inquiry.answered_at).is_(None), assigned_to(user), youth_access(user)


def open_for_user_count(user: User) -> Any:
    """A SELECT of how many inquiries `open_for_user` has in all."""
    return (select(func.count()).select_from(Inquiry)
            .join(Youth, col(Youth.id) == Inquiry.youth_id).where(*_open_for(user)))


def escalate_due(session: Session, settings: Settings, now: datetime) -> int:
    """Inquiries not acknowledged by their due time go to the buddy and the coordinating
    caseworker (or, without one, the coordinators) through the outbox. Each is claimed
    with one conditional UPDATE first, so a second run escalates nothing twice."""
    claimed = list(session.execute(
        update(Inquiry)
        .where(col(Inquiry.acknowledged_at).is_(None), col(Inquiry.escalated_at).is_(None),
               col(Inquiry.due_at) <= now)
        .values(escalated_at=now)
        .returning(col(Inquiry.id))
        .execution_options(synchronize_session=False)
    ).scalars())
    if not claimed:
        session.flush()
        return 0
    coordinators = list(session.exec(select(User).where(
        User.role == Role.COORDINATOR, col(User.is_active).is_(True))))
    for inquiry, youth in session.exec(
        select(Inquiry, Youth).join(Youth, col(Youth.id) == Inquiry.youth_id)
        .where(col(Inquiry.id).in_(claimed))
    ):
        ids = [i for i in (youth.buddy_id, youth.coordinator_id) if i is not None]
        people = list(session.exec(select(User).where(
            col(User.id).in_(ids), col(User.is_active).is_(True)))) if ids else []
        if youth.coordinator_id is None:
            people += coordinators
        subject, body = _escalation_text(settings, inquiry)
        for person in {p.id: p for p in people}.values():
            outbox.enqueue(
                session, settings, kind=OutboxKind.INQUIRY_ESCALATED, subject=subject,
                body=body, recipient_email=person.email, recipient_name=person.full_name,
                recipient_user_id=person.id, youth_id=youth.id, now=now,
                dedupe_key=f"inquiry-escalated:{inquiry.id}:{person.id}",
            )
        _event(session, youth.id or 0, None, EventKind.INQUIRY_ESCALATED)
    session.flush()
    return len(claimed)


def _escalation_text(settings: Settings, inquiry: Inquiry) -> tuple[str, str]:
    """No name and no CPR number: the link leads to the case after login."""
    with i18n.locale("da"):
        subject = i18n.gettext("An inquiry has not been acknowledged in time")
        body = "\n\n".join([
            i18n.gettext("An inquiry about a young person you are buddy or coordinator for "
                         "has not been acknowledged within 48 working hours."),
            i18n.gettext("It was due %(when)s.") % {"when": i18n.format_datetime(inquiry.due_at)},
            i18n.gettext("See the case (log in first): %(url)s")
            % {"url": f"{settings.public_base_url}/youths/{inquiry.youth_id}#inquiries"},
        ])
    return subject, body


