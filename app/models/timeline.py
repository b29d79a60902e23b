"""The timeline template (data administrators edit) and each young person's steps."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field


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
