"""The append-only audit log. Database triggers refuse UPDATE and DELETE."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    LOGOUT = "logout"
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REVEAL_CPR = "reveal_cpr"
    SEARCH_CPR = "search_cpr"
    IMPORT = "import"
    EXPORT = "export"


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = ts_field(default_now=True, index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    # Who acted: staff (user_id, or none for the system's own jobs) or a citizen (actor_ref).
    actor_kind: str = Field(default="staff", max_length=10)
    actor_ref: str = Field(default="", max_length=40)
    action: AuditAction = enum_field(AuditAction)
    object_type: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=40)
    youth_id: int | None = Field(default=None, index=True)
    client_addr: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=500)
