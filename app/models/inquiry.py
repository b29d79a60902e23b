"""Inquiries (henvendelser) from the young person, the family or professionals, and the
closing days an administrator adds to weekends and public holidays."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field
from app.models.youth import Channel


class InquirySender(StrEnum):
    YOUTH = "youth"
    FAMILY = "family"
    PROFESSIONAL = "professional"
    OTHER = "other"


class Inquiry(SQLModel, table=True):
    __tablename__ = "inquiry"
    __table_args__ = (
        # The escalation job's question: not acknowledged, due, not yet escalated.
        Index("ix_inquiry_unacknowledged_due", "due_at",
              sqlite_where=text("acknowledged_at IS NULL AND escalated_at IS NULL"),
              postgresql_where=text("acknowledged_at IS NULL AND escalated_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    received_at: datetime = ts_field()
    channel: Channel = enum_field(Channel)
    sender_kind: InquirySender = enum_field(InquirySender)
    sender_name: str = Field(default="", max_length=120)
    summary: str = Field(sa_type=Text)
    due_at: datetime = ts_field()
    acknowledged_at: datetime | None = ts_field(nullable=True)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    answered_at: datetime | None = ts_field(nullable=True)
    answered_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    answer_note: str = Field(default="", max_length=2000)
    escalated_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class ClosingDay(SQLModel, table=True):
    """A day the municipality is closed (for example 24 and 31 December): it does not count
    towards the 48 hours."""

    __tablename__ = "closing_day"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    reason: str = Field(default="", max_length=120)
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
