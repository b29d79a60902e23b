"""A young person's record and the events of their case."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field


class SupportExpected(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_ASSESSED = "not_assessed"


class YouthStatus(StrEnum):
    ACTIVE = "active"
    TRANSFERRED = "transferred"
    CLOSED = "closed"


class Channel(StrEnum):
    DIGITAL_POST = "digital_post"
    EMAIL = "email"
    LETTER = "letter"
    PHONE = "phone"
    SMS = "sms"
    MEETING = "meeting"


class Frequency(StrEnum):
    ON_CHANGE = "on_change"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class Youth(SQLModel, table=True):
    __tablename__ = "youth"
    __table_args__ = (
        # Age bands and cohorts, and (with the columns after) the overview's readiness chart.
        Index("ix_youth_status_birth", "status", "birth_date", "adult_caseworker_id",
              "coordinator_id", "buddy_id", "next_open_due_on"),
        # name_search at the end lets a name search walk this index in list order.
        Index("ix_youth_name_sort", "last_name", "first_name", "id", "name_search"),
        Index(
            "ix_youth_flag_pending", "flag_due_on",
            sqlite_where=text("flagged_at IS NULL"), postgresql_where=text("flagged_at IS NULL"),
        ),
        # The monthly overview's aggregates read these indexes without visiting the rows.
        Index("ix_youth_flagged_at", "flagged_at", "status"),
        Index("ix_youth_open_due_status", "next_open_due_on", "status"),
        Index("ix_youth_status_child_caseworker", "status", "child_caseworker_id"),
        Index("ix_youth_status_adult_caseworker", "status", "adult_caseworker_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The CPR number is kept only here; lookups use the keyed hash beside it.
    cpr: str | None = Field(default=None, max_length=10)
    cpr_hash: str | None = Field(default=None, max_length=64, unique=True)
    birth_date: date = Field(index=True)
    birth_date_reason: str = Field(default="", max_length=300)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    name_search: str = Field(default="", max_length=210, index=True)
    address: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", max_length=4)
    city: str = Field(default="", max_length=60)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    school: str = Field(default="", max_length=200)
    adult_support_expected: SupportExpected = enum_field(
        SupportExpected, default=SupportExpected.NOT_ASSESSED
    )
    child_caseworker_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    adult_caseworker_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    coordinator_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    buddy_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    youth_had_say: bool = Field(default=False)

    # The communication agreement (DH/KL rec. 9, 12, 13; Nordfyn A5)
    comm_channel: Channel = enum_field(Channel, default=Channel.DIGITAL_POST)
    comm_frequency: Frequency = enum_field(Frequency, default=Frequency.ON_CHANGE)
    plain_language: bool = Field(default=False)
    interpreter_language: str = Field(default="", max_length=60)
    sign_language: bool = Field(default=False)
    other_needs: str = Field(default="", max_length=500)
    bisidder_offered: bool = Field(default=False)

    status: YouthStatus = enum_field(YouthStatus, default=YouthStatus.ACTIVE, index=True)
    closed_reason: str = Field(default="", max_length=300)
    transition_started_on: date | None = Field(default=None, index=True)
    # Flagging (the timeline issue): the date is computed from the birth date and the flag age.
    flag_due_on: date | None = Field(default=None)
    flagged_at: datetime | None = ts_field(nullable=True)
    flag_late: bool = Field(default=False)
    flag_for_assessment: bool = Field(default=False)
    # The earliest due date among the open steps (kept by services.timeline): "overdue"
    # is one indexed comparison instead of a search through every step.
    next_open_due_on: date | None = Field(default=None)

    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EventKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    STATUS_CHANGED = "status_changed"
    CASEWORKER_CHANGED = "caseworker_changed"
    IMPORTED = "imported"
    FLAGGED = "flagged"
    STEP_DONE = "step_done"
    STEP_REOPENED = "step_reopened"
    STEP_NOT_APPLICABLE = "step_not_applicable"
    NETWORK_MEMBER_ADDED = "network_member_added"
    NETWORK_MEMBER_CHANGED = "network_member_changed"
    NETWORK_MEMBER_MOVED = "network_member_moved"
    NETWORK_MEMBER_REMOVED = "network_member_removed"
    HANDOVER_NOTE_SEEN = "handover_note_seen"
    DOCUMENT_REQUESTED = "document_requested"
    DOCUMENT_RECEIVED = "document_received"
    DOCUMENT_HANDED_OVER = "document_handed_over"
    DOCUMENT_ACKNOWLEDGED = "document_acknowledged"
    DOCUMENT_STATUS_CORRECTED = "document_status_corrected"
    DOCUMENT_HANDOVER_REFUSED = "document_handover_refused"
    DOCUMENT_PLACE_CHANGED = "document_place_changed"
    CONSENT_RECORDED = "consent_recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    MEETING_PLANNED = "meeting_planned"
    MEETING_CHANGED = "meeting_changed"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_HELD = "meeting_held"
    INQUIRY_RECEIVED = "inquiry_received"
    INQUIRY_ACKNOWLEDGED = "inquiry_acknowledged"
    INQUIRY_ANSWERED = "inquiry_answered"
    INQUIRY_ESCALATED = "inquiry_escalated"
    LETTER_SENT = "letter_sent"
    STATUS_UPDATE_GIVEN = "status_update_given"


class YouthEvent(SQLModel, table=True):
    """What happened in a case: who, what, when, why. Shown on the young person's page."""

    __tablename__ = "youth_event"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    at: datetime = ts_field(default_now=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    kind: EventKind = enum_field(EventKind)
    detail: str = Field(default="", max_length=500)
