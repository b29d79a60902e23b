"""Letters a caseworker sends from a template, and the status updates the communication
agreement asks for.

A letter is rendered for each recipient with the young person's data, goes by the agreed
channel through the outbox, and its copy is the outbox row, shown on the young person's
page. Sending a letter is a status update; a call or a meeting can be recorded as one too.
The communication agreement's frequency then says when the next one is due, and "My tasks"
lists those that are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from app import i18n
from app.domain import letters as rules
from app.domain.caseworker_change import (
    Caseworker,
    Recipient,
    addressed,
    contact_lines,
    letter_channel,
)
from app.domain.communication import INTERVAL, latest_start_due, next_update_due
from app.domain.consent import eighteenth_birthday
from app.domain.letters import TemplateKey
from app.domain.validation import FieldError, refuse_cpr
from app.i18n import N_
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.letter import StatusUpdate
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import User
from app.models.youth import Channel, EventKind, Youth, YouthEvent, YouthStatus
from app.services import audit, letter_templates, outbox, youths
from app.services.access import assigned_to, youth_access
from app.services.caseworker_change import recipients
from app.settings import Settings

COPY_KINDS = (OutboxKind.LETTER, OutboxKind.CASEWORKER_CHANGED)


# --- letters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """One rendered letter: to whom, by which channel (None: no way to reach them)."""

    ref: str  # "youth" or "member:<id>", the form's value for the recipient
    recipient: Recipient
    channel: Channel | None
    subject: str
    body: str


def _ref(recipient: Recipient) -> str:
    return "youth" if recipient.is_youth else f"member:{recipient.member_id}"


def _caseworker(session: Session, youth: Youth, sender: User) -> User:
    coordinator = session.get(User, youth.coordinator_id) if youth.coordinator_id else None
    return coordinator or sender


def render(session: Session, youth: Youth, key: TemplateKey, sender: User, today: date,
           facts: dict[str, str]) -> list[Letter]:
    """The letter for each person it can go to: the young person, and each custody holder
    (until the 18th birthday) or guardian, as for a change of caseworker."""
    subject, body = letter_templates.texts(session, key)
    caseworker = _caseworker(session, youth, sender)
    with i18n.locale("da"):
        common = {
            "fornavn": youth.first_name, "sagsbehandler": caseworker.full_name,
            "kontakt": contact_lines(
                Caseworker(caseworker.full_name, caseworker.email, caseworker.phone)),
            "afsender": sender.full_name,
            "dato_18": i18n.format_date(eighteenth_birthday(youth.birth_date)),
            **facts,
        }
    result = []
    for person in recipients(session, youth, today):
        values = {**common, "modtager": person.name,
                  **addressed(person.is_youth, youth.first_name)}
        result.append(Letter(_ref(person), person, letter_channel(person),
                             rules.render(subject, values), rules.render(body, values)))
    return result


def _written_texts(session: Session, youth: Youth, key: TemplateKey, sender: User,
                   letters: list[Letter]) -> list[tuple[str, str]]:
    """What people wrote that the letters carry, by field: the template (checked when it
    is saved, and again here) and the names and contact details filled in. The facts are
    checked by ``rules.check_facts``; the dates filled in are the app's own."""
    subject, body = letter_templates.texts(session, key)
    caseworker = _caseworker(session, youth, sender)
    people = [youth.first_name, caseworker.full_name, caseworker.email, caseworker.phone,
              sender.full_name]
    for letter in letters:
        people += [letter.recipient.name, letter.recipient.email, letter.recipient.phone,
                   letter.recipient.address]
    return [("template", subject), ("template", body),
            *(("recipients", text) for text in people)]


def send(session: Session, settings: Settings, user: User, youth_id: int, key: TemplateKey,
         chosen: list[str], facts: dict[str, str], today: date) -> list[OutboxMessage]:
    """Sends the letter to the chosen recipients through the outbox, records it as a status
    update and in the history; one transaction. Raises FieldError, also for a CPR-like
    number in anything people wrote (on the field it was written in)."""
    youth = youths.get_visible(session, user, youth_id)
    if key not in rules.MANUAL:
        raise FieldError(N_("Choose a letter from the list."), field="template")
    facts = rules.check_facts(key, facts)
    wanted = [letter for letter in render(session, youth, key, user, today, facts)
              if letter.ref in chosen and letter.channel is not None]
    if not wanted:
        raise FieldError(N_("Choose at least one person to send the letter to."),
                         field="recipients")
    refuse_cpr(_written_texts(session, youth, key, user, wanted))
    messages = []
    for letter in wanted:
        person, channel = letter.recipient, letter.channel
        messages.append(outbox.enqueue(
            session, settings, kind=OutboxKind.LETTER, youth_id=youth.id, channel=channel,
            recipient_name=person.name,
            recipient_email=person.email if channel is Channel.EMAIL else None,
            recipient_address=person.address if channel is Channel.LETTER else "",
            recipient_phone=person.phone, subject=letter.subject, body=letter.body,
            created_by_id=user.id,
        ))
    session.flush()
    first = messages[0]
    session.add(StatusUpdate(youth_id=youth_id, given_at=utcnow(), channel=first.channel,
                             note=first.subject[:500], outbox_message_id=first.id,
                             created_by_id=user.id))
    session.add(YouthEvent(youth_id=youth_id, actor_id=user.id, kind=EventKind.LETTER_SENT,
                           detail=first.subject[:500]))
    audit.record(session, AuditAction.CREATE, user_id=user.id, object_type="letter",
                 object_id=key.value, youth_id=youth_id)
    session.flush()
    return messages


def copies(session: Session, youth_id: int) -> list[OutboxMessage]:
    """The letters sent to the young person and the family, newest first."""
    return list(session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.youth_id == youth_id, col(OutboxMessage.kind).in_(COPY_KINDS))
        .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
        .limit(100)
    ))


def copy(session: Session, user: User, youth_id: int, message_id: int) -> OutboxMessage:
    """One letter's copy, for someone who may see the young person."""
    youths.get_visible(session, user, youth_id)
    message = session.get(OutboxMessage, message_id)
    if message is None or message.youth_id != youth_id or message.kind not in COPY_KINDS:
        raise youths.YouthNotFoundError(youth_id)
    return message


# --- status updates -----------------------------------------------------------------------


def record_status_update(session: Session, user: User, youth_id: int, channel: Channel,
                         note: str, given_at: datetime) -> StatusUpdate:
    """A call, a meeting or a letter outside the app that gave the family news."""
    youths.get_visible(session, user, youth_id)
    row = StatusUpdate(youth_id=youth_id, given_at=given_at, channel=channel, note=note,
                       created_by_id=user.id)
    session.add(row)
    session.add(YouthEvent(youth_id=youth_id, actor_id=user.id,
                           kind=EventKind.STATUS_UPDATE_GIVEN, detail=note[:500]))
    audit.record(session, AuditAction.CREATE, user_id=user.id, object_type="status_update",
                 youth_id=youth_id)
    session.flush()
    return row


def last_status_update(session: Session, youth_id: int) -> StatusUpdate | None:
    return session.exec(
        select(StatusUpdate).where(StatusUpdate.youth_id == youth_id)
        .order_by(col(StatusUpdate.given_at).desc(), col(StatusUpdate.id).desc())
    ).first()


def update_due_on(youth: Youth, last_given: datetime | None, settings: Settings) -> date | None:
    """When the next status update is due under the agreement (None: only on change, or
    the case is no longer active)."""
    if youth.status is not YouthStatus.ACTIVE:
        return None
    since = last_given or youth.created_at
    return next_update_due(youth.comm_frequency, since.astimezone(settings.tz).date())


@dataclass(frozen=True)
class UpdateTask:
    youth: Youth
    due_on: date
    last_given: datetime | None


def updates_due_for(session: Session, settings: Settings, user: User, today: date,
                    limit: int = 200) -> list[UpdateTask]:
    """The young people the user is assigned to whose family should hear news by today, the
    longest due first, at most `limit` (one more tells the page there are more).

    Per frequency the due day grows with the day counted from, so the `limit` + 1 counted
    from earliest of each frequency hold the `limit` + 1 due first; the database picks them
    with a margin of a few days (months have different lengths, the day is the local one)
    and the agreement's own rule decides."""
    latest, since = _counted_from()
    # What the rule and the page read of the young person.
    shown = load_only(*(getattr(Youth, name) for name in (
        "first_name", "last_name", "status", "comm_frequency", "comm_channel",
        "plain_language", "created_at")))
    tasks = []
    for frequency, interval in INTERVAL.items():
        margin = datetime.combine(today - interval + timedelta(days=4), time(), settings.tz)
        rows: Any = session.execute(
            select(Youth, latest)
            .options(shown)
            .where(col(Youth.status) == YouthStatus.ACTIVE,
                   col(Youth.comm_frequency) == frequency, since < margin.astimezone(UTC),
                   assigned_to(user), youth_access(user))
            .order_by(since, col(Youth.id))
            .limit(limit + 1)
        )
        for youth, given_at in rows:
            due = update_due_on(youth, given_at, settings)
            if due is not None and due <= today:
                tasks.append(UpdateTask(youth, due, given_at))
    tasks.sort(key=lambda task: (task.due_on, task.youth.last_name, task.youth.first_name))
    return tasks[:limit + 1]


def _counted_from() -> tuple[Any, Any]:
    """The latest status update given to the young person (a correlated subquery), and the
    moment the agreement counts from: that, or before the first the case's creation."""
    latest = (select(func.max(StatusUpdate.given_at))
              .where(col(StatusUpdate.youth_id) == Youth.id)
              .correlate(Youth).scalar_subquery())
    return latest, func.coalesce(latest, col(Youth.created_at))


def updates_due_count(settings: Settings, user: User, today: date) -> Any:
    """A SELECT of how many status updates `updates_due_for` has in all: per frequency, those
    counted from a local day no later than the latest that is due by today."""
    _latest, since = _counted_from()
    due = []
    for frequency in INTERVAL:
        last = latest_start_due(frequency, today)
        if last is not None:
            before = datetime.combine(last + timedelta(days=1), time(), settings.tz)
            due.append(and_(col(Youth.comm_frequency) == frequency,
                            since < before.astimezone(UTC)))
    return (select(func.count()).select_from(Youth)
            .where(col(Youth.status) == YouthStatus.ACTIVE, or_(*due),
                   assigned_to(user), youth_access(user)))

