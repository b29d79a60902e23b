"""The network map: reading a young person's network, adding, changing, moving and removing
members, and the directory of people they are drawn from.

Every query starts from a young person the user may see (`youths.get_visible` or
`get_for_view`, which apply `youth_access`), and a member is only found through that young
person, so a member id from another network is "not found". Each change writes an event row
and an audit row in the same transaction.

A person's name and contact details are shared by every network they are in. Changing them
is refused unless the user may see every young person whose network holds the person, and an
allowed change writes an event and an audit row for each of those young people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.domain.errors import add_errors
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
from app.domain.rules import FieldErrors
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.network import ROLE_KIND, NetworkMember, Person, PersonKind, RoleKind
from app.models.user import User
from app.models.youth import EventKind, Youth, YouthEvent
from app.services import audit, youths
from app.services.access import youth_access
from app.services.youths import ValidationFailedError

DIRECTORY_LIMIT = 20
CONTACT_FIELDS = ("name", "email", "phone", "address", "organisation")
SHARED_ELSEWHERE = N_(
    "%(name)s is also in the network of young people you do not have access to, so only "
    "someone with access to all of them, such as a coordinator, can change the name and "
    "contact details. You can still change the role, the place and the agreements in this "
    "network."
)


class MemberNotFoundError(Exception):
    pass


@dataclass(frozen=True)
class DirectoryEntry:
    """A directory entry as offered for reuse: e-mail and phone only when the user already
    sees the person in the network of a young person they may see."""

    id: int
    name: str
    organisation: str
    email: str = ""
    phone: str = ""


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


def _active_memberships(person_id: int) -> tuple[ColumnElement[bool], ...]:
    return (col(NetworkMember.person_id) == person_id, col(NetworkMember.removed_at).is_(None))


def _seen_by(session: Session, user: User, person_ids: list[int]) -> set[int]:
    """The people among `person_ids` who are in the network of a young person `user` may see."""
    if not person_ids:
        return set()
    return set(session.exec(
        select(NetworkMember.person_id).distinct()
        .join(Youth, col(Youth.id) == NetworkMember.youth_id)
        .where(col(NetworkMember.person_id).in_(person_ids),
               col(NetworkMember.removed_at).is_(None), youth_access(user))
    ))


def _entries(session: Session, user: User, people: list[Person]) -> list[DirectoryEntry]:
    seen = _seen_by(session, user, [p.id for p in people if p.id is not None])
    return [DirectoryEntry(p.id or 0, p.name, p.organisation,
                           *((p.email, p.phone) if p.id in seen else ()))
            for p in people]


def directory_search(session: Session, user: User, query: str,
                     limit: int = DIRECTORY_LIMIT) -> list[DirectoryEntry]:
    """Professionals in the directory whose name or organisation contains `query`.
    Relatives are not searchable: they belong to the networks they were entered in. A
    professional's name and workplace say nothing about which young people they work with;
    their e-mail and phone are shown only to users who see them in a network already."""
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
    return _entries(session, user, list(session.exec(stmt)))


def reusable_person(session: Session, user: User, person_id: int) -> Person | None:
    """A directory entry the user may put in a network: any professional, or a relative who
    is already in the network of a young person the user may see (siblings share parents)."""
    person = session.get(Person, person_id)
    if person is None or person.kind is PersonKind.PROFESSIONAL:
        return person
    return person if _seen_by(session, user, [person_id]) else None


def directory_entry(session: Session, user: User, person_id: int) -> DirectoryEntry | None:
    """`reusable_person` as offered on the add form."""
    person = reusable_person(session, user, person_id)
    return None if person is None else _entries(session, user, [person])[0]


def may_change_contact(session: Session, user: User, person_id: int) -> bool:
    """Whether `user` may see every young person whose network holds the person."""
    held = set(session.exec(select(NetworkMember.youth_id).where(
        *_active_memberships(person_id))))
    seen = set(session.exec(
        select(NetworkMember.youth_id).join(Youth, col(Youth.id) == NetworkMember.youth_id)
        .where(*_active_memberships(person_id), youth_access(user))))
    return held <= seen


def _event(session: Session, youth_id: int | None, user: User, kind: EventKind,
           detail: str) -> None:
    assert youth_id is not None
    session.add(YouthEvent(youth_id=youth_id, actor_id=user.id, kind=kind, detail=detail[:500]))


def _audit(session: Session, user: User, action: AuditAction, youth_id: int | None,
           member_id: int | None, detail: str = "") -> None:
    audit.record(session, action, user_id=user.id, object_type="network_member",
                 object_id=member_id or "", youth_id=youth_id, detail=detail)


def _describe(person: Person, member: NetworkMember) -> str:
    """The history's detail of a change to a member: who (their role is on the map)."""
    return person.name


def _checked(data: MembershipData, kind: PersonKind, youth: Youth, today: date) -> None:
    try:
        check_membership(data, kind, youth.birth_date, today)
    except FieldErrors as exc:
        raise ValidationFailedError(add_errors({}, exc.errors, "role")) from None


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
    # shares the entry's lock, so a change of its details waits for this network or is seen
    session.exec(select(Person.id).where(col(Person.id) == person.id)
                 .with_for_update(read=True)).one()
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
    _event(session, youth.id, user, EventKind.NETWORK_MEMBER_ADDED, _describe(person, member))
    _audit(session, user, AuditAction.CREATE, youth.id, member.id)
    session.flush()
    return MemberView(member, person, is_adult(youth.birth_date, today))


def _changed_contact(person: Person, details: PersonData) -> list[str]:
    return [f for f in CONTACT_FIELDS if getattr(person, f) != getattr(details, f)]


def _reached_elsewhere(session: Session, user: User, person: Person, member: NetworkMember,
                       changed: list[str]) -> list[NetworkMember]:
    """The person's places in other networks, which a change of their details reaches.
    Refuses unless the user may see every one of those young people. The entry is locked
    first, so nobody adds the person to another network until the change is committed."""
    assert person.id is not None
    session.exec(select(Person).where(col(Person.id) == person.id).with_for_update()
                 .execution_options(populate_existing=True)).one()
    if not may_change_contact(session, user, person.id):
        raise ValidationFailedError({changed[0]: Msg(SHARED_ELSEWHERE, name=person.name)},
                                    forbidden=True)
    return list(session.exec(
        select(NetworkMember)
        .where(*_active_memberships(person.id), col(NetworkMember.id) != member.id)
        .order_by(col(NetworkMember.youth_id))
    ))


def _record_reach(session: Session, user: User, youth: Youth, person: Person,
                  reached: list[NetworkMember], changed: list[str]) -> None:
    """An event and an audit row for each other young person whose network shows the change."""
    fields = ", ".join(changed)
    for other in reached:
        _event(session, other.youth_id, user, EventKind.NETWORK_MEMBER_CHANGED,
               f"{person.name}: {fields} changed in another network")
        _audit(session, user, AuditAction.UPDATE, other.youth_id, other.id,
               f"contact details changed in the network of young person {youth.id}: {fields}")


def update_member(session: Session, user: User, youth_id: int, member_id: int,
                  data: MemberUpdate, today: date) -> MemberView:
    """Changes the membership and the directory entry (the contact details are shared by
    every network the person is in, so changing them needs access to all of those)."""
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
    changed = _changed_contact(person, details)
    reached = _reached_elsewhere(session, user, person, member, changed) if changed else []
    moved = (member.sector, member.ring) != (membership.sector, membership.ring)
    if changed:
        for key, value in details.model_dump(exclude={"kind"}).items():
            setattr(person, key, value)
        person.name_search = name_key(person.name, person.organisation)
        person.updated_at = utcnow()
        session.add(person)
    for key, value in membership.model_dump().items():
        setattr(member, key, value)
    member.updated_at = utcnow()
    session.add(member)
    _event(session, youth.id, user, EventKind.NETWORK_MEMBER_CHANGED, _describe(person, member))
    if moved:
        _event(session, youth.id, user, EventKind.NETWORK_MEMBER_MOVED, person.name)
    _audit(session, user, AuditAction.UPDATE, youth.id, member.id,
           f"contact details changed: {', '.join(changed)}" if changed else "")
    _record_reach(session, user, youth, person, reached, changed)
    session.flush()
    return view


def move_member(session: Session, user: User, youth_id: int, member_id: int,
                place: PlaceData, today: date) -> MemberView:
    youth, view = get_member(session, user, youth_id, member_id, today)
    member = view.member
    if (member.sector, member.ring) == (place.sector, place.ring):
        return view
    member.sector, member.ring, member.updated_at = place.sector, place.ring, utcnow()
    session.add(member)
    _event(session, youth.id, user, EventKind.NETWORK_MEMBER_MOVED, view.person.name)
    _audit(session, user, AuditAction.UPDATE, youth.id, member.id, "moved")
    session.flush()
    return view


def mark_removed(session: Session, user: User, youth: Youth, view: MemberView, now: datetime,
                 uninvited: int) -> None:
    """The member leaves this network; the row stays, marked removed, and so does the directory
    entry. Their invitations are the caller's (services/member_removal)."""
    member = view.member
    member.removed_at, member.removed_by_id = now, user.id
    session.add(member)
    _event(session, youth.id, user, EventKind.NETWORK_MEMBER_REMOVED,
           _describe(view.person, member))
    _audit(session, user, AuditAction.DELETE, youth.id, member.id,
           f"uninvited from {uninvited} meetings" if uninvited else "")
    session.flush()


def as_form(view: MemberView) -> dict[str, Any]:
    """A member as form values."""
    values: dict[str, Any] = view.member.model_dump(
        exclude={"id", "youth_id", "created_at", "updated_at", "created_by_id", "removed_at",
                 "removed_by_id"})
    values.update(view.person.model_dump(include={"name", "email", "phone", "address",
                                                  "organisation", "kind"}))
    return values
