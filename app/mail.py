"""The e-mail channel's backends (app.channels.email): file (default), smtp, console."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import getaddresses
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

from app.settings import MailBackend, Settings

log = logging.getLogger("overgang.mail")
SMTP_TIMEOUT_SECONDS = 20


class Failure(StrEnum):
    """What a failed attempt says about the message and the server."""

    SERVER = "server"  # the server or the connection failed: retry later, stop this run
    TEMPORARY = "temporary"  # this message was refused for now (4xx): retry it, go on
    PERMANENT = "permanent"  # this message was refused for good (5xx): do not retry it


class MailError(Exception):
    """Sending failed. The text is the server's answer (code and words, the recipient's
    address left out) or the connection's error."""

    def __init__(self, text: str, failure: Failure = Failure.SERVER) -> None:
        super().__init__(text)
        self.failure = failure


def send(message: EmailMessage, settings: Settings) -> None:
    if settings.mail_backend is MailBackend.FILE:
        _send_file(message, settings.outbox_dir)
    elif settings.mail_backend is MailBackend.SMTP:
        _send_smtp(message, settings.smtp_url)
    else:
        log.info("mail to=%s subject=%s", message["To"], message["Subject"])


def _send_file(message: EmailMessage, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    message_id = str(message["Message-ID"] or "message").strip("<>").replace("/", "_")
    target = directory / f"{message_id}.eml"
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(bytes(message))
    tmp.replace(target)


def _send_smtp(message: EmailMessage, smtp_url: str) -> None:
    """SMTP_URL: smtp://host:port (plain), smtp+starttls://user:pass@host:587, smtps://...:465.
    A refusal of the recipient or of the message (RCPT or DATA) is this message's failure,
    temporary (4xx) or permanent (5xx); anything else is the server's."""
    try:
        _deliver(message, smtp_url)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        answers = [_answer(code, text, message) for code, text in exc.recipients.values()]
        raise MailError("; ".join(answers), _refusal(*codes)) from exc
    except smtplib.SMTPDataError as exc:
        raise MailError(_answer(exc.smtp_code, exc.smtp_error, message),
                        _refusal(exc.smtp_code)) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc


def _refusal(*codes: int) -> Failure:
    return Failure.PERMANENT if all(500 <= code < 600 for code in codes) else Failure.TEMPORARY


def _answer(code: int, text: bytes | str, message: EmailMessage) -> str:
    """The server's answer as the organiser is shown it: without the recipient's address,
    which the lists that show the answer do not otherwise print."""
    answer = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for _name, address in getaddresses(message.get_all("To", []) + message.get_all("Cc", [])):
        if address:
            answer = answer.replace(address, "…")
    return f"{code} {answer}".strip()


def _deliver(message: EmailMessage, smtp_url: str) -> None:
    url = urlsplit(smtp_url)
    host = url.hostname or "127.0.0.1"
    user = unquote(url.username) if url.username else None
    password = unquote(url.password) if url.password else None
    if url.scheme == "smtps":
        context = ssl.create_default_context()
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, url.port or 465, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(host, url.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if url.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if user and password:
            client.login(user, password)
        client.send_message(message)
