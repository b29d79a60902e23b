"""The outbox: write messages in the caller's transaction, send them later, retry.

``enqueue`` adds a message row to the caller's session and never commits: the message is
committed with the change it reports (the request's or the job's unit of work), or not at
all. Its channel's adapter (app.channels) decides at once whether the app sends it
(``pending``) or a person does (``manual``: a letter, a phone call).

``send_due`` is the sender job. It works in short units of work of its own
(``app.db.unit_of_work``), one per step, and holds no transaction while a message is on
its way: it claims due rows with a lease (and ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
concurrent senders take different rows); right before sending each message it renews the
lease on that message with a conditional UPDATE, which fails if another sender took it
after the batch's lease ran out; it hands the message to its channel's adapter and records
the outcome under the same lease token, so a row is sent by one sender only, however slow
the server. A run lasts at most ``BATCH_TIME``. A message refused for good (an SMTP 5xx)
is marked failed at once with the answer; one refused for now waits ``backoff(attempts)``
and is retried until its deadline; a channel whose service cannot be reached sends nothing
more in this run. Failed messages are shown to the organiser, and ``overgang outbox
--retry`` gives them a new deadline.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app import channels
from app.channels import Adapters, Contact, Delivery, Outcome
from app.db import unit_of_work
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
    contact = Contact(recipient_email, values.get("recipient_phone", ""),
                      values.get("recipient_address", ""))
    manual = channels.by_hand(channels.adapters(settings), channel, contact)
    return {
        "message_id": values.pop("message_id", None) or new_message_id(settings),
        "kind": kind, "subject": subject[:200], "body": body, "channel": channel,
        "recipient_email": recipient_email,
        "status": OutboxStatus.MANUAL if manual else OutboxStatus.PENDING,
        "created_at": now, "next_attempt_at": now,
        "deadline_at": now + timedelta(hours=settings.outbox_deadline_hours),
        "attempts": 0, "last_error": "", **values,
    }


def enqueue(session: Session, settings: Settings, **values: Any) -> OutboxMessage:
    """Adds one message to the session (see ``row``); it joins the caller's transaction,
    which commits it with the change it reports."""
    message = OutboxMessage(**row(settings, **values))
    session.add(message)
    return message


def enqueue_once(session: Session, settings: Settings, *, dedupe_key: str,
                 **values: Any) -> bool:
    """Adds one message unless a message with `dedupe_key` exists, also when another process
    adds it at the same moment (INSERT ... ON CONFLICT DO NOTHING on the unique key, so a
    job run twice at once neither sends twice nor fails). True when added; like ``enqueue``
    it joins the caller's transaction."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else (
        sqlite_insert)
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table).values(**row(settings, dedupe_key=dedupe_key, **values))
        .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    )
    return session.execute(statement).first() is not None


# --- the sender -------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    manual: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.sent} sent, {self.retried} to retry, {self.failed} failed"
        return text + (f", {self.manual} for a person to send" if self.manual else "")


@dataclass
class _Run:
    """One run of the sender: its adapters, its end, what it did, the channels that are
    down until the next run."""

    engine: Engine
    adapters: Adapters
    until: float
    result: SendResult = field(default_factory=SendResult)
    down: set[Channel] = field(default_factory=set)

    def over(self) -> bool:
        return time.monotonic() > self.until


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) < now)


def _due(session: Session, now: datetime, limit: int, skip: Collection[Channel]) -> list[int]:
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING,
               col(OutboxMessage.next_attempt_at) <= now, _free(now))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if skip:
        query = query.where(col(OutboxMessage.channel).not_in(skip))
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [i for i in session.exec(query) if i is not None]


def claim(session: Session, now: datetime, limit: int = BATCH,
          skip: Collection[Channel] = ()) -> tuple[str, list[int]]:
    """Takes a lease on up to ``limit`` due messages (none by the channels in ``skip``) in
    the caller's unit of work. Only rows whose lease is free are taken (a conditional
    UPDATE), so two senders never hold the same row."""
    token = str(uuid.uuid4())
    ids = _due(session, now, limit, skip)
    if not ids:
        return token, []
    claimed = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids),
               col(OutboxMessage.status) == OutboxStatus.PENDING, _free(now))
        .values(lease_until=now + LEASE, lease_token=token)
        .returning(col(OutboxMessage.id))
        .execution_options(synchronize_session=False)
    ).scalars().all()
    return token, sorted(claimed)


def _claim_batch(run: _Run, now: datetime, limit: int) -> tuple[str, list[OutboxMessage]]:
    """Claims a batch in a unit of work of its own and reads its messages."""
    with unit_of_work(run.engine) as session:
        token, ids = claim(session, now, limit, run.down)
        messages = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        ).all() if ids else []
    return token, list(messages)


def _take(session: Session, message_id: int, token: str, now: datetime) -> bool:
    """Renews this sender's lease on one message right before sending it: a conditional
    UPDATE that succeeds only while the message is pending and the lease is still ours. If
    the batch's lease ran out and another sender took the message, this sender leaves it
    alone. The lease runs from the wall clock (never before ``now``)."""
    taken = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.lease_token) == token,
               col(OutboxMessage.status) == OutboxStatus.PENDING)
        .values(lease_until=max(now, utcnow()) + LEASE)
        .returning(col(OutboxMessage.id))
        .execution_options(synchronize_session=False)
    ).first()
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


def _record(session: Session, message: OutboxMessage, token: str,
            values: dict[str, Any]) -> None:
    recorded = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id, col(OutboxMessage.lease_token) == token)
        .values(lease_until=None, lease_token=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not recorded:
        log.warning("outbox message %s was sent after its lease ran out; another sender "
                    "may have sent it too", message.message_id)


def _outcome(run: _Run, message: OutboxMessage, delivery: Delivery,
             now: datetime) -> dict[str, Any]:
    """The columns that record ``delivery``, counted in the run's result. A refusal for
    good fails the message at once; any other failure waits ``backoff`` and is retried
    until the message's deadline. The reason is kept for the organiser to read."""
    result = run.result
    if delivery.outcome is Outcome.MANUAL:
        result.manual += 1
        return {"status": OutboxStatus.MANUAL, "last_error": ""}
    attempts = message.attempts + 1
    if delivery.outcome is Outcome.SENT:
        result.sent += 1
        return {"attempts": attempts, "status": OutboxStatus.SENT, "sent_at": utcnow(),
                "last_error": ""}
    if delivery.outcome is Outcome.UNAVAILABLE:
        run.down.add(message.channel)
    retry_at = now + backoff(attempts)
    gave_up = delivery.outcome is Outcome.FAILED or retry_at > message.deadline_at
    result.errors.append(f"{message.message_id}: {delivery.reason[:200]}")
    if gave_up:
        result.failed += 1
    else:
        result.retried += 1
    return {"attempts": attempts, "last_error": delivery.reason[:500],
            "next_attempt_at": retry_at,
            "status": OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING}


def _send_one(run: _Run, message: OutboxMessage, token: str, now: datetime) -> None:
    """Sends one message if its lease is still ours, then records the outcome: the lease
    and the outcome each in a unit of work of their own, and no transaction open while the
    message is on its way."""
    assert message.id is not None
    with unit_of_work(run.engine) as session:
        if not _take(session, message.id, token, now):
            return
    delivery = channels.dispatch(run.adapters, message)
    values = _outcome(run, message, delivery, now)
    with unit_of_work(run.engine) as session:
        _record(session, message, token, values)


def _send_batch(run: _Run, token: str, messages: Sequence[OutboxMessage],
                now: datetime) -> bool:
    """Sends a claimed batch, skipping the channels that went down; False when the run's
    time is up. Gives back whatever it did not send."""
    try:
        for message in messages:
            if run.over():
                return False
            if message.channel not in run.down:
                _send_one(run, message, token, now)
        return True
    finally:
        with unit_of_work(run.engine) as session:
            _release(session, token)


def send_due(engine: Engine, settings: Settings, now: datetime | None = None,
             limit: int = BATCH, adapters: Adapters | None = None) -> SendResult:
    """The sender job: sends every message due at ``now`` through its channel's adapter
    (``channels.adapters(settings)`` unless given), batch by batch, for at most
    ``BATCH_TIME``. A message refused for good fails at once; one refused for now is
    retried later; neither stops the run. A channel whose service is unreachable sends
    nothing more in this run: its messages wait for the next."""
    registered = channels.adapters(settings) if adapters is None else adapters
    run = _Run(engine, registered, time.monotonic() + BATCH_TIME.total_seconds())
    while not run.over():
        now_ = now or utcnow()
        token, messages = _claim_batch(run, now_, limit)
        if not messages or not _send_batch(run, token, messages, now_):
            break
    return run.result


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
    """Puts failed messages (all, or the given ones) back in the queue with a new deadline,
    in the caller's unit of work."""
    now = now or utcnow()
    query = update(OutboxMessage).where(col(OutboxMessage.status) == OutboxStatus.FAILED)
    if ids:
        query = query.where(col(OutboxMessage.id).in_(ids))
    count = session.execute(  # type: ignore[attr-defined]
        query.values(status=OutboxStatus.PENDING, next_attempt_at=now,
                     deadline_at=now + timedelta(hours=settings.outbox_deadline_hours))
        .execution_options(synchronize_session=False)
    ).rowcount
    return int(count or 0)
