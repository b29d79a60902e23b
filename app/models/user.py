"""Accounts, login sessions, login throttling and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field


class Role(StrEnum):
    CHILD_CASEWORKER = "child_caseworker"
    ADULT_CASEWORKER = "adult_caseworker"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Department(StrEnum):
    CHILDREN = "children"
    ADULTS = "adults"


ROLE_DEPARTMENT: dict[Role, Department | None] = {
    Role.CHILD_CASEWORKER: Department.CHILDREN,
    Role.ADULT_CASEWORKER: Department.ADULTS,
    Role.COORDINATOR: None,
    Role.ADMIN: None,
}


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=120)
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=32)
    role: Role = enum_field(Role, index=True)
    locale: str = Field(default="da", max_length=8)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    created_at: datetime = ts_field(default_now=True)
    # "My filter" on the list of young people: the list's query string (never a CPR number:
    # the CPR search is a POST and is not part of it). Empty when none is saved.
    youth_list_filter: str = Field(default="", max_length=500)

    @property
    def department(self) -> Department | None:
        return ROLE_DEPARTMENT[self.role]

    @property
    def is_caseworker(self) -> bool:
        return self.role in (Role.CHILD_CASEWORKER, Role.ADULT_CASEWORKER)


class UserSession(SQLModel, table=True):
    """A login session. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    created_at: datetime = ts_field(default_now=True)
    last_seen_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field(index=True)


class LoginThrottle(SQLModel, table=True):
    """Failed-login counters, kept in the database so every worker process sees them: one
    per account and address together, one per account and one per address. The key holds
    a digest, never what was typed as a username."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=128)
    window_started_at: datetime = ts_field()
    last_failed_at: datetime = ts_field()
    failures: int = Field(default=0)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    name: str = Field(default="", max_length=80)
    created_at: datetime = ts_field(default_now=True)
    last_used_at: datetime | None = ts_field(nullable=True)
    revoked_at: datetime | None = ts_field(nullable=True)
