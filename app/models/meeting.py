"""Meetings about a young person: invitees, answers, minutes and action points, and each
caseworker's calendar feed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field
from app.models.youth import Channel


class MeetingKind(StrEnum):
    COORDINATION = "coordination"
    TRANSITION = "transition"
    FOLLOW_UP = "follow_up"
    INFO_18 = "info_18"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class PlaceKind(StrEnum):
    HOME = "home"
    TOWN_HALL = "town_hall"
    ONLINE = "online"
    OTHER = "other"


class Answer(StrEnum):
    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"  # "maybe", from a calendar program


class AnsweredVia(StrEnum):
    LINK = "link"  # the reply page
    CALENDAR = "calendar"  # an iTIP REPLY by e-mail


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("uid", name="uq_meeting_uid"),
        Index("ix_meeting_youth_start", "youth_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=36)  # a random UUID, the iCalendar UID of every message
    youth_id: int = Field(foreign_key="youth.id")
    kind: MeetingKind = enum_field(MeetingKind)
    status: MeetingStatus = enum_field(MeetingStatus, default=MeetingStatus.PLANNED, index=True)
    starts_at: datetime = ts_field(index=True)
    ends_at: datetime = ts_field()
    place_kind: PlaceKind = enum_field(PlaceKind)
    place_detail: str = Field(default="", max_length=300)  # room, link or address
    agenda: str = Field(default="", sa_type=Text)
    organiser_id: int = Field(foreign_key="app_user.id", index=True)
    # The SEQUENCE of the last invite sent; raised before every message that carries a change.
    sequence: int = Field(default=0)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    cancelled_at: datetime | None = ts_field(nullable=True)
    cancel_reason: str = Field(default="", max_length=500)
    held_at: datetime | None = ts_field(nullable=True)
    minutes: str = Field(default="", sa_type=Text)
    decisions: str = Field(default="", sa_type=Text)
    minutes_sent_at: datetime | None = ts_field(nullable=True)


class MeetingInvitee(SQLModel, table=True):
    """One invited person: a member of the network map or a caseworker (a user)."""

    __tablename__ = "meeting_invitee"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="network_member.id")
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    name: str = Field(max_length=120)
    role_label: str = Field(default="", max_length=80)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=300)
    # E-mail gets the calendar invite; someone without an address gets a letter or a call.
    channel: Channel = enum_field(Channel, default=Channel.EMAIL)
    required: bool = Field(default=True)
    added_at: datetime = ts_field(default_now=True)
    removed_at: datetime | None = ts_field(nullable=True)
    answer: Answer = enum_field(Answer, default=Answer.NEEDS_ACTION)
    answered_at: datetime | None = ts_field(nullable=True)
    answered_via: AnsweredVia | None = enum_field(AnsweredVia, default=None, nullable=True)
    # A time the invitee proposed from their calendar program (iTIP COUNTER), for the
    # organiser to see; the meeting itself only changes when the organiser moves it.
    proposed_start: datetime | None = ts_field(nullable=True)
    proposed_end: datetime | None = ts_field(nullable=True)
    wants_reminder: bool = Field(default=False)  # a reminder the day before
    attended: bool | None = Field(default=None)


class ActionPoint(SQLModel, table=True):
    __tablename__ = "meeting_action_point"
    __table_args__ = (
        Index("ix_action_point_owner_open", "owner_id", "done_at", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    text: str = Field(max_length=500)
    owner_id: int = Field(foreign_key="app_user.id")
    due_on: date
    done_at: datetime | None = ts_field(nullable=True)
    done_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class CalendarFeed(SQLModel, table=True):
    """A caseworker's subscribable calendar: only the token's SHA-256 is stored."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", unique=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    show_names: bool = Field(default=False)
    created_at: datetime = ts_field(default_now=True)
    rotated_at: datetime | None = ts_field(nullable=True)
    revoked_at: datetime | None = ts_field(nullable=True)
