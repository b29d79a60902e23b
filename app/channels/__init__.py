"""Channels: how an outbox message reaches its recipient.

Each channel has one adapter (a ``ChannelAdapter``): it says whether it delivers a message
itself (``sends``) and delivers one message, classifying the outcome (``deliver``). The
outbox (app.services.outbox) dispatches each message by its ``channel`` column to the
adapter registered for it in ``adapters``. A new channel, say SMS, is one adapter class and
one line there. Until then a message by a channel without an adapter fails at its first
attempt, and the reason says so.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.channels.base import ChannelAdapter, Contact, Delivery, Outcome, contact_of
from app.channels.email import EmailChannel
from app.channels.manual import ManualChannel
from app.models.outbox import OutboxMessage
from app.models.youth import Channel
from app.settings import Settings

__all__ = ["Adapters", "ChannelAdapter", "Contact", "Delivery", "Outcome", "adapters",
           "by_hand", "dispatch"]

Adapters = Mapping[Channel, ChannelAdapter]


def adapters(settings: Settings) -> dict[Channel, ChannelAdapter]:
    """The registered adapter of each channel the outbox handles."""
    person = ManualChannel()
    return {
        Channel.EMAIL: EmailChannel(settings),  # MAIL_BACKEND: file, smtp or console
        Channel.DIGITAL_POST: person,
        Channel.LETTER: person,
        Channel.PHONE: person,
    }


def by_hand(registered: Adapters, channel: Channel, contact: Contact) -> bool:
    """True when a person sends a message by ``channel`` to ``contact``. A channel without
    an adapter is not sent by hand: the sender fails its messages, saying why."""
    adapter = registered.get(channel)
    return adapter is not None and not adapter.sends(contact)


def dispatch(registered: Adapters, message: OutboxMessage) -> Delivery:
    """One attempt to deliver ``message`` through its channel's adapter."""
    adapter = registered.get(message.channel)
    if adapter is None:
        return Delivery(Outcome.FAILED, f"No channel adapter sends {message.channel.value} "
                                        "messages.")
    if not adapter.sends(contact_of(message)):
        return Delivery(Outcome.MANUAL)
    return adapter.deliver(message)
