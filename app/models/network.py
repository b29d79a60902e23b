"""The network map: a directory of people and each young person's network of them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, ts_field
from app.models.youth import Channel


class PersonKind(StrEnum):
    """Which details a directory entry has: a relative or private contact, or a professional."""

    PRIVATE = "private"
    PROFESSIONAL = "professional"


class Sector(StrEnum):
    """The four sectors of the map, clockwise from the top left."""

    FAMILY = "family"
    FRIENDS = "friends_leisure"
    SCHOOL = "school_work"
    PROFESSIONALS = "professionals"


class RoleKind(StrEnum):
    """The kind of role, shown on the map by the marker's shape."""

    RELATIVE = "relative"
    PRIVATE = "private"
    SUPPORT = "support"
    SCHOOL_WORK = "school_work"
    PROFESSIONAL = "professional"


class NetworkRole(StrEnum):
    """The controlled list of roles and relations, with "other" for each kind."""

    MOTHER = "mother"
    FATHER = "father"
    STEP_PARENT = "step_parent"
    FOSTER_PARENT = "foster_parent"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    OTHER_RELATIVE = "other_relative"
    FRIEND = "friend"
    PARTNER = "partner"
    LEISURE = "leisure"
    OTHER_PRIVATE = "other_private"
    GUARDIAN = "guardian"
    BISIDDER = "bisidder"
    TEACHER = "teacher"
    MENTOR = "mentor"
    EMPLOYER = "employer"
    OTHER_SCHOOL_WORK = "other_school_work"
    UU_COUNSELLOR = "uu_counsellor"
    PPR_PSYCHOLOGIST = "ppr_psychologist"
    GP = "gp"
    PSYCHIATRIST = "psychiatrist"
    CONTACT_PERSON = "contact_person"
    CASEWORKER = "caseworker"
    SUPPORT_WORKER = "support_worker"
    THERAPIST = "therapist"
    OTHER_PROFESSIONAL = "other_professional"


ROLE_KIND: dict[NetworkRole, RoleKind] = {
    NetworkRole.MOTHER: RoleKind.RELATIVE,
    NetworkRole.FATHER: RoleKind.RELATIVE,
    NetworkRole.STEP_PARENT: RoleKind.RELATIVE,
    NetworkRole.FOSTER_PARENT: RoleKind.RELATIVE,
    NetworkRole.SIBLING: RoleKind.RELATIVE,
    NetworkRole.GRANDPARENT: RoleKind.RELATIVE,
    NetworkRole.OTHER_RELATIVE: RoleKind.RELATIVE,
    NetworkRole.FRIEND: RoleKind.PRIVATE,
    NetworkRole.PARTNER: RoleKind.PRIVATE,
    NetworkRole.LEISURE: RoleKind.PRIVATE,
    NetworkRole.OTHER_PRIVATE: RoleKind.PRIVATE,
    NetworkRole.GUARDIAN: RoleKind.SUPPORT,
    NetworkRole.BISIDDER: RoleKind.SUPPORT,
    NetworkRole.TEACHER: RoleKind.SCHOOL_WORK,
    NetworkRole.MENTOR: RoleKind.SCHOOL_WORK,
    NetworkRole.EMPLOYER: RoleKind.SCHOOL_WORK,
    NetworkRole.OTHER_SCHOOL_WORK: RoleKind.SCHOOL_WORK,
    NetworkRole.UU_COUNSELLOR: RoleKind.PROFESSIONAL,
    NetworkRole.PPR_PSYCHOLOGIST: RoleKind.PROFESSIONAL,
    NetworkRole.GP: RoleKind.PROFESSIONAL,
    NetworkRole.PSYCHIATRIST: RoleKind.PROFESSIONAL,
    NetworkRole.CONTACT_PERSON: RoleKind.PROFESSIONAL,
    NetworkRole.CASEWORKER: RoleKind.PROFESSIONAL,
    NetworkRole.SUPPORT_WORKER: RoleKind.PROFESSIONAL,
    NetworkRole.THERAPIST: RoleKind.PROFESSIONAL,
    NetworkRole.OTHER_PROFESSIONAL: RoleKind.PROFESSIONAL,
}
OTHER_ROLES = frozenset({
    NetworkRole.OTHER_RELATIVE, NetworkRole.OTHER_PRIVATE, NetworkRole.OTHER_SCHOOL_WORK,
    NetworkRole.OTHER_PROFESSIONAL,
})


class Person(SQLModel, table=True):
    """A directory entry: one person, who can sit in many young people's networks."""

    __tablename__ = "network_person"

    id: int | None = Field(default=None, primary_key=True)
    kind: PersonKind = enum_field(PersonKind, index=True)
    name: str = Field(max_length=120)
    name_search: str = Field(default="", max_length=330, index=True)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)
    # The keyed hash of a custody holder's CPR number (domain/cpr.cpr_lookup_hash), so that
    # they can log in to the family's page; never the number.
    cpr_hash: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class NetworkMember(SQLModel, table=True):
    """A person's place in one young person's network. Removing a member keeps the row
    (`removed_at`), so the history and the meetings they were invited to still name them;
    adding the person again brings the row back."""

    __tablename__ = "network_member"
    __table_args__ = (
        UniqueConstraint("youth_id", "person_id", name="uq_network_member_person"),
        CheckConstraint("ring BETWEEN 1 AND 3", name="ck_network_member_ring"),
    )

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", index=True)
    person_id: int = Field(foreign_key="network_person.id", index=True)
    sector: Sector = enum_field(Sector)
    ring: int = Field(default=2)
    role: NetworkRole = enum_field(NetworkRole)
    role_other: str = Field(default="", max_length=60)
    custody_holder: bool = Field(default=False)
    guardian: bool = Field(default=False)
    bisidder: bool = Field(default=False)
    invited_to_meetings: bool = Field(default=False)
    preferred_channel: Channel | None = enum_field(Channel, default=None, nullable=True)
    note: str = Field(default="", max_length=500)
    youth_agreed: bool = Field(default=False)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    removed_at: datetime | None = ts_field(nullable=True)
    removed_by_id: int | None = Field(default=None, foreign_key="app_user.id")

    @property
    def role_kind(self) -> RoleKind:
        return ROLE_KIND[self.role]
