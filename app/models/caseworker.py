"""Changes of a young person's coordinating caseworker or buddy, with the handover note."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field


class CaseRole(StrEnum):
    COORDINATOR = "coordinator"
    BUDDY = "buddy"


class ChangeKind(StrEnum):
    """The three kinds of change the municipalities' letters distinguish (Hedensted)."""

    PLANNED_TEMPORARY = "planned_temporary"
    PLANNED_PERMANENT = "planned_permanent"
    UNPLANNED_PERMANENT = "unplanned_permanent"


class CaseworkerChange(SQLModel, table=True):
    __tablename__ = "caseworker_change"
    __table_args__ = (Index("ix_caseworker_change_to_unseen", "to_user_id", "note_seen_at"),)

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    role: CaseRole = enum_field(CaseRole)
    kind: ChangeKind = enum_field(ChangeKind)
    from_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    to_user_id: int = Field(foreign_key="app_user.id")
    ends_on: date | None = Field(default=None)
    handover_note: str = Field(max_length=2000)
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    note_seen_at: datetime | None = ts_field(nullable=True)
