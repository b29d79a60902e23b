"""The outbox: messages wait in the database, are sent by the job through a real SMTP
server, and are retried with backoff when the server is away; none is lost or sent twice."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from app.models.youth import Channel
from app.services import outbox
from app.settings import MailBackend
from tests.conftest import make_settings
from tests.smtp import SmtpServer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, smtp, tmp_path):
    return make_settings(tmp_path, settings.database_url, mail_backend=MailBackend.SMTP,
                         smtp_url=smtp.url)


def _queue(session, settings, count: int) -> list[OutboxMessage]:
    messages = [
        outbox.enqueue(session, settings, kind=OutboxKind.FLAGGED, subject=f"Besked {i}",
                       body=f"Tekst nummer {i} med æøå.", recipient_email=f"m{i}@kommune.example",
                       recipient_name=f"Modtager {i}", now=NOW)
        for i in range(count)
    ]
    session.commit()
    return messages


def test_backoff_doubles_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(30) == timedelta(hours=1)


def test_a_message_is_delivered_through_smtp_with_its_stable_message_id(
        session, smtp_settings, smtp):
    smtp.start()
    [message] = _queue(session, smtp_settings, 1)
    result = outbox.send_due(session, smtp_settings, NOW)
    assert result.sent == 1
    [received] = smtp.inbox.received
    assert received.envelope_to == ["m0@kommune.example"]
    email = received.message
    assert email["Message-ID"] == message.message_id
    assert email["Subject"] == "Besked 0"
    assert "æøå" in email.get_content()
    session.refresh(message)
    assert message.status is OutboxStatus.SENT and message.sent_at is not None


def test_messages_wait_while_smtp_is_down_and_each_arrives_once_when_it_returns(
        session, smtp_settings, smtp):
    messages = _queue(session, smtp_settings, 5)
    down = outbox.send_due(session, smtp_settings, NOW)  # nobody listens on the port
    assert down.sent == 0 and down.retried >= 1 and down.errors
    session.expire_all()
    rows = session.exec(select(OutboxMessage)).all()
    assert all(r.status is OutboxStatus.PENDING for r in rows)
    assert all(r.lease_until is None for r in rows)
    failed = [r for r in rows if r.attempts == 1]
    assert failed and all(r.next_attempt_at == NOW + timedelta(minutes=1) for r in failed)
    assert all("ConnectionRefusedError" in r.last_error for r in failed)

    # Too early for the retry: nothing is tried.
    assert outbox.send_due(session, smtp_settings, NOW + timedelta(seconds=30)).sent == 0

    smtp.start()
    later = NOW + timedelta(minutes=2)
    up = outbox.send_due(session, smtp_settings, later)
    assert up.sent == 5 and up.retried == 0
    again = outbox.send_due(session, smtp_settings, later + timedelta(hours=1))
    assert again.sent == 0
    ids = sorted(str(m["Message-ID"]) for m in smtp.messages)
    assert ids == sorted(m.message_id for m in messages)  # every one, none twice


def test_a_message_that_keeps_failing_is_marked_failed_at_its_deadline_and_can_be_retried(
        session, smtp_settings, smtp):
    [message] = _queue(session, smtp_settings, 1)
    moment = NOW
    for _ in range(100):
        outbox.send_due(session, smtp_settings, moment)
        session.refresh(message)
        if message.status is OutboxStatus.FAILED:
            break
        moment = message.next_attempt_at
    assert message.status is OutboxStatus.FAILED
    assert message.attempts > 5
    assert moment <= message.deadline_at
    assert outbox.listing(session, status=OutboxStatus.FAILED)[0].id == message.id

    smtp.start()
    retry_at = message.deadline_at + timedelta(hours=1)
    assert outbox.retry(session, smtp_settings, now=retry_at) == 1
    assert outbox.send_due(session, smtp_settings, retry_at).sent == 1
    assert len(smtp.inbox.received) == 1


def test_two_senders_never_claim_the_same_message(session, engine, settings):
    from app.db import new_session

    _queue(session, settings, 6)
    with new_session(engine) as other:
        _, first = outbox.claim(session, NOW, limit=4)
        _, second = outbox.claim(other, NOW, limit=4)
    assert len(first) == 4 and len(second) == 2
    assert not set(first) & set(second)
    # After the lease runs out, a crashed sender's messages are taken again.
    _, third = outbox.claim(session, NOW + outbox.LEASE + timedelta(seconds=1), limit=10)
    assert sorted(third) == sorted(first + second)


def test_letters_wait_for_a_person_and_are_never_e_mailed(session, settings):
    letter = outbox.enqueue(session, settings, kind=OutboxKind.CASEWORKER_CHANGED,
                            subject="Ny sagsbehandler", body="Brev", recipient_email=None,
                            channel=Channel.LETTER, recipient_address="Vej 1, 4000 Roskilde",
                            now=NOW)
    session.commit()
    assert letter.status is OutboxStatus.MANUAL
    assert outbox.send_due(session, settings, NOW).sent == 0


def test_the_file_backend_writes_one_eml_per_message(session, settings):
    [message] = _queue(session, settings, 1)
    assert outbox.send_due(session, settings, NOW).sent == 1
    files = list(settings.outbox_dir.glob("*.eml"))
    assert len(files) == 1 and message.message_id.strip("<>") in files[0].name


def test_the_outbox_command_lists_and_retries(session, settings, smtp_settings):
    [message] = _queue(session, settings, 1)
    message.status = OutboxStatus.FAILED
    message.last_error = "SMTPServerDisconnected: gone"
    session.add(message)
    session.commit()
    env = {"DATABASE_URL": settings.database_url, "DATA_DIR": str(settings.data_dir),
           "SECRET_KEY": "x" * 40, "PATH": "/usr/bin:/bin"}
    listed = subprocess.run([sys.executable, "-m", "app.cli", "outbox", "--status", "failed"],
                            capture_output=True, text=True, env=env, check=True)
    assert message.message_id in listed.stdout and "SMTPServerDisconnected" in listed.stdout
    assert "m0@kommune.example" not in listed.stdout
    retried = subprocess.run([sys.executable, "-m", "app.cli", "outbox", "--retry", "--send"],
                             capture_output=True, text=True, env=env, check=True)
    assert "1 failed message(s) queued again." in retried.stdout
    assert "1 sent" in retried.stdout
    session.refresh(message)
    assert message.status is OutboxStatus.SENT
