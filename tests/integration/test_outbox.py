"""The outbox: messages wait in the database, are sent by the job through a real SMTP
server, and are retried with backoff when the server is away; none is lost or sent twice."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.clock import now as clock_now
from app.db import new_session, unit_of_work
from app.models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from app.models.youth import Channel
from app.services import outbox
from app.settings import MailBackend
from tests.conftest import login, make_settings
from tests.integration.test_meeting_pages import _form, _setup
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


def _queue(session, settings, count: int, now: datetime = NOW,
           to: str = "m{i}@kommune.example") -> list[OutboxMessage]:
    messages = [
        outbox.enqueue(session, settings, kind=OutboxKind.FLAGGED, subject=f"Besked {i}",
                       body=f"Tekst nummer {i} med æøå.", recipient_email=to.format(i=i),
                       recipient_name=f"Modtager {i}", now=now)
        for i in range(count)
    ]
    session.commit()
    return messages


def test_backoff_doubles_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(30) == timedelta(hours=1)


def test_a_message_is_delivered_through_smtp_with_its_stable_message_id(
        session, engine, smtp_settings, smtp):
    smtp.start()
    [message] = _queue(session, smtp_settings, 1)
    result = outbox.send_due(engine, smtp_settings, NOW)
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
        session, engine, smtp_settings, smtp):
    messages = _queue(session, smtp_settings, 5)
    down = outbox.send_due(engine, smtp_settings, NOW)  # nobody listens on the port
    assert down.sent == 0 and down.retried >= 1 and down.errors
    session.expire_all()
    rows = session.exec(select(OutboxMessage)).all()
    assert all(r.status is OutboxStatus.PENDING for r in rows)
    assert all(r.lease_until is None for r in rows)
    failed = [r for r in rows if r.attempts == 1]
    assert failed and all(r.next_attempt_at == NOW + timedelta(minutes=1) for r in failed)
    assert all("ConnectionRefusedError" in r.last_error for r in failed)

    # Too early for the retry: nothing is tried.
    assert outbox.send_due(engine, smtp_settings, NOW + timedelta(seconds=30)).sent == 0

    smtp.start()
    later = NOW + timedelta(minutes=2)
    up = outbox.send_due(engine, smtp_settings, later)
    assert up.sent == 5 and up.retried == 0
    again = outbox.send_due(engine, smtp_settings, later + timedelta(hours=1))
    assert again.sent == 0
    ids = sorted(str(m["Message-ID"]) for m in smtp.messages)
    assert ids == sorted(m.message_id for m in messages)  # every one, none twice


def test_a_message_that_keeps_failing_is_marked_failed_at_its_deadline_and_can_be_retried(
        session, engine, smtp_settings, smtp):
    [message] = _queue(session, smtp_settings, 1)
    moment = NOW
    for _ in range(100):
        outbox.send_due(engine, smtp_settings, moment)
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
    session.commit()
    assert outbox.send_due(engine, smtp_settings, retry_at).sent == 1
    assert len(smtp.inbox.received) == 1


def _claim(engine, now: datetime, limit: int) -> list[int]:
    with unit_of_work(engine) as session:
        return outbox.claim(session, now, limit=limit)[1]


def test_two_senders_never_claim_the_same_message(session, engine, settings):
    _queue(session, settings, 6)
    first = _claim(engine, NOW, 4)
    second = _claim(engine, NOW, 4)
    assert len(first) == 4 and len(second) == 2
    assert not set(first) & set(second)
    # After the lease runs out, a crashed sender's messages are taken again.
    third = _claim(engine, NOW + outbox.LEASE + timedelta(seconds=1), 10)
    assert sorted(third) == sorted(first + second)


def test_letters_wait_for_a_person_and_are_never_e_mailed(session, engine, settings):
    letter = outbox.enqueue(session, settings, kind=OutboxKind.CASEWORKER_CHANGED,
                            subject="Ny sagsbehandler", body="Brev", recipient_email=None,
                            channel=Channel.LETTER, recipient_address="Vej 1, 4000 Roskilde",
                            now=NOW)
    session.commit()
    assert letter.status is OutboxStatus.MANUAL
    assert outbox.send_due(engine, settings, NOW).sent == 0


def test_the_file_backend_writes_one_eml_per_message(session, engine, settings):
    [message] = _queue(session, settings, 1)
    assert outbox.send_due(engine, settings, NOW).sent == 1
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


def _pending(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return len(session.exec(select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.PENDING)).all())


def test_two_senders_and_a_slow_server_deliver_every_message_once(
        session, engine, smtp_settings, smtp, monkeypatch):
    """A batch takes longer than its lease (here 2 s of lease, 0.3 s per message): the
    second sender takes over the messages the first has not reached, and the first, which
    checks its lease on each message right before sending it, leaves those alone."""
    monkeypatch.setattr(outbox, "LEASE", timedelta(seconds=2))
    smtp.inbox.delay = 0.3
    smtp.start()
    messages = _queue(session, smtp_settings, 16, now=clock_now())
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with new_session(engine) as own:
                for _ in range(600):
                    outbox.send_due(engine, smtp_settings)
                    if not _pending(own):
                        return
                    time.sleep(0.05)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    senders = [threading.Thread(target=sender) for _ in range(2)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()

    assert errors == []
    received = [str(m["Message-ID"]) for m in smtp.messages]
    duplicates = len(received) - len(set(received))  # counted at the receiving server
    assert duplicates == 0
    assert sorted(received) == sorted(m.message_id for m in messages)
    assert _pending(session) == 0


REFUSED = "550 5.1.1 <nobody@kommune.example>: Recipient address rejected: User unknown"
BUSY = "451 4.3.0 Mailbox busy, try again later"


def test_a_permanent_refusal_fails_at_once_with_the_answer_and_the_run_goes_on(
        session, engine, smtp_settings, smtp):
    smtp.inbox.refusals = {"nobody@kommune.example": REFUSED, "busy@kommune.example": BUSY}
    smtp.start()
    [refused] = _queue(session, smtp_settings, 1, to="nobody@kommune.example")
    [busy] = _queue(session, smtp_settings, 1, to="busy@kommune.example")
    others = _queue(session, smtp_settings, 3)

    result = outbox.send_due(engine, smtp_settings, NOW, limit=2)

    assert (result.sent, result.failed, result.retried) == (3, 1, 1)
    assert sorted(str(m["Message-ID"]) for m in smtp.messages) == sorted(
        m.message_id for m in others)
    session.refresh(refused)
    assert refused.status is OutboxStatus.FAILED and refused.attempts == 1
    # The server's answer, without the address (the lists that show it never print one).
    assert refused.last_error == (
        "550 5.1.1 <…>: Recipient address rejected: User unknown")
    session.refresh(busy)
    assert busy.status is OutboxStatus.PENDING and busy.attempts == 1
    assert busy.next_attempt_at == NOW + timedelta(minutes=1)
    assert busy.last_error == BUSY


def test_the_organiser_reads_the_servers_answer_in_my_tasks(
        client, session, engine, settings, smtp, tmp_path):
    _worker, youth, member = _setup(session, settings)
    smtp.inbox.refusals = {youth.email: f"550 5.1.1 <{youth.email}>: User unknown"}
    smtp.start()
    token = login(client, "mette")
    planned = client.post(f"/youths/{youth.id}/meetings/new", data=_form(token, member))
    assert planned.status_code == 303, planned.text
    smtp_settings = make_settings(tmp_path, settings.database_url,
                                  mail_backend=MailBackend.SMTP, smtp_url=smtp.url)

    result = outbox.send_due(engine, smtp_settings)

    assert result.failed == 1
    page = client.get("/tasks").text
    assert "Beskeder om dine møder, der ikke kunne sendes" in page
    assert "Årsag: 550 5.1.1 &lt;…&gt;: User unknown" in page
    assert youth.email not in page
