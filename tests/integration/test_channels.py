"""The outbox sends each message through its channel's adapter: a new channel (here SMS,
which the app has no adapter for yet) is one class and one registration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app import channels
from app.channels import Contact, Delivery, Outcome
from app.models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from app.models.youth import Channel
from app.services import outbox

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REFUSED = "+45 99 99 99 99"


@dataclass
class TextMessages:
    """An SMS adapter that keeps what it sends; the gateway refuses one number for good,
    or, when ``down``, cannot be reached at all."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    attempts: int = 0
    down: bool = False

    def sends(self, contact: Contact) -> bool:
        return bool(contact.phone)

    def deliver(self, message: OutboxMessage) -> Delivery:
        self.attempts += 1
        if self.down:
            return Delivery(Outcome.UNAVAILABLE, "ConnectionRefusedError: the gateway")
        if message.recipient_phone == REFUSED:
            return Delivery(Outcome.FAILED, "400 Number does not exist")
        self.sent.append((message.recipient_phone, message.body))
        return Delivery(Outcome.SENT)


def _message(session, settings, channel: Channel, i: int = 0, **values) -> OutboxMessage:
    return outbox.enqueue(session, settings, kind=OutboxKind.LETTER, subject=f"Besked {i}",
                          body=f"Tekst {i}", channel=channel, recipient_name=f"Modtager {i}",
                          now=NOW, **values)


def _sms(session, settings, i: int = 0, phone: str = "+45 12 34 56 78") -> OutboxMessage:
    return _message(session, settings, Channel.SMS, i, recipient_email=None,
                    recipient_phone=phone)


def _email(session, settings, i: int = 0) -> OutboxMessage:
    return _message(session, settings, Channel.EMAIL, i,
                    recipient_email=f"m{i}@kommune.example")


def _with_sms(settings, adapter: TextMessages) -> channels.Adapters:
    return {**channels.adapters(settings), Channel.SMS: adapter}


def test_each_message_goes_through_the_adapter_of_its_channel(session, engine, settings):
    sms = _sms(session, settings)
    refused = _sms(session, settings, 1, phone=REFUSED)
    email = _email(session, settings, 2)
    letter = _message(session, settings, Channel.LETTER, 3, recipient_email=None,
                      recipient_address="Vej 1, 4000 Roskilde")
    session.commit()
    assert (sms.status, email.status, letter.status) == (
        OutboxStatus.PENDING, OutboxStatus.PENDING, OutboxStatus.MANUAL)
    adapter = TextMessages()

    result = outbox.send_due(engine, settings, NOW, adapters=_with_sms(settings, adapter))

    assert (result.sent, result.failed, result.retried) == (2, 1, 0)
    assert adapter.sent == [("+45 12 34 56 78", "Tekst 0")]
    [eml] = settings.outbox_dir.glob("*.eml")
    assert email.message_id.strip("<>") in eml.name
    for message in (sms, refused, email, letter):
        session.refresh(message)
    assert sms.status is OutboxStatus.SENT and email.status is OutboxStatus.SENT
    assert refused.status is OutboxStatus.FAILED
    assert refused.last_error == "400 Number does not exist"
    assert letter.status is OutboxStatus.MANUAL and letter.attempts == 0


def test_a_message_by_a_channel_without_an_adapter_fails_and_says_why(
        session, engine, settings):
    sms = _sms(session, settings)
    email = _email(session, settings, 1)
    session.commit()

    result = outbox.send_due(engine, settings, NOW)

    assert (result.sent, result.failed) == (1, 1)
    session.refresh(sms)
    assert sms.status is OutboxStatus.FAILED
    assert sms.last_error == "No channel adapter sends sms messages."
    session.refresh(email)
    assert email.status is OutboxStatus.SENT


def test_a_channel_that_cannot_be_reached_does_not_hold_back_the_others(
        session, engine, settings):
    texts = [_sms(session, settings, i) for i in range(3)]
    emails = [_email(session, settings, i) for i in range(3, 6)]
    session.commit()
    adapter = TextMessages(down=True)

    result = outbox.send_due(engine, settings, NOW, adapters=_with_sms(settings, adapter))

    assert (result.sent, result.retried, result.failed) == (3, 1, 0)
    assert adapter.attempts == 1  # the first text message; the rest wait for the next run
    first, *rest = texts
    session.refresh(first)
    assert first.status is OutboxStatus.PENDING and first.attempts == 1
    assert first.next_attempt_at == NOW + timedelta(minutes=1)
    assert first.last_error == "ConnectionRefusedError: the gateway"
    for message in rest:
        session.refresh(message)
        assert message.status is OutboxStatus.PENDING and message.attempts == 0
        assert message.lease_until is None
    for message in emails:
        session.refresh(message)
        assert message.status is OutboxStatus.SENT
