"""The reply mailbox's receiver: `overgang mail-receiver`, an SMTP (or LMTP) server that
takes the answers calendar programs send to ``REPLY_ADDRESS`` and hands each message to
`services.meeting_replies.receive` in a unit of work of its own.

It accepts mail only for ``REPLY_ADDRESS`` (550 for any other recipient; it relays
nothing), refuses a message over ``MAIL_RECEIVER_MAX_BYTES`` (552, counted while it
arrives), and answers 250 to everything else, applied or dropped alike, so a sender learns
nothing about meetings from the answers. A message it could not store because the database
is away gets 451, and the sending server tries again later.

Run it behind the municipality's mail server (its MX), which does spam filtering and the
SPF/DKIM/DMARC checks and delivers the reply address here by SMTP or LMTP; see the README.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from sqlalchemy.engine import Engine

from app import clock
from app.clock import SYSTEM, Clock
from app.db import unit_of_work
from app.services import meeting_replies
from app.settings import Settings

log = logging.getLogger("overgang.mail_receiver")


class ReplyMailbox:
    """The aiosmtpd handler: one recipient, size-limited, each message its own unit of work."""

    def __init__(self, engine: Engine, settings: Settings, on: Clock = SYSTEM) -> None:
        self.engine, self.settings, self.clock = engine, settings, on

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.strip().casefold() != self.settings.reply_address.casefold():
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content or b"")
        if len(raw) > self.settings.mail_receiver_max_bytes:
            log.info("calendar answer dropped: message too large")
            return "552 5.3.4 Message too big"
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.process, raw)
        except Exception:
            log.exception("calendar answer not stored; the sender will retry")
            return "451 4.3.0 Try again later"
        return "250 OK"

    def process(self, raw: bytes) -> meeting_replies.Outcome:
        with clock.use(self.clock), unit_of_work(self.engine) as session:
            return meeting_replies.receive(session, self.settings, raw, clock.now())


class _Receiver(Controller):
    def __init__(self, handler: ReplyMailbox, *, lmtp: bool, **kwargs: Any) -> None:
        self.lmtp = lmtp
        super().__init__(handler, **kwargs)

    def factory(self) -> SMTP:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)


def start(engine: Engine, settings: Settings, *, host: str | None = None,
          port: int | None = None, lmtp: bool = False, on: Clock = SYSTEM) -> Controller:
    """Starts the receiver in a thread of its own and returns its controller (``stop()``)."""
    if not settings.reply_address:
        raise ValueError("REPLY_ADDRESS is not set: there is no reply mailbox to receive")
    # aiosmtpd logs every envelope's sender and recipients at INFO: families' addresses
    # stay out of the log; the receiver's own lines say what happened.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    receiver = _Receiver(
        ReplyMailbox(engine, settings, on), lmtp=lmtp,
        hostname=host or settings.mail_receiver_host,
        port=port or settings.mail_receiver_port,
        # aiosmtpd refuses a longer message with 552 while it arrives.
        data_size_limit=settings.mail_receiver_max_bytes,
        server_hostname=settings.reply_address.rsplit("@", 1)[1],
    )
    receiver.start()
    return receiver
