"""The outbox: write messages in the caller's transaction, send them later, retry.

``enqueue`` adds a message row to the caller's session; it is committed with the change it
reports, or not at all. ``send_due`` is the sender job: it claims due rows with a lease
(and ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent senders take different rows),
commits the claim, and right before sending each message renews the lease on that message
with a conditional UPDATE, which fails if another sender took it after the batch's lease
ran out; it records the outcome under the same lease token, so a row is sent by one sender
only, however slow the server. A run lasts at most ``BATCH_TIME``. A message the server
refuses for good (5xx) is marked failed at once with the server's answer; any other failure
waits ``backoff(attempts)`` and is retried until the message's deadline. Failed messages
are shown to the organiser, and ``overgang outbox --retry`` gives them a new deadline.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default
from email.utils import format_datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app import mail
from app.models.base import utcnow
from app.models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from app.models.youth import Channel
from app.settings import Settings

log = logging.getLogger("overgang.outbox")
# A sender's hold on a message: taken for a batch, renewed right before each message is
# sent (an SMTP exchange times out after mail.SMTP_TIMEOUT_SECONDS per step).
LEASE = timedelta(minutes=5)
BATCH = 50
# A run stops taking messages after this long and gives back the rest of its batch, so
# leases do not run out while a slow server keeps it busy.
BATCH_TIME = timedelta(minutes=2)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, ... minutes, at most an
    hour."""
    wait: timedelta = FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 10))
    return min(wait, MAX_RETRY)


def new_message_id(settings: Settings) -> str:
    domain = settings.mail_from.rpartition("@")[2] or "overgang.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def row(settings: Settings, *, kind: OutboxKind, subject: str, body: str,
        recipient_email: str | None, now: datetime | None = None,
        channel: Channel = Channel.EMAIL, **values: Any) -> dict[str, Any]:
    """The column values of a new message, for callers that insert many rows at once."""
    now = now or utcnow()
    by_email = channel is Channel.EMAIL and bool(recipient_email)
    return {
        "message_id": values.pop("message_id", None) or new_message_id(settings),
        "kind": kind, "subject": subject[:200], "body": body, "channel": channel,
        "recipient_email": recipient_email,
        "status": OutboxStatus.PENDING if by_email else OutboxStatus.MANUAL,
        "created_at": now, "next_attempt_at": now,
        "deadline_at": now + timedelta(hours=settings.outbox_deadline_hours),
        "attempts": 0, "last_error": "", **values,
    }


def enqueue(session: Session, settings: Settings, **values: Any) -> OutboxMessage:
    """Adds one message to the session (see ``row``); the caller commits."""
    message = OutboxMessage(**row(settings, **values))
    session.add(message)
    return message


def enqueue_once(session: Session, settings: Settings, *, dedupe_key: str,
                 **values: Any) -> bool:
    """Adds one message unless a message with `dedupe_key` exists, also when another process
    adds it at the same moment (INSERT ... ON CONFLICT DO NOTHING on the unique key, so a
    job run twice at once neither sends twice nor fails). True when added; the caller
    commits."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else (
        sqlite_insert)
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table).values(**row(settings, dedupe_key=dedupe_key, **values))
        .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    )
    return session.execute(statement).first() is not None


def plain_message(settings: Settings, message: OutboxMessage) -> EmailMessage:
    """A plain-text e-mail from a row without a stored MIME message."""
    email = EmailMessage(policy=SMTP)
    email["From"] = Address(settings.mail_from_name, addr_spec=settings.mail_from)
    email["To"] = Address(message.recipient_name, addr_spec=message.recipient_email or "")
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email.set_content(message.body, charset="utf-8", cte="quoted-printable")
    return email


def as_email(settings: Settings, message: OutboxMessage) -> EmailMessage:
    if message.mime:
        parsed = BytesParser(policy=default).parsebytes(message.mime.encode("utf-8"))
        assert isinstance(parsed, EmailMessage)
        return parsed
    return plain_message(settings, message)


# --- the sender -------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} failed"


def _due(session: Session, now: datetime, limit: int) -> list[int]:
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING,
               col(OutboxMessage.next_attempt_at) <= now,
               or_(col(OutboxMessage.lease_until).is_(None),
                   col(OutboxMessage.lease_until) < now))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [i for i in session.exec(query) if i is not None]


def claim(session: Session, now: datetime, limit: int = BATCH) -> tuple[str, list[int]]:
    """Takes a lease on up to ``limit`` due messages and commits it. Only rows whose lease
    is free are taken (a conditional UPDATE), so two senders never hold the same row."""
    token = str(uuid.uuid4())
    ids = _due(session, now, limit)
    if not ids:
        session.rollback()
        return token, []
    claimed = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids),
               col(OutboxMessage.status) == OutboxStatus.PENDING,
               or_(col(OutboxMessage.lease_until).is_(None),
                   col(OutboxMessage.lease_until) < now))
        .values(lease_until=now + LEASE, lease_token=token)
        .returning(col(OutboxMessage.id))
        .execution_options(synchronize_session=False)
    ).scalars().all()
    session.commit()
    return token, sorted(claimed)


def _take(session: Session, message_id: int, token: str, now: datetime) -> bool:
    """Renews this sender's lease on one message right before sending it and commits: a
    conditional UPDATE that succeeds only while the message is pending and the lease is
    still ours. If the batch's lease ran out and another sender took the message, this
    sender leaves it alone. The lease runs from the wall clock (never before ``now``)."""
    taken = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.lease_token) == token,
               col(OutboxMessage.status) == OutboxStatus.PENDING)
        .values(lease_until=max(now, utcnow()) + LEASE)
        .returning(col(OutboxMessage.id))
        .execution_options(synchronize_session=False)
    ).first()
    session.commit()
    return taken is not None


def _release(session: Session, token: str) -> None:
    """Gives back the messages of a batch this sender did not get to."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.lease_token) == token,
               col(OutboxMessage.status) == OutboxStatus.PENDING)
        .values(lease_until=None, lease_token=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _record(session: Session, message: OutboxMessage, token: str,
            values: dict[str, Any]) -> None:
    recorded = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id, col(OutboxMessage.lease_token) == token)
        .values(lease_until=None, lease_token=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    if not recorded:
        log.warning("outbox message %s was sent after its lease ran out; another sender "
                    "may have sent it too", message.message_id)


def _failed(session: Session, message: OutboxMessage, token: str, now: datetime,
            error: mail.MailError, result: SendResult) -> None:
    """A permanent refusal fails the message at once; otherwise it waits ``backoff`` and is
    retried until its deadline. The answer is kept for the organiser to read."""
    attempts = message.attempts + 1
    retry_at = now + backoff(attempts)
    gave_up = error.failure is mail.Failure.PERMANENT or retry_at > message.deadline_at
    _record(session, message, token, {
        "attempts": attempts, "last_error": str(error)[:500], "next_attempt_at": retry_at,
        "status": OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
    })
    result.errors.append(f"{message.message_id}: {str(error)[:200]}")
    if gave_up:
        result.failed += 1
    else:
        result.retried += 1


def send_one(session: Session, settings: Settings, message: OutboxMessage, token: str,
             now: datetime, result: SendResult) -> bool:
    """Sends one message and records the outcome; False when the server failed, so the run
    should stop and leave the rest for later."""
    assert message.id is not None
    try:
        mail.send(as_email(settings, message), settings)
    except mail.MailError as exc:
        _failed(session, message, token, now, exc, result)
        return exc.failure is not mail.Failure.SERVER
    _record(session, message, token, {
        "attempts": message.attempts + 1, "status": OutboxStatus.SENT, "sent_at": utcnow(),
        "last_error": "",
    })
    result.sent += 1
    return True


def _send_batch(session: Session, settings: Settings, token: str, ids: list[int],
                now: datetime, result: SendResult, until: float) -> bool:
    """Sends a claimed batch, each message only if its lease is still ours just before;
    False when the run should stop (the server failed, or the run's time is up)."""
    messages = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .execution_options(populate_existing=True)
    ).all()
    try:
        for message in messages:
            assert message.id is not None
            if time.monotonic() > until:
                return False
            if _take(session, message.id, token, now) and not send_one(
                    session, settings, message, token, now, result):
                return False
        return True
    finally:
        _release(session, token)


def send_due(session: Session, settings: Settings, now: datetime | None = None,
             limit: int = BATCH) -> SendResult:
    """The sender job: sends every message due at ``now``, batch by batch, for at most
    ``BATCH_TIME``. A message refused for good fails at once; one refused for now is retried
    later; neither stops the run. A failing server does: the rest waits for the next run."""
    result = SendResult()
    until = time.monotonic() + BATCH_TIME.total_seconds()
    while time.monotonic() < until:
        now_ = now or utcnow()
        token, ids = claim(session, now_, limit)
        if not ids or not _send_batch(session, settings, token, ids, now_, result, until):
            break
    return result


# --- listing and retrying (the CLI, the meeting page) -----------------------------------------


def listing(session: Session, *, status: OutboxStatus | None = None,
            meeting_id: int | None = None, limit: int = 100) -> Sequence[OutboxMessage]:
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if meeting_id is not None:
        query = query.where(OutboxMessage.meeting_id == meeting_id)
    return session.exec(query.order_by(col(OutboxMessage.id).desc()).limit(limit)).all()


def retry(session: Session, settings: Settings, ids: Sequence[int] | None = None,
          now: datetime | None = None) -> int:
    """Puts failed messages (all, or the given ones) back in the queue with a new deadline."""
    now = now or utcnow()
    query = update(OutboxMessage).where(col(OutboxMessage.status) == OutboxStatus.FAILED)
    if ids:
        query = query.where(col(OutboxMessage.id).in_(ids))
    count = session.execute(  # type: ignore[attr-defined]
        query.values(status=OutboxStatus.PENDING, next_attempt_at=now,
                     deadline_at=now + timedelta(hours=settings.outbox_deadline_hours))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return int(count or 0)
