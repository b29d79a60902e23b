"""E-mail, the first channel adapter: through the backend MAIL_BACKEND chooses (app.mail)."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default
from email.utils import format_datetime

from app import mail
from app.channels.base import Contact, Delivery, Outcome
from app.models.outbox import OutboxMessage
from app.settings import Settings

_OUTCOME = {
    mail.Failure.SERVER: Outcome.UNAVAILABLE,
    mail.Failure.TEMPORARY: Outcome.RETRY,  # 4xx
    mail.Failure.PERMANENT: Outcome.FAILED,  # 5xx
}


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
    """The e-mail of a row: its stored MIME message (an invite with its calendar) or a
    plain-text one from its subject and body."""
    if message.mime:
        parsed = BytesParser(policy=default).parsebytes(message.mime.encode("utf-8"))
        assert isinstance(parsed, EmailMessage)
        return parsed
    return plain_message(settings, message)


class EmailChannel:
    """Sends a message to its e-mail address; without one, a person sends it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def sends(self, contact: Contact) -> bool:
        return bool(contact.email)

    def deliver(self, message: OutboxMessage) -> Delivery:
        try:
            mail.send(as_email(self.settings, message), self.settings)
        except mail.MailError as exc:
            return Delivery(_OUTCOME[exc.failure], str(exc))
        return Delivery(Outcome.SENT)
