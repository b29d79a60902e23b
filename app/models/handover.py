"""Handover documents and consent records.

The app tracks documents (where each is kept, its journal reference, its status); it does not
store their files. Consents are never deleted: a withdrawal is recorded on the consent.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field


class DocumentStatus(StrEnum):
    """The order of a document's handover; each step records who and when."""

    NEEDED = "needed"
    REQUESTED = "requested"
    RECEIVED = "received"
    HANDED_OVER = "handed_over"
    ACKNOWLEDGED = "acknowledged"


class Storage(StrEnum):
    """Where the document itself is kept."""

    DUBU = "dubu"
    SBSYS = "sbsys"
    CURA = "cura"
    NEXUS = "nexus"
    PAPER = "paper"
    OTHER = "other"


class GiverRole(StrEnum):
    YOUTH = "youth"
    CUSTODY_HOLDER = "custody_holder"
    GUARDIAN = "guardian"


class Purpose(StrEnum):
    SHARE_WITH_ADULT = "share_with_adult_department"
    OBTAIN_FROM_SOURCES = "obtain_from_sources"
    INVITE_NETWORK = "invite_network_members"
    # The young person lets the custody holders it names (invitee_member_ids) keep seeing
    # the family's page after the 18th birthday.
    SHARE_WITH_FAMILY = "share_with_family_page"


class Recipient(StrEnum):
    ADULT_DEPARTMENT = "adult_department"
    JOBCENTER = "jobcenter"
    EDUCATION = "education"
    HEALTH = "health"


class ConsentMethod(StrEnum):
    WRITTEN = "written"
    VERBAL = "verbal_noted"
    DIGITAL = "digital"


class DocumentType(SQLModel, table=True):
    """The catalogue administrators edit."""

    __tablename__ = "document_type"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=500)
    required: bool = Field(default=True)
    active: bool = Field(default=True)
    position: int = Field(default=0)


class HandoverDocument(SQLModel, table=True):
    """One row of a young person's handover checklist."""

    __tablename__ = "handover_document"
    __table_args__ = (
        UniqueConstraint("youth_id", "document_type_id", name="uq_handover_document_type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    document_type_id: int = Field(foreign_key="document_type.id", index=True)
    status: DocumentStatus = enum_field(DocumentStatus, default=DocumentStatus.NEEDED)
    storage: Storage | None = enum_field(Storage, default=None, nullable=True)
    storage_other: str = Field(default="", max_length=60)
    journal_ref: str = Field(default="", max_length=60)
    requested_at: datetime | None = ts_field(nullable=True)
    requested_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    received_at: datetime | None = ts_field(nullable=True)
    received_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    handed_over_at: datetime | None = ts_field(nullable=True)
    handed_over_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # The consent the handover relied on (kept when the consent is withdrawn later).
    handed_over_consent_id: int | None = Field(default=None, foreign_key="consent.id")
    acknowledged_at: datetime | None = ts_field(nullable=True)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class Consent(SQLModel, table=True):
    """A consent record; withdrawal is recorded on it, the row is never deleted."""

    __tablename__ = "consent"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= given_on",
                        name="ck_consent_valid_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    giver_role: GiverRole = enum_field(GiverRole)
    # The network member who gave it (None for the young person). The name and relation are
    # copied, so the record stays readable if the person later leaves the network.
    giver_member_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("network_member.id", ondelete="SET NULL"),
                         nullable=True),
    )
    giver_name: str = Field(max_length=120)
    giver_relation: str = Field(default="", max_length=60)
    purposes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    document_type_ids: list[int] = Field(default_factory=list,
                                         sa_column=Column(JSON, nullable=False))
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sources: str = Field(default="", max_length=300)
    invitee_member_ids: list[int] = Field(default_factory=list,
                                          sa_column=Column(JSON, nullable=False))
    method: ConsentMethod = enum_field(ConsentMethod)
    given_on: date
    valid_until: date | None = Field(default=None)
    note: str = Field(default="", max_length=500)
    withdrawn_on: date | None = Field(default=None)
    withdrawal_reason: str = Field(default="", max_length=500)
    withdrawn_at: datetime | None = ts_field(nullable=True)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
