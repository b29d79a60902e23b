"""Letter templates an administrator has edited, and the status updates a young person and
their family have been given."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field
from app.models.youth import Channel


class LetterTemplate(SQLModel, table=True):
    """An administrator's text for one template; without a row the shipped text is used."""

    __tablename__ = "letter_template"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    updated_at: datetime = ts_field(default_now=True)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class StatusUpdate(SQLModel, table=True):
    """News given to the young person or the family: a letter from the app, or a call or a
    meeting the caseworker records. The communication agreement's frequency counts from the
    latest one."""

    __tablename__ = "status_update"
    __table_args__ = (Index("ix_status_update_youth_given", "youth_id", "given_at"),)

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id")
    given_at: datetime = ts_field()
    channel: Channel = enum_field(Channel)
    note: str = Field(default="", max_length=500)
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_message.id")
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
