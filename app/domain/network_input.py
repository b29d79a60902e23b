"""Input rules for the network map, shared by the forms and the API. Pure: no I/O, no clock.

A member's name, role, organisation, address, contact details and note can appear in
meeting invites and letters, so each refuses a CPR-like number (``OutgoingText``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.domain.rules import Checked, FieldErrors, rule
from app.domain.validation import (
    Email,
    FieldError,
    OutgoingMultilineText,
    OutgoingText,
    Phone,
    empty_to_none,
)
from app.i18n import N_
from app.models.network import (
    OTHER_ROLES,
    ROLE_KIND,
    NetworkRole,
    PersonKind,
    RoleKind,
    Sector,
)
from app.models.youth import Channel

ADULT_AGE = 18
MAX_ID = 2_147_483_647  # an INTEGER column's largest value
DEFAULT_SECTOR: dict[RoleKind, Sector] = {
    RoleKind.RELATIVE: Sector.FAMILY,
    RoleKind.PRIVATE: Sector.FRIENDS,
    RoleKind.SUPPORT: Sector.FAMILY,
    RoleKind.SCHOOL_WORK: Sector.SCHOOL,
    RoleKind.PROFESSIONAL: Sector.PROFESSIONALS,
}
# Which kinds of directory entry a role suits; a guardian or bisidder can be either.
ROLE_PERSON_KINDS: dict[RoleKind, frozenset[PersonKind]] = {
    RoleKind.RELATIVE: frozenset({PersonKind.PRIVATE}),
    RoleKind.PRIVATE: frozenset({PersonKind.PRIVATE}),
    RoleKind.SUPPORT: frozenset({PersonKind.PRIVATE, PersonKind.PROFESSIONAL}),
    RoleKind.SCHOOL_WORK: frozenset({PersonKind.PROFESSIONAL}),
    RoleKind.PROFESSIONAL: frozenset({PersonKind.PROFESSIONAL}),
}

OptionalSector = Annotated[Sector | None, BeforeValidator(empty_to_none)]
OptionalChannel = Annotated[Channel | None, BeforeValidator(empty_to_none)]
OptionalKind = Annotated[PersonKind | None, BeforeValidator(empty_to_none)]
# An entry chosen from the directory; empty or null means a new person. The bounds apply to a
# number only (on `int | None` they would fail on None).
DirectoryId = Annotated[Annotated[int, Field(ge=1, le=MAX_ID)] | None,
                        BeforeValidator(empty_to_none)]


class PersonData(BaseModel):
    """A directory entry's details."""

    model_config = ConfigDict(hide_input_in_errors=True)

    kind: PersonKind
    name: Annotated[OutgoingText, Field(min_length=1, max_length=120)]
    email: Annotated[Email, Field(max_length=254)] = ""
    phone: Annotated[Phone, Field(max_length=32)] = ""
    address: Annotated[OutgoingMultilineText, Field(max_length=200)] = ""  # a postal address
    organisation: Annotated[OutgoingText, Field(max_length=200)] = ""

    @model_validator(mode="after")
    def _fields_for_kind(self) -> PersonData:
        if self.kind is PersonKind.PROFESSIONAL:
            self.address = ""  # a professional is reached at work
        else:
            self.organisation = ""
        return self


class PlaceData(BaseModel):
    """Where a member sits on the map (the "move" form)."""

    sector: Sector
    ring: Annotated[int, Field(ge=1, le=3)]


class MembershipData(Checked):
    """A person's place and role in one young person's network. Its rules all run
    (``rules.Checked``)."""

    model_config = ConfigDict(hide_input_in_errors=True)

    role: NetworkRole
    role_other: Annotated[OutgoingText, Field(max_length=60)] = ""
    sector: OptionalSector = None
    ring: Annotated[int, Field(ge=1, le=3)] = 2
    custody_holder: bool = False
    guardian: bool = False
    bisidder: bool = False
    invited_to_meetings: bool = False
    preferred_channel: OptionalChannel = None
    note: Annotated[OutgoingMultilineText, Field(max_length=500)] = ""
    youth_agreed: bool = False

    @rule
    def _other_role_described(self, context: Mapping[str, Any]) -> None:
        if self.role in OTHER_ROLES and not self.role_other:
            raise FieldError(N_("Describe the role or relation."), field="role_other")

    @model_validator(mode="after")
    def _defaults(self) -> MembershipData:
        if self.role not in OTHER_ROLES:
            self.role_other = ""
        if self.sector is None:
            self.sector = DEFAULT_SECTOR[ROLE_KIND[self.role]]
        return self


class MemberData(MembershipData):
    """A new member: an entry from the directory (`person_id`) or a new person."""

    person_id: DirectoryId = None
    kind: OptionalKind = None
    name: Annotated[OutgoingText, Field(max_length=120)] = ""
    email: Annotated[Email, Field(max_length=254)] = ""
    phone: Annotated[Phone, Field(max_length=32)] = ""
    address: Annotated[OutgoingMultilineText, Field(max_length=200)] = ""  # a postal address
    organisation: Annotated[OutgoingText, Field(max_length=200)] = ""

    @rule
    def _new_person_kind(self, context: Mapping[str, Any]) -> None:
        if self.person_id is None and self.kind is None:
            raise FieldError(N_("Choose relative or professional."), field="kind")

    @rule
    def _new_person_name(self, context: Mapping[str, Any]) -> None:
        if self.person_id is None and not self.name:
            raise FieldError(N_("This field is required."), field="name")

    def person(self) -> PersonData:
        assert self.kind is not None
        return PersonData(kind=self.kind, name=self.name, email=self.email, phone=self.phone,
                          address=self.address, organisation=self.organisation)

    def membership(self) -> MembershipData:
        return MembershipData.model_validate(
            self.model_dump(include=set(MembershipData.model_fields))
        )


class MemberUpdate(MembershipData):
    """A member changed: the membership, and the directory entry's contact details."""

    name: Annotated[OutgoingText, Field(min_length=1, max_length=120)]
    email: Annotated[Email, Field(max_length=254)] = ""
    phone: Annotated[Phone, Field(max_length=32)] = ""
    address: Annotated[OutgoingMultilineText, Field(max_length=200)] = ""  # a postal address
    organisation: Annotated[OutgoingText, Field(max_length=200)] = ""

    def person(self, kind: PersonKind) -> PersonData:
        return PersonData(kind=kind, name=self.name, email=self.email, phone=self.phone,
                          address=self.address, organisation=self.organisation)

    def membership(self) -> MembershipData:
        return MembershipData.model_validate(
            self.model_dump(include=set(MembershipData.model_fields))
        )


def is_adult(birth_date: date, today: date) -> bool:
    return birth_date + relativedelta(years=ADULT_AGE) <= today


def check_membership(data: MembershipData, kind: PersonKind, birth_date: date,
                     today: date) -> None:
    """The rules that need the person's kind and the young person's age; raises
    ``FieldErrors`` with every one that fails."""
    errors = []
    if kind not in ROLE_PERSON_KINDS[ROLE_KIND[data.role]]:
        if kind is PersonKind.PROFESSIONAL:
            errors.append(FieldError(N_("This role is for a relative or someone in the "
                                        "private network, not a professional."), field="role"))
        else:
            errors.append(FieldError(N_("This role is for a professional."), field="role"))
    if data.custody_holder and kind is PersonKind.PROFESSIONAL:
        errors.append(FieldError(N_("Only a parent or another relative can hold custody."),
                                 field="custody_holder"))
    elif data.custody_holder and is_adult(birth_date, today):
        errors.append(FieldError(
            N_("Custody ended when the young person turned 18. Untick custody holder; "
               "record a guardian (værge) if one has been appointed."),
            field="custody_holder",
        ))
    if errors:
        raise FieldErrors(errors)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str = ""
    phone: str = ""

    @property
    def key(self) -> str:
        return " ".join(self.name.casefold().split())

    @property
    def digits(self) -> str:
        digits = "".join(c for c in self.phone if c.isdigit())
        return digits[2:] if len(digits) == 10 and digits.startswith("45") else digits


def surely_same(a: Contact, b: Contact) -> bool:
    """The same name and the same e-mail address or phone number: one person (the directory
    reuses the entry instead of making a second)."""
    if a.key != b.key:
        return False
    return bool((a.email and a.email.lower() == b.email.lower())
                or (a.digits and a.digits == b.digits))


def maybe_same(a: Contact, b: Contact) -> bool:
    """The same name and nothing that tells them apart: taken as one person within a network."""
    if a.key != b.key:
        return False
    if surely_same(a, b):
        return True
    differ_email = bool(a.email and b.email)
    differ_phone = bool(a.digits and b.digits)
    return not (differ_email or differ_phone)
