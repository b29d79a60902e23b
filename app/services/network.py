"""The network map: reading a young person's network, adding, changing, moving and removing
members, and the directory of people they are drawn from.

Every query starts from a young person the user may see (`youths.get_visible` or
`get_for_view`, which apply `youth_access`), and a member is only found through that young
person, so a member id from another network is "not found". Each change writes an event row
and an audit row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.domain import meeting_labels
from app.domain.network import SECTORS
from app.domain.network_input import (
    Contact,
    MemberData,
    MembershipData,
    MemberUpdate,
    PersonData,
    PlaceData,
    check_membership,
    is_adult,
    maybe_same,
    surely_same,
)
from app.domain.validation import FieldError
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.meeting import Meeting, MeetingInvitee, MeetingKind, MeetingStatus
from app.models.network import ROLE_KIND, NetworkMember, Person, PersonKind, RoleKind
from app.models.user import User
from app.models.youth import EventKind, Youth, YouthEvent
from app.services import audit, youths
from app.services.access import youth_access
from app.services.youths import ValidationFailedError
from app.settings import Settings

DIRECTORY_LIMIT = 20


class MemberNotFoundError(Exception):
    pass


@dataclass(frozen=True)
class FutureInvitation:
    """A member's invitation to a planned meeting that lies ahead."""

    meeting_id: int
    invitee_id: int
    kind: MeetingKind
    starts_at: datetime

    @property
    def title(self) -> str:
        """A message id: translate where it is shown."""
        return meeting_labels.KIND[self.kind]


class ConfirmationNeededError(Exception):
    def __init__(self, invitations: list[FutureInvitation]) -> None:
        super().__init__("removing this member also cancels their invitations")
        self.invitations = invitations


@dataclass(frozen=True)
class MemberView:
    member: NetworkMember
    person: Person
    youth_is_adult: bool

    @property
    def id(self) -> int:
        assert self.member.id is not None
        return self.member.id

    @property
    def kind(self) -> RoleKind:
        return ROLE_KIND[self.member.role]

    @property
    def custody_ended(self) -> bool:
        """Recorded as custody holder, but custody ended at the 18th birthday."""
        return self.member.custody_holder and self.youth_is_adult

    @property
    def holds_custody(self) -> bool:
        return self.member.custody_holder and not self.youth_is_adult


def name_key(name: str, organisation: str = "") -> str:
    return " ".join(f"{name} {organisation}".casefold().split())[:330]


def members(session: Session, youth: Youth, today: date) -> list[MemberView]:
    """The network of a young person the caller has already found through the access rule."""
    adult = is_adult(youth.birth_date, today)
    stmt = (
        select(NetworkMember, Person)
        .join(Person, col(Person.id) == NetworkMember.person_id)
        .where(NetworkMember.youth_id == youth.id, col(NetworkMember.removed_at).is_(None))
        .order_by(col(NetworkMember.id))
    )
    views = [MemberView(m, p, adult) for m, p in session.exec(stmt)]
    return sorted(views, key=lambda v: (SECTORS.index(v.member.sector), v.member.ring,
                                        v.person.name.casefold()))


def get_member(session: Session, user: User, youth_id: int, member_id: int,
               today: date) -> tuple[Youth, MemberView]:
    """One member, only through a young person the user may see."""
    youth = youths.get_visible(session, user, youth_id)
    found = session.exec(
        select(NetworkMember, Person)
        .join(Person, col(Person.id) == NetworkMember.person_id)
        .where(NetworkMember.id == member_id, NetworkMember.youth_id == youth.id,
               col(NetworkMember.removed_at).is_(None))
    ).first()
    if found is None:
        raise MemberNotFoundError()
    return youth, MemberView(found[0], found[1], is_adult(youth.birth_date, today))


def directory_search(session: Session, query: str, limit: int = DIRECTORY_LIMIT) -> list[Person]:
    """Professionals in the directory whose name or organisation contains `query`.
    Relatives are not searchable: they belong to the networks they were entered in."""
    query = " ".join(query.casefold().split())
    if len(query) < 2:
        return []
    stmt = (
        select(Person)
        .where(col(Person.kind) == PersonKind.PROFESSIONAL,
               col(Person.name_search).contains(query))
        .order_by(col(Person.name), col(Person.id))
        .limit(limit)
    )
    return list(session.exec(stmt))


def reusable_person(session: Session, user: User, person_id: int) -> Person | None:
    """A directory entry the user may put in a network: any professional, or a relative who
    is already in the network of a young person the user may see (siblings share parents)."""
    person = session.get(Person, person_id)
    if person is None or person.kind is PersonKind.PROFESSIONAL:
        return person
    seen = session.exec(
        select(NetworkMember.id)
        .join(Youth, col(Youth.id) == NetworkMember.youth_id)
        .where(NetworkMember.person_id == person_id, youth_access(user))
    ).first()
    return person if seen is not None else None


def _event(session: Session, youth: Youth, user: User, kind: EventKind, detail: str) -> None:
    assert youth.id is not None
    session.add(YouthEvent(youth_id=youth.id, actor_id=user.id, kind=kind, detail=detail[:500]))


def _audit(session: Session, user: User, action: AuditAction, youth: Youth,
           member_id: int | None, detail: str = "") -> None:
    audit.record(session, action, user_id=user.id, object_type="network_member",
                 object_id=member_id or "", youth_id=youth.id, detail=detail)


def _describe(person: Person, member: NetworkMember) -> str:
    role = member.role_other or member.role.value
    return f"{person.name} ({role})"


def _checked(data: MembershipData, kind: PersonKind, youth: Youth, today: date) -> None:
    try:
        check_membership(data, kind, youth.birth_date, today)
    except FieldError as exc:
        raise ValidationFailedError({exc.field or "role": exc.msg}) from None


def _already(person_name: str) -> ValidationFailedError:
    return ValidationFailedError(
        {"name": Msg(N_("%(name)s is already in the network."), name=person_name)},
        conflict=True,
    )


def _duplicate_in_network(current: list[MemberView], contact: Contact,
                          exclude_id: int | None = None) -> MemberView | None:
    for view in current:
        other = Contact(view.person.name, view.person.email, view.person.phone)
        if view.member.id != exclude_id and maybe_same(contact, other):
            return view
    return None


def _directory_match(session: Session, data: PersonData) -> Person | None:
    """An existing professional with the same name and e-mail or phone: reused, not copied."""
    if data.kind is not PersonKind.PROFESSIONAL:
        return None
    contact = Contact(data.name, data.email, data.phone)
    candidates = session.exec(
        select(Person).where(col(Person.kind) == PersonKind.PROFESSIONAL,
                             col(Person.name_search).startswith(name_key(data.name)))
    )
    for person in candidates:
        if surely_same(contact, Contact(person.name, person.email, person.phone)):
            return person
    return None


def _new_person(session: Session, user: User, data: PersonData) -> Person:
    person = Person(created_by_id=user.id, **data.model_dump())
    person.name_search = name_key(data.name, data.organisation)
    session.add(person)
    session.flush()
    return person


def _resolve_person(session: Session, user: User, youth: Youth, data: MemberData,
                    current: list[MemberView]) -> Person:
    if data.person_id is not None:
        person = reusable_person(session, user, data.person_id)
        if person is None:
            raise ValidationFailedError(
                {"person_id": Msg(N_("Choose a person from the directory."))})
        if any(v.person.id == person.id for v in current):
            raise _already(person.name)
        return person
    details = data.person()
    twin = _duplicate_in_network(current, Contact(details.name, details.email, details.phone))
    if twin is not None:
        raise _already(twin.person.name)
    return _directory_match(session, details) or _new_person(session, user, details)


def add_member(session: Session, user: User, youth_id: int, data: MemberData,
               today: date) -> MemberView:
    youth = youths.get_visible(session, user, youth_id)
    current = members(session, youth, today)
    person = _resolve_person(session, user, youth, data, current)
    membership = data.membership()
    _checked(membership, person.kind, youth, today)
    assert youth.id is not None and person.id is not None
    member = session.exec(  # someone removed earlier comes back on their old row
        select(NetworkMember).where(NetworkMember.youth_id == youth.id,
                                    NetworkMember.person_id == person.id)
    ).first()
    if member is None:
        assert membership.sector is not None  # the role's sector when none was chosen
        member = NetworkMember(youth_id=youth.id, person_id=person.id, sector=membership.sector,
                               role=membership.role, created_by_id=user.id)
    for key, value in membership.model_dump().items():
        setattr(member, key, value)
    member.removed_at = member.removed_by_id = None
    member.updated_at = utcnow()
    session.add(member)
    try:
        session.flush()
    except IntegrityError:  # the same person added twice at once
        session.rollback()
        raise _already(person.name) from None
    _event(session, youth, user, EventKind.NETWORK_MEMBER_ADDED, _describe(person, member))
    _audit(session, user, AuditAction.CREATE, youth, member.id)
    session.commit()
    return MemberView(member, person, is_adult(youth.birth_date, today))


def update_member(session: Session, user: User, youth_id: int, member_id: int,
                  data: MemberUpdate, today: date) -> MemberView:
    """Changes the membership and the directory entry (the contact details are shared by
    every network the person is in)."""
    youth, view = get_member(session, user, youth_id, member_id, today)
    member, person = view.member, view.person
    details = data.person(person.kind)
    current = members(session, youth, today)
    twin = _duplicate_in_network(current, Contact(details.name, details.email, details.phone),
                                 exclude_id=member.id)
    if twin is not None:
        raise _already(twin.person.name)
    membership = data.membership()
    _checked(membership, person.kind, youth, today)
    moved = (member.sector, member.ring) != (membership.sector, membership.ring)
    old_place = f"{member.sector.value}/{member.ring}"
    for key, value in details.model_dump(exclude={"kind"}).items():
        setattr(person, key, value)
    person.name_search = name_key(person.name, person.organisation)
    person.updated_at = utcnow()
    for key, value in membership.model_dump().items():
        setattr(member, key, value)
    member.updated_at = utcnow()
    session.add_all([person, member])
    _event(session, youth, user, EventKind.NETWORK_MEMBER_CHANGED, _describe(person, member))
    if moved:
        _event(session, youth, user, EventKind.NETWORK_MEMBER_MOVED,
               f"{person.name}: {old_place} -> {member.sector.value}/{member.ring}")
    _audit(session, user, AuditAction.UPDATE, youth, member.id)
    session.commit()
    return view


def move_member(session: Session, user: User, youth_id: int, member_id: int,
                place: PlaceData, today: date) -> MemberView:
    youth, view = get_member(session, user, youth_id, member_id, today)
    member = view.member
    if (member.sector, member.ring) == (place.sector, place.ring):
        return view
    old_place = f"{member.sector.value}/{member.ring}"
    member.sector, member.ring, member.updated_at = place.sector, place.ring, utcnow()
    session.add(member)
    _event(session, youth, user, EventKind.NETWORK_MEMBER_MOVED,
           f"{view.person.name}: {old_place} -> {place.sector.value}/{place.ring}")
    _audit(session, user, AuditAction.UPDATE, youth, member.id, "moved")
    session.commit()
    return view


def future_meeting_invitations(session: Session, member: NetworkMember,
                               now: datetime) -> list[FutureInvitation]:
    """The member's standing invitations to planned meetings that have not started yet."""
    rows = session.exec(
        select(MeetingInvitee, Meeting)
        .join(Meeting, col(Meeting.id) == MeetingInvitee.meeting_id)
        .where(MeetingInvitee.member_id == member.id, col(MeetingInvitee.removed_at).is_(None),
               col(Meeting.status) == MeetingStatus.PLANNED, col(Meeting.starts_at) > now)
        .order_by(col(Meeting.starts_at))
    )
    return [FutureInvitation(m.id or 0, i.id or 0, m.kind, m.starts_at) for i, m in rows]


def remove_member(session: Session, settings: Settings, user: User, youth_id: int,
                  member_id: int, today: date, now: datetime, *,
                  uninvite: bool = False) -> MemberView:
    """Takes the member off this network; the row stays, marked removed, and so does the
    directory entry. When they are invited to a meeting ahead, refuses unless `uninvite`
    confirms that they are taken off those invitation lists first (each meeting tells them,
    as an uninvite does). One transaction: the member is removed with all their invitations
    or not at all."""
    from app.services import meetings  # meetings reads the network: import at use

    youth, view = get_member(session, user, youth_id, member_id, today)
    invitations = future_meeting_invitations(session, view.member, now)
    if invitations and not uninvite:
        raise ConfirmationNeededError(invitations)
    for invitation in invitations:
        meetings.remove_invitee(session, settings, user, invitation.meeting_id,
                                invitation.invitee_id, now, commit=False)
    member = view.member
    member.removed_at, member.removed_by_id = now, user.id
    session.add(member)
    _event(session, youth, user, EventKind.NETWORK_MEMBER_REMOVED, _describe(view.person, member))
    _audit(session, user, AuditAction.DELETE, youth, member.id,
           f"uninvited from {len(invitations)} meetings" if invitations else "")
    session.commit()
    return view


def as_form(view: MemberView) -> dict[str, Any]:
    """A member as form values."""
    values: dict[str, Any] = view.member.model_dump(
        exclude={"id", "youth_id", "created_at", "updated_at", "created_by_id", "removed_at",
                 "removed_by_id"})
    values.update(view.person.model_dump(include={"name", "email", "phone", "address",
                                                  "organisation", "kind"}))
    return values
