"""What a channel adapter is: it sends one outbox message and says how that went."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from app.models.outbox import OutboxMessage


class Outcome(StrEnum):
    """How one attempt to deliver a message went, as the outbox acts on it."""

    SENT = "sent"
    RETRY = "retry"  # refused for now: try this message again after a wait
    # The channel's service could not be reached: try again after a wait, and send nothing
    # more by this channel in this run (the other channels go on).
    UNAVAILABLE = "unavailable"
    FAILED = "failed"  # refused for good: the message fails at once, with the reason
    MANUAL = "manual"  # a person sends it (a letter, a phone call)


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    reason: str = ""  # shown to the organiser: the server's answer, without addresses


@dataclass(frozen=True, slots=True)
class Contact:
    """What the message row says about reaching its recipient."""

    email: str | None = None
    phone: str = ""
    address: str = ""


class ChannelAdapter(Protocol):
    """Delivers the outbox messages of one channel (e-mail, SMS, Digital Post, ...)."""

    def sends(self, contact: Contact) -> bool:
        """True when the adapter itself delivers a message to this contact; False when a
        person must (the message is then `manual` from the moment it is written)."""
        ...

    def deliver(self, message: OutboxMessage) -> Delivery:
        """One attempt to deliver ``message``. Classifies every failure it expects into the
        ``Delivery``; an exception is a bug, and the message is tried again once its lease
        has run out."""
        ...


def contact_of(message: OutboxMessage) -> Contact:
    return Contact(message.recipient_email, message.recipient_phone, message.recipient_address)
