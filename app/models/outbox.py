"""The transactional outbox: every message the app sends is a row here first.

A message row is written in the same transaction as the change it reports. The sender job
claims due rows (FOR UPDATE SKIP LOCKED on PostgreSQL, a lease on every database), sends
them and records the outcome; a failure is retried with exponential backoff until the
message's deadline. The Message-ID is chosen once, when the row is written, so a retry
carries the same one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field
from app.models.youth import Channel


class OutboxKind(StrEnum):
    FLAGGED = "flagged"
    CASEWORKER_CHANGED = "caseworker_changed"
    MEETING_INVITE = "meeting_invite"
    MEETING_UPDATE = "meeting_update"
    MEETING_CANCEL = "meeting_cancel"
    MEETING_REMOVED = "meeting_removed"
    MEETING_MINUTES = "meeting_minutes"
    MEETING_COUNTER_DECLINED = "meeting_counter_declined"  # the answer to a proposed time
    MEETING_REMINDER = "meeting_reminder"  # the day before, to invitees who want one
    OVERVIEW_SUMMARY = "overview_summary"
    INQUIRY_ESCALATED = "inquiry_escalated"
    LETTER = "letter"  # a letter a caseworker sends from a template
    FAMILY_NOTICE = "family_notice"  # the caseworkers told of something on the family's page


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (or retried)
    SENT = "sent"
    FAILED = "failed"  # gave up at the deadline; can be retried by hand
    MANUAL = "manual"  # a letter or a phone call: a person sends it, the app does not


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("message_id", name="uq_outbox_message_id"),
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=200)  # "<random@domain>", stable for retries
    kind: OutboxKind = enum_field(OutboxKind, index=True)
    status: OutboxStatus = enum_field(OutboxStatus, default=OutboxStatus.PENDING)
    channel: Channel = enum_field(Channel, default=Channel.EMAIL)
    youth_id: int | None = Field(default=None, foreign_key="youth.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    recipient_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    recipient_name: str = Field(default="", max_length=120)
    recipient_email: str | None = Field(default=None, max_length=254)
    recipient_address: str = Field(default="", max_length=300)
    recipient_phone: str = Field(default="", max_length=32)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    # The whole MIME message when it is more than plain text (an invite with its calendar);
    # otherwise the sender builds a plain-text message from subject and body.
    mime: str | None = Field(default=None, sa_type=Text)
    dedupe_key: str | None = Field(default=None, max_length=120)
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    attempts: int = Field(default=0)
    next_attempt_at: datetime = ts_field(default_now=True)
    deadline_at: datetime = ts_field()
    lease_until: datetime | None = ts_field(nullable=True)
    lease_token: str | None = Field(default=None, max_length=36)
    last_error: str = Field(default="", max_length=500)
    sent_at: datetime | None = ts_field(nullable=True)
