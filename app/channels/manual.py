"""The channels a person sends by: the outbox keeps the message as `manual` for them."""

from __future__ import annotations

from app.channels.base import Contact, Delivery, Outcome
from app.models.outbox import OutboxMessage


class ManualChannel:
    """Letters by post, phone calls and, until it has an adapter, Digital Post."""

    def sends(self, contact: Contact) -> bool:
        return False

    def deliver(self, message: OutboxMessage) -> Delivery:
        return Delivery(Outcome.MANUAL)
