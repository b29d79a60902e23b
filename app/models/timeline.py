"""The timeline template (data administrators edit) and each young person's steps."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field
from app.models.youth import Channel


class StepDepartment(StrEnum):
    CHILDREN = "children"
    ADULTS = "adults"
    BOTH = "both"


class Completion(StrEnum):
    MANUAL = "manual"
    EVENT = "event"


class TimelineStep(SQLModel, table=True):
    __tablename__ = "timeline_step"
    __table_args__ = (UniqueConstraint("offset_years", "offset_months", name="uq_step_offset"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=1000)
    offset_years: int = Field(ge=0)
    offset_months: int = Field(ge=0, le=11)
    department: StepDepartment = enum_field(StepDepartment, default=StepDepartment.BOTH)
    completion: Completion = enum_field(Completion, default=Completion.MANUAL)


class YouthStep(SQLModel, table=True):
    __tablename__ = "youth_step"
    __table_args__ = (
        UniqueConstraint("youth_id", "step_id", name="uq_youth_step"),
        Index(
            "ix_youth_step_open_due", "due_on", "youth_id",
            sqlite_where=text("done_at IS NULL"), postgresql_where=text("done_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    step_id: int = Field(foreign_key="timeline_step.id", index=True)
    due_on: date
    done_at: datetime | None = ts_field(nullable=True)
    done_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    not_applicable_reason: str = Field(default="", max_length=300)
    not_applicable_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class NotificationKind(StrEnum):
    FLAGGED = "flagged"
    CASEWORKER_CHANGED = "caseworker_changed"


class Notification(SQLModel, table=True):
    """Messages waiting for the outbox; one per (kind, youth, recipient)."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_notification_dedupe"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = ts_field(default_now=True)
    kind: NotificationKind = enum_field(NotificationKind)
    youth_id: int | None = Field(default=None, foreign_key="youth.id", index=True)
    recipient_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    # How the message goes out: e-mail, or a letter for Digital Post or the post, as the
    # communication agreement names. A letter has no e-mail address.
    channel: Channel = enum_field(Channel, default=Channel.EMAIL)
    recipient_name: str = Field(default="", max_length=120)
    recipient_email: str | None = Field(default=None, max_length=254)
    recipient_address: str = Field(default="", max_length=300)
    recipient_phone: str = Field(default="", max_length=32)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=5000)
    dedupe_key: str = Field(max_length=120)
