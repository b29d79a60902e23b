"""Mail sender backends used by the outbox: file (default), smtp and console."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from app.settings import MailBackend, Settings

log = logging.getLogger("overgang.mail")
SMTP_TIMEOUT_SECONDS = 20


class MailError(Exception):
    """Sending failed; the outbox keeps the message and retries it."""


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
    """SMTP_URL: smtp://host:port (plain), smtp+starttls://user:pass@host:587, smtps://...:465."""
    url = urlsplit(smtp_url)
    host = url.hostname or "127.0.0.1"
    user = unquote(url.username) if url.username else None
    password = unquote(url.password) if url.password else None
    try:
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
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
