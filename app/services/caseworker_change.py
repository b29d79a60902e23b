"""Changing a young person's coordinating caseworker or buddy.

One transaction records the change (its kind and the handover note), updates the case,
writes the event and audit rows, and writes a letter to the young person and to each custody
holder or guardian in the network, for the channel the communication agreement names. The
letters wait in the outbox, written in the same transaction. The new caseworker sees the
handover note the first time they open the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.domain.caseworker_change import (
    Caseworker,
    ChangeData,
    Recipient,
    change_letter,
    letter_channel,
)
from app.domain.letters import CHANGE_TEMPLATES
from app.domain.validation import FieldError
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.caseworker import CaseRole, CaseworkerChange, ChangeKind
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import User
from app.models.youth import Channel, EventKind, Youth, YouthEvent, YouthStatus
from app.services import audit, letter_templates, network, outbox, youths
from app.services.access import youth_access
from app.services.youths import ValidationFailedError
from app.settings import Settings

ROLE_FIELD = {CaseRole.COORDINATOR: "coordinator_id", CaseRole.BUDDY: "buddy_id"}


@dataclass
class ChangeResult:
    change: CaseworkerChange
    letters: list[OutboxMessage] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # names nobody could write to
    buddy_cleared: bool = False


def _new_caseworker(session: Session, data: ChangeData, youth: Youth,
                    errors: dict[str, Msg]) -> User | None:
    """The new caseworker; what is wrong with the choice goes into `errors`."""
    user = session.get(User, data.to_user_id)
    if user is None or not user.is_active or not user.is_caseworker:
        errors["to_user_id"] = Msg(N_("Choose a caseworker from the list."))
        return None
    current = getattr(youth, ROLE_FIELD[data.role])
    if current == user.id:
        errors["to_user_id"] = Msg(N_("%(name)s already has this role."), name=user.full_name)
    elif data.role is CaseRole.BUDDY and youth.coordinator_id == user.id:
        errors["to_user_id"] = Msg(
            N_("The buddy must be someone other than the coordinating caseworker."))
    return user


def recipients(session: Session, youth: Youth, today: date) -> list[Recipient]:
    """The young person, and each custody holder (until the 18th birthday) or guardian."""
    agreed = youth.comm_channel
    address = ", ".join(p for p in (youth.address, f"{youth.postal_code} {youth.city}".strip())
                        if p)
    people = [Recipient(
        name=youth.first_name, is_youth=True, preferred=agreed, email=youth.email,
        address=address if youth.address else "", phone=youth.phone,
        digital_post=youth.cpr is not None,
    )]
    for view in network.members(session, youth, today):
        if view.holds_custody or view.member.guardian:
            person = view.person
            people.append(Recipient(
                name=person.name, is_youth=False,
                preferred=view.member.preferred_channel or agreed, email=person.email,
                address=person.address, phone=person.phone, member_id=view.member.id,
            ))
    return people


def _letters(session: Session, settings: Settings, youth: Youth, change: CaseworkerChange,
             old: User | None, new: User, sender: User,
             today: date) -> tuple[list[OutboxMessage], list[str]]:
    letters: list[OutboxMessage] = []
    unreachable: list[str] = []
    template = letter_templates.texts(session, CHANGE_TEMPLATES[change.kind.value])
    for person in recipients(session, youth, today):
        channel = letter_channel(person)
        if channel is None:
            unreachable.append(person.name)
            continue
        subject, body = change_letter(
            template, role=change.role, recipient_name=person.name,
            to_youth=person.is_youth, youth_first_name=youth.first_name,
            old=old.full_name if old else "", new=Caseworker(new.full_name, new.email, new.phone),
            ends_on=change.ends_on, sender=sender.full_name,
        )
        who = "youth" if person.is_youth else f"member:{person.member_id}"
        letters.append(outbox.enqueue(
            session, settings, kind=OutboxKind.CASEWORKER_CHANGED, youth_id=youth.id,
            channel=channel, recipient_name=person.name,
            recipient_email=person.email if channel is Channel.EMAIL else None,
            recipient_address=person.address if channel is Channel.LETTER else "",
            recipient_phone=person.phone, subject=subject, body=body,
            dedupe_key=f"caseworker_changed:{change.id}:{who}"[:120], created_by_id=sender.id,
        ))
    return letters, unreachable


def change_caseworker(session: Session, user: User, youth_id: int, data: ChangeData,
                      today: date, settings: Settings) -> ChangeResult:
    youth = youths.get_visible(session, user, youth_id)
    errors: dict[str, Msg] = {}  # every error at once
    try:
        data.check_dates(today)
    except FieldError as exc:
        errors[exc.field or "ends_on"] = exc.msg
    field_name = ROLE_FIELD[data.role]
    old_id = getattr(youth, field_name)
    if old_id is None:
        errors["role"] = Msg(N_("No one has this role yet. Choose the first one under Edit."))
    new = _new_caseworker(session, data, youth, errors)
    if errors or new is None:
        raise ValidationFailedError(errors)
    old = session.get(User, old_id)
    assert new.id is not None
    change = CaseworkerChange(
        youth_id=youth_id, role=data.role, kind=data.kind, from_user_id=old_id,
        to_user_id=new.id, ends_on=data.ends_on, handover_note=data.handover_note,
        created_by_id=user.id,
    )
    result = ChangeResult(change)
    setattr(youth, field_name, new.id)
    if data.role is CaseRole.COORDINATOR and youth.buddy_id == new.id:
        # The buddy takes over. For a while: the coordinator who is away becomes the buddy;
        # for good: a new buddy is to be chosen.
        temporary = data.kind is ChangeKind.PLANNED_TEMPORARY
        youth.buddy_id = old_id if temporary else None
        result.buddy_cleared = not temporary
    youth.updated_at = utcnow()
    session.add_all([youth, change])
    session.flush()
    session.add(YouthEvent(
        youth_id=youth_id, actor_id=user.id, kind=EventKind.CASEWORKER_CHANGED,
        detail=f"{data.role.value}: {old.full_name if old else '-'} -> {new.full_name} "
               f"({data.kind.value})",
    ))
    audit.record(session, AuditAction.UPDATE, user_id=user.id, object_type="caseworker_change",
                 object_id=change.id or "", youth_id=youth_id)
    result.letters, result.unreachable = _letters(session, settings, youth, change, old, new,
                                                  user, today)
    session.flush()
    return result


def open_handover_notes(session: Session, user: User, youth_id: int) -> list[CaseworkerChange]:
    """Handover notes to `user` for this case that they have not seen: returned once, and
    recorded as seen (with an event row), so they are shown the first time the case opens."""
    notes = list(session.exec(
        select(CaseworkerChange)
        .where(CaseworkerChange.youth_id == youth_id, CaseworkerChange.to_user_id == user.id,
               col(CaseworkerChange.note_seen_at).is_(None))
        .order_by(col(CaseworkerChange.created_at))
    ))
    if not notes:
        return []
    now = utcnow()
    for note in notes:
        note.note_seen_at = now
        session.add(note)
        session.add(YouthEvent(youth_id=youth_id, actor_id=user.id,
                               kind=EventKind.HANDOVER_NOTE_SEEN, detail=note.role.value))
    session.flush()
    return notes


def history(session: Session, youth_id: int) -> list[CaseworkerChange]:
    return list(session.exec(
        select(CaseworkerChange).where(CaseworkerChange.youth_id == youth_id)
        .order_by(col(CaseworkerChange.created_at).desc(), col(CaseworkerChange.id).desc())
    ))


ENDING_SOON_DAYS = 7


def temporary_changes_ending(session: Session, user: User, today: date
                             ) -> list[tuple[CaseworkerChange, Youth]]:
    """Planned temporary changes that end within a week, or have ended, while the stand-in
    still has the role: for the stand-in and for the caseworker who comes back, so that one
    of them changes it back (and the family is told). The latest change of each role only."""
    later = aliased(CaseworkerChange)
    newer_exists = (
        select(col(later.id)).where(col(later.youth_id) == CaseworkerChange.youth_id,
                                    col(later.role) == CaseworkerChange.role,
                                    col(later.id) > col(CaseworkerChange.id))
        .exists()
    )
    still_standing_in = or_(
        and_(col(CaseworkerChange.role) == CaseRole.COORDINATOR,
             col(Youth.coordinator_id) == CaseworkerChange.to_user_id),
        and_(col(CaseworkerChange.role) == CaseRole.BUDDY,
             col(Youth.buddy_id) == CaseworkerChange.to_user_id),
    )
    # The user's changes first, on their own: joined to the young people straight away,
    # a planner may start from the whole register (changes are few, young people many).
    mine = list(session.exec(
        select(col(CaseworkerChange.id))
        .where(col(CaseworkerChange.kind) == ChangeKind.PLANNED_TEMPORARY,
               col(CaseworkerChange.ends_on).is_not(None),
               col(CaseworkerChange.ends_on) <= today + timedelta(days=ENDING_SOON_DAYS),
               or_(col(CaseworkerChange.to_user_id) == user.id,
                   col(CaseworkerChange.from_user_id) == user.id))))
    if not mine:
        return []
    rows = session.exec(
        select(CaseworkerChange, Youth).join(Youth, col(Youth.id) == CaseworkerChange.youth_id)
        .where(col(CaseworkerChange.id).in_(mine),
               col(Youth.status) == YouthStatus.ACTIVE, still_standing_in, ~newer_exists,
               youth_access(user))
        .order_by(col(CaseworkerChange.ends_on), col(CaseworkerChange.id))
    )
    return [(change, youth) for change, youth in rows]
