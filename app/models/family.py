"""The family's own page: citizens' login sessions and their proposals for the communication
agreement. A citizen is known by the keyed hash of their CPR number, never the number."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field
from app.models.youth import Channel, Frequency


class CitizenSession(SQLModel, table=True):
    """A citizen's login session. The cookie holds a random token; only its SHA-256 is kept,
    beside the keyed hash of the CPR number the login broker gave (never the number)."""

    __tablename__ = "citizen_session"

    id: str = Field(primary_key=True, max_length=64)
    cpr_hash: str = Field(max_length=64, index=True)
    name: str = Field(default="", max_length=120)
    created_at: datetime = ts_field(default_now=True)
    last_seen_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field(index=True)


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class CommunicationProposal(SQLModel, table=True):
    """A change of the communication agreement that the young person or a custody holder
    proposed on the family's page; the caseworker confirms it (then the agreement changes)
    or declines it. Kept either way."""

    __tablename__ = "communication_proposal"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    proposed_at: datetime = ts_field(default_now=True)
    proposed_by_ref: str = Field(max_length=40)  # the audit log's name for the citizen
    proposed_by_name: str = Field(default="", max_length=120)
    comm_channel: Channel = enum_field(Channel)
    comm_frequency: Frequency = enum_field(Frequency)
    interpreter_language: str = Field(default="", max_length=60)
    plain_language: bool = Field(default=False)
    note: str = Field(default="", max_length=500)
    status: ProposalStatus = enum_field(ProposalStatus, default=ProposalStatus.PROPOSED)
    decided_at: datetime | None = ts_field(nullable=True)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
