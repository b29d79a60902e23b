"""Management review (ledelsestilsyn): random samples of cases, the review of each sampled
case with one row per point, the follow-up action for the caseworker, and the findings a
coordinator writes for the yearly report.

A sample keeps what it was drawn from and how (area, period, size, seed, the population), so
the draw can be checked afterwards. Nothing here is deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field


class ReviewArea(StrEnum):
    """Where a case stands: the children's department, the transition, the adult department."""

    CHILDREN = "children"
    TRANSITION = "transition"
    ADULTS = "adults"


class ReviewPoint(StrEnum):
    """The points a case is reviewed on, in the order of the form."""

    TIMELINE_ON_TIME = "timeline_on_time"
    CONSENT_BEFORE_HANDOVER = "consent_before_handover"
    FIRST_MEETING_BY_17 = "first_meeting_by_17"
    COMMUNICATION_AGREEMENT = "communication_agreement"
    STATUS_UPDATES_ON_TIME = "status_updates_on_time"
    INQUIRIES_IN_TIME = "inquiries_in_time"
    YOUTH_SAY_IN_COORDINATOR = "youth_say_in_coordinator"
    CITIZEN_INVOLVEMENT = "citizen_involvement"
    CASE_NOTES = "case_notes"


class PointResult(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_RELEVANT = "not_relevant"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    REVIEWED = "reviewed"


class ReviewEventKind(StrEnum):
    SAMPLE_DRAWN = "sample_drawn"
    REVIEWED = "reviewed"
    REVIEW_CHANGED = "review_changed"
    FOLLOW_UP_SET = "follow_up_set"
    FOLLOW_UP_DONE = "follow_up_done"


class ReviewSample(SQLModel, table=True):
    """One draw: its parameters, its seed and the cases it was drawn from."""

    __tablename__ = "review_sample"

    id: int | None = Field(default=None, primary_key=True)
    area: ReviewArea = enum_field(ReviewArea)
    period_start: date = Field(index=True)
    period_end: date
    size: int
    seed: str = Field(max_length=32)
    include_reviewed: bool = Field(default=False)
    include_closed: bool = Field(default=False)
    # The ids the draw chose from, sorted: with the seed, anyone can repeat the draw.
    population: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class SampledCase(SQLModel, table=True):
    """A case in a sample, and its review once done."""

    __tablename__ = "review_case"
    __table_args__ = (UniqueConstraint("sample_id", "youth_id", name="uq_review_case_youth"),)

    id: int | None = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="review_sample.id")  # first in the unique constraint
    youth_id: int = Field(foreign_key="youth.id", index=True)
    position: int
    status: ReviewStatus = enum_field(ReviewStatus, default=ReviewStatus.PENDING)
    # The day the prefilled points were computed for (the period's end, or the review day).
    as_of: date | None = Field(default=None)
    findings: str = Field(default="", sa_type=Text)
    reviewed_at: datetime | None = ts_field(nullable=True)
    reviewer_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime | None = ts_field(nullable=True)


class ReviewAnswer(SQLModel, table=True):
    """One point of a review: what the app found, the reviewer's judgement and note."""

    __tablename__ = "review_answer"
    __table_args__ = (UniqueConstraint("case_id", "point", name="uq_review_answer_point"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id")  # first in the unique constraint
    point: ReviewPoint = enum_field(ReviewPoint)
    prefill: PointResult | None = enum_field(PointResult, default=None, nullable=True)
    prefill_detail: str = Field(default="", max_length=1000)
    judgement: PointResult = enum_field(PointResult)
    note: str = Field(default="", max_length=1000)


class ReviewFollowUp(SQLModel, table=True):
    """The action a review asks of a caseworker; it is listed in their "My tasks"."""

    __tablename__ = "review_follow_up"
    __table_args__ = (Index("ix_review_follow_up_owner_open", "owner_id", "done_at", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", unique=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    owner_id: int = Field(foreign_key="app_user.id")
    text: str = Field(max_length=500)
    due_on: date
    done_at: datetime | None = ts_field(nullable=True)
    done_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class ReviewEvent(SQLModel, table=True):
    """What happened to a sample or a review: who, what, when."""

    __tablename__ = "review_event"

    id: int | None = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="review_sample.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="review_case.id")
    at: datetime = ts_field(default_now=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    kind: ReviewEventKind = enum_field(ReviewEventKind)
    detail: str = Field(default="", max_length=500)


class ReviewFinding(SQLModel, table=True):
    """The coordinator's findings for one area and year, printed with the yearly report."""

    __tablename__ = "review_finding"
    __table_args__ = (UniqueConstraint("year", "area", name="uq_review_finding_year_area"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    area: ReviewArea = enum_field(ReviewArea)
    text: str = Field(default="", sa_type=Text)
    updated_at: datetime = ts_field(default_now=True)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
