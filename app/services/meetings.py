"""Meetings about a young person: plan, change, cancel, invite and uninvite, answers,
minutes and action points.

Every read goes through the access rule (``youths.get_visible``). Every change raises the
meeting's SEQUENCE when it sends a message, writes its event row and audit row, and writes
its messages to the outbox, all in one transaction.

Everything people write here is sent to the participants: the agenda and place
(``MeetingData``), the minutes, decisions and action points, and the names on the invitee
list. Each refuses a CPR-like number with the one message ``validation.CPR_IN_TEXT`` on
its own field, and ``meeting_mail`` checks the stored texts once more before a message is
written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.domain import ical, itip, labels, meeting_people
from app.domain.errors import add_errors
from app.domain.meeting import MeetingData, ReplyClaim, no_six_digits_in_a_row
from app.domain.timeline import FIRST_MEETING_STEP_KEY
from app.domain.validation import CPR_IN_TEXT, FieldError, refuse_cpr
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.meeting import (
    ActionPoint,
    Answer,
    AnsweredVia,
    Meeting,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
)
from app.models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from app.models.user import User
from app.models.youth import Channel, EventKind, Youth, YouthEvent
from app.services import audit, network, timeline, youths
from app.services.meeting_mail import queue
from app.services.youths import ValidationFailedError
from app.settings import Settings


class MeetingNotFoundError(Exception):
    pass


@dataclass(frozen=True)
class Candidate:
    """Someone who can be invited: the young person, a network member or a caseworker."""

    key: str
    name: str
    role_label: str
    email: str
    phone: str
    address: str
    member_id: int | None = None
    user_id: int | None = None
    suggested: bool = False


@dataclass(frozen=True)
class Choice:
    key: str
    required: bool = True
    channel: Channel | None = None  # LETTER or PHONE for someone without an e-mail address


# --- reading ------------------------------------------------------------------------------------


def get(session: Session, user: User, meeting_id: int) -> tuple[Meeting, Youth]:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise MeetingNotFoundError()
    youth = youths.get_visible(session, user, meeting.youth_id)  # the access rule
    return meeting, youth


def for_youth(session: Session, youth: Youth) -> list[Meeting]:
    return list(session.exec(
        select(Meeting).where(Meeting.youth_id == youth.id)
        .order_by(col(Meeting.starts_at).desc())
    ))


def invitees(session: Session, meeting: Meeting, *, current: bool = True) -> list[MeetingInvitee]:
    query = select(MeetingInvitee).where(MeetingInvitee.meeting_id == meeting.id)
    if current:
        query = query.where(col(MeetingInvitee.removed_at).is_(None))
    return list(session.exec(query.order_by(col(MeetingInvitee.id))))


def messages(session: Session, meeting: Meeting) -> list[OutboxMessage]:
    return list(session.exec(
        select(OutboxMessage).where(OutboxMessage.meeting_id == meeting.id)
        .order_by(col(OutboxMessage.id))
    ))


def failed_messages_for_organiser(session: Session, user: User) -> list[OutboxMessage]:
    return list(session.exec(
        select(OutboxMessage).join(Meeting, col(Meeting.id) == OutboxMessage.meeting_id)
        .where(Meeting.organiser_id == user.id,
               col(OutboxMessage.status) == OutboxStatus.FAILED)
        .order_by(col(OutboxMessage.id).desc()).limit(50)
    ))


def candidates(session: Session, youth: Youth, today: date) -> list[Candidate]:
    address = ", ".join(p for p in (youth.address, f"{youth.postal_code} {youth.city}".strip())
                        if p)
    out = [Candidate("y", youth.full_name, labels.YOUNG_PERSON, youth.email, youth.phone,
                     address, suggested=True)]
    for view in network.members(session, youth, today):
        out.append(Candidate(
            f"m{view.id}", view.person.name,
            labels.network_role(view.member.role, view.member.role_other),
            view.person.email, view.person.phone,
            view.person.address, member_id=view.id,
            suggested=view.member.invited_to_meetings,
        ))
    for user in youths.users_by_id(session, meeting_people.case_staff_ids(youth)).values():
        if user.is_active:
            out.append(Candidate(f"u{user.id}", user.full_name, labels.STAFF_ON_CASE, user.email,
                                 user.phone, "", user_id=user.id, suggested=True))
    return out


def not_invited(session: Session, meeting: Meeting, youth: Youth,
                today: date) -> list[Candidate]:
    """Who could still be invited: the candidates not on the list already."""
    return meeting_people.still_invitable(candidates(session, youth, today),
                                          invitees(session, meeting))


def owners(session: Session, meeting: Meeting, youth: Youth) -> list[User]:
    """Who may own an action point of the meeting, by name."""
    ids = meeting_people.action_owner_ids(
        youth, meeting.organiser_id, (i.user_id for i in invitees(session, meeting)))
    return meeting_people.active(youths.users_by_id(session, ids).values())


# --- helpers ------------------------------------------------------------------------------------


def _event(session: Session, meeting: Meeting, user: User, kind: EventKind, detail: str) -> None:
    session.add(YouthEvent(youth_id=meeting.youth_id, actor_id=user.id, kind=kind,
                           detail=detail[:500]))
    audit.record(session, AuditAction.CREATE if kind is EventKind.MEETING_PLANNED
                 else AuditAction.UPDATE, user_id=user.id, object_type="meeting",
                 object_id=meeting.id or "", youth_id=meeting.youth_id, detail=kind.value)


def _check_when(settings: Settings, data: MeetingData, now: datetime) -> tuple[datetime, datetime]:
    errors = data.when_errors(now, settings.tz)
    if errors:
        raise ValidationFailedError(add_errors({}, errors, "day"))
    return data.span(settings.tz)


def _invitee(candidate: Candidate, choice: Choice) -> MeetingInvitee:
    channel = Channel.EMAIL if candidate.email else choice.channel
    if channel is None:
        raise ValidationFailedError({f"inv_{candidate.key}": Msg(N_(
            "%(name)s has no e-mail address. Choose a letter or a phone call instead."),
            name=candidate.name)})
    if channel is Channel.PHONE and not candidate.phone:
        raise ValidationFailedError({f"inv_{candidate.key}": Msg(N_(
            "%(name)s has no phone number either. Choose a letter."), name=candidate.name)})
    _refuse_cpr((f"inv_{candidate.key}", text) for text in (
        candidate.name, candidate.role_label, candidate.email, candidate.phone,
        candidate.address))
    return MeetingInvitee(
        meeting_id=0, member_id=candidate.member_id, user_id=candidate.user_id,
        name=candidate.name, role_label=candidate.role_label[:80], email=candidate.email,
        phone=candidate.phone, address=candidate.address, channel=channel,
        required=choice.required,
    )


def _resolve(session: Session, youth: Youth, today: date, choices: Sequence[Choice],
             errors: dict[str, Msg]) -> list[MeetingInvitee]:
    """The chosen invitees; what is wrong with each choice goes into `errors`."""
    by_key = {c.key: c for c in candidates(session, youth, today)}
    out = []
    for choice in choices:
        candidate = by_key.get(choice.key)
        try:
            if candidate is None:
                raise ValidationFailedError(
                    {"invitees": Msg(N_("Choose invitees from the list."))})
            out.append(_invitee(candidate, choice))
        except ValidationFailedError as exc:
            for name, msg in exc.errors.items():
                errors.setdefault(name, msg)
    return out


def _at_least_one(choices: Sequence[Choice], errors: dict[str, Msg]) -> None:
    if not choices:
        errors.setdefault("invitees", Msg(N_("Invite at least one person.")))


def invitee_errors(session: Session, youth: Youth, today: date,
                   choices: Sequence[Choice]) -> dict[str, Msg]:
    """What is wrong with the chosen invitees, for a plan form that has other errors too
    (``plan`` checks the same)."""
    errors: dict[str, Msg] = {}
    _resolve(session, youth, today, choices, errors)
    _at_least_one(choices, errors)
    return errors


def _refuse_cpr(texts: Iterable[tuple[str, str]]) -> None:
    try:
        refuse_cpr(texts)
    except FieldError as exc:
        raise ValidationFailedError({exc.field or "__all__": exc.msg}) from None


def _new_uid() -> str:
    """A random UUID (version 4) for every invite and feed of a meeting, with no six digits
    in a row, so it never reads as a CPR number (about one UUID in four is passed over;
    what is left still has more than 121 random bits)."""
    while True:
        uid = str(uuid.uuid4())
        if no_six_digits_in_a_row(uid):
            return uid


def _send(session: Session, settings: Settings, kind: OutboxKind, meeting: Meeting,
          youth: Youth, sender: User, now: datetime, to: Sequence[MeetingInvitee],
          calendar_to: Sequence[MeetingInvitee] | None = None) -> None:
    organiser = session.get(User, meeting.organiser_id)
    assert organiser is not None
    try:
        queue(session, settings, kind=kind, meeting=meeting, youth=youth,
              organiser_user=organiser, invitees=to,
              calendar_to=to if calendar_to is None else calendar_to, sender=sender, now=now)
    except FieldError as exc:  # a stored text people wrote
        raise ValidationFailedError({exc.field or "__all__": exc.msg}) from None
    except ical.CprInTextError:  # the builders' last line; the check above comes first
        raise ValidationFailedError({"__all__": Msg(CPR_IN_TEXT)}) from None


# --- changes ------------------------------------------------------------------------------------


def plan(session: Session, settings: Settings, user: User, youth_id: int, data: MeetingData,
         choices: Sequence[Choice], now: datetime, today: date) -> Meeting:
    youth = youths.get_visible(session, user, youth_id)
    errors = add_errors({}, data.when_errors(now, settings.tz), "day")
    people = _resolve(session, youth, today, choices, errors)
    assert user.id is not None
    _at_least_one(choices, errors)
    if errors:
        raise ValidationFailedError(errors)
    start, end = data.span(settings.tz)
    meeting = Meeting(
        uid=_new_uid(), youth_id=youth_id, kind=data.kind, starts_at=start, ends_at=end,
        place_kind=data.place_kind, place_detail=data.place_detail, agenda=data.agenda,
        organiser_id=user.id, sequence=ical.next_sequence(None), created_by_id=user.id,
        created_at=now, updated_at=now,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    for person in people:
        person.meeting_id = meeting.id
        session.add(person)
    session.flush()
    _event(session, meeting, user, EventKind.MEETING_PLANNED, data.kind.value)
    _send(session, settings, OutboxKind.MEETING_INVITE, meeting, youth, user, now, people)
    session.flush()
    return meeting


def _editable(meeting: Meeting) -> None:
    if meeting.status is not MeetingStatus.PLANNED:
        raise ValidationFailedError({"__all__": Msg(N_(
            "The meeting has been held or cancelled and can no longer be changed."))})


def update(session: Session, settings: Settings, user: User, meeting_id: int, data: MeetingData,
           now: datetime) -> Meeting:
    """Changes the meeting and sends everyone the update. A significant change (time,
    length, place, online link: ``itip.significant``) raises SEQUENCE and asks everyone to
    answer again; any other change goes out at the same SEQUENCE and keeps the answers."""
    meeting, youth = get(session, user, meeting_id)
    _editable(meeting)
    start, end = _check_when(settings, data, now)
    before = (meeting.kind, meeting.starts_at, meeting.ends_at, meeting.place_kind,
              meeting.place_detail, meeting.agenda)
    after = (data.kind, start, end, data.place_kind, data.place_detail, data.agenda)
    if before == after:
        return meeting
    significant = itip.significant(
        itip.Version(meeting.starts_at, meeting.ends_at, meeting.place_kind,
                     meeting.place_detail),
        itip.Version(start, end, data.place_kind, data.place_detail))
    meeting.kind, meeting.starts_at, meeting.ends_at = data.kind, start, end
    meeting.place_kind, meeting.place_detail, meeting.agenda = (
        data.place_kind, data.place_detail, data.agenda)
    current = invitees(session, meeting)
    if significant:
        meeting.sequence = ical.next_sequence(meeting.sequence)
        for person in current:
            _ask_again(session, person)
    meeting.updated_at = now
    session.add(meeting)
    _event(session, meeting, user, EventKind.MEETING_CHANGED, "moved" if before[1:3] != after[1:3]
           else "changed")
    _send(session, settings, OutboxKind.MEETING_UPDATE, meeting, youth, user, now, current)
    session.flush()
    return meeting


def _ask_again(session: Session, person: MeetingInvitee) -> None:
    person.answer, person.answered_at, person.answered_via = Answer.NEEDS_ACTION, None, None
    person.proposed_start = person.proposed_end = None
    session.add(person)


def cancel(session: Session, settings: Settings, user: User, meeting_id: int, reason: str,
           now: datetime) -> Meeting:
    meeting, youth = get(session, user, meeting_id)
    _editable(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at, meeting.cancel_reason = now, reason[:500]
    meeting.sequence = ical.next_sequence(meeting.sequence)
    meeting.updated_at = now
    session.add(meeting)
    _event(session, meeting, user, EventKind.MEETING_CANCELLED, reason)
    _send(session, settings, OutboxKind.MEETING_CANCEL, meeting, youth, user, now,
          invitees(session, meeting))
    session.flush()
    return meeting


def add_invitee(session: Session, settings: Settings, user: User, meeting_id: int,
                choice: Choice, now: datetime, today: date) -> MeetingInvitee:
    meeting, youth = get(session, user, meeting_id)
    _editable(meeting)
    current = invitees(session, meeting)
    errors: dict[str, Msg] = {}
    people = _resolve(session, youth, today, [choice], errors)
    if errors:
        raise ValidationFailedError(errors)
    [person] = people
    if meeting_people.is_invited(person, current):
        raise ValidationFailedError({"invitee": Msg(N_("%(name)s is already invited."),
                                                    name=person.name)})
    person.meeting_id = meeting_id
    session.add(person)
    # Not a significant change: SEQUENCE stays, the newcomer gets the invite and the others
    # an update that lists them with the answers they have given.
    meeting.updated_at = now
    session.add(meeting)
    session.flush()
    _event(session, meeting, user, EventKind.MEETING_CHANGED, f"invited: {person.name}")
    everyone = [*current, person]
    _send(session, settings, OutboxKind.MEETING_INVITE, meeting, youth, user, now, [person],
          everyone)
    if current:
        _send(session, settings, OutboxKind.MEETING_UPDATE, meeting, youth, user, now,
              current, everyone)
    session.flush()
    return person


def remove_invitee(session: Session, settings: Settings, user: User, meeting_id: int,
                   invitee_id: int, now: datetime) -> MeetingInvitee:
    """Takes one person off the list: they get a cancellation, the others an update that
    keeps their answers (SEQUENCE stays: the meeting itself has not changed)."""
    meeting, youth = get(session, user, meeting_id)
    _editable(meeting)
    current = invitees(session, meeting)
    person = next((i for i in current if i.id == invitee_id), None)
    if person is None:
        raise MeetingNotFoundError()
    person.removed_at = now
    session.add(person)
    meeting.updated_at = now
    session.add(meeting)
    rest = [i for i in current if i.id != invitee_id]
    _event(session, meeting, user, EventKind.MEETING_CHANGED, f"uninvited: {person.name}")
    _send(session, settings, OutboxKind.MEETING_REMOVED, meeting, youth, user, now, [person])
    if rest:
        _send(session, settings, OutboxKind.MEETING_UPDATE, meeting, youth, user, now, rest)
    session.flush()
    return person


# --- answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyView:
    """What an invitee's reply page shows: the meeting (what, when, where, agenda), the
    names and roles of those invited (no contact details, no CPR number), and their own
    answer."""

    meeting: Meeting
    invitee: MeetingInvitee
    summary: str
    when: str
    place: str
    link: str  # the online meeting's https link, or ""
    invited: list[tuple[str, str]]  # (name, role)


def reply_view(session: Session, claim: ReplyClaim) -> ReplyView:
    """The meeting behind a verified reply link; ``MeetingNotFoundError`` when the link's
    invitee is no longer on it."""
    from app.domain.invite_mail import format_when_da
    from app.models.meeting import PlaceKind
    from app.services.meeting_mail import location, summary

    invitee = session.get(MeetingInvitee, claim.invitee_id)
    meeting = session.get(Meeting, claim.meeting_id)
    if (invitee is None or meeting is None or invitee.meeting_id != meeting.id
            or invitee.removed_at is not None):
        raise MeetingNotFoundError()
    youth = session.get(Youth, meeting.youth_id)
    assert youth is not None
    online = meeting.place_kind is PlaceKind.ONLINE and meeting.place_detail.startswith(
        "https://")
    return ReplyView(
        meeting=meeting, invitee=invitee, summary=summary(meeting, youth),
        when=format_when_da(meeting.starts_at, meeting.ends_at),
        place=location(meeting, youth), link=meeting.place_detail if online else "",
        invited=[(person.name, person.role_label) for person in invitees(session, meeting)],
    )


def record_answer(session: Session, claim: ReplyClaim, answer: Answer,
                  now: datetime, *, wants_reminder: bool | None = None,
                  ) -> tuple[Meeting, MeetingInvitee]:
    """Records an invitee's answer from a verified reply link (and whether they want a
    reminder the day before, when the page asked)."""
    invitee = session.get(MeetingInvitee, claim.invitee_id)
    meeting = session.get(Meeting, claim.meeting_id)
    if (invitee is None or meeting is None or invitee.meeting_id != meeting.id
            or invitee.removed_at is not None or meeting.status is not MeetingStatus.PLANNED
            or now >= meeting.ends_at):
        raise MeetingNotFoundError()
    invitee.answer, invitee.answered_at = answer, now
    invitee.answered_via = AnsweredVia.LINK
    if wants_reminder is not None:
        invitee.wants_reminder = wants_reminder
    session.add(invitee)
    session.flush()
    return meeting, invitee


# --- after the meeting --------------------------------------------------------------------------


def record_minutes(session: Session, user: User, meeting_id: int, *, attended: set[int],
                   minutes: str, decisions: str, now: datetime) -> Meeting:
    meeting, _youth = get(session, user, meeting_id)
    if meeting.status is MeetingStatus.CANCELLED:
        raise ValidationFailedError({"__all__": Msg(N_("A cancelled meeting has no minutes."))})
    if meeting.starts_at > now:
        raise ValidationFailedError({"__all__": Msg(N_(
            "Minutes can be written once the meeting has started."))})
    _refuse_cpr([("minutes", minutes), ("decisions", decisions)])
    for person in invitees(session, meeting):
        person.attended = person.id in attended
        session.add(person)
    first_time = meeting.status is MeetingStatus.PLANNED
    meeting.minutes, meeting.decisions = minutes, decisions
    meeting.status, meeting.held_at = MeetingStatus.HELD, meeting.held_at or now
    meeting.updated_at = now
    session.add(meeting)
    if first_time:
        _event(session, meeting, user, EventKind.MEETING_HELD, meeting.kind.value)
        if meeting.kind is MeetingKind.COORDINATION:
            timeline.complete_by_event(session, [meeting.youth_id], FIRST_MEETING_STEP_KEY)
    session.flush()
    return meeting


def add_action(session: Session, user: User, meeting_id: int, *, text: str, owner_id: int,
               due_on: date, today: date) -> ActionPoint:
    meeting, youth = get(session, user, meeting_id)
    errors: dict[str, Msg] = {}
    if not text.strip():
        errors["text"] = Msg(N_("This field is required."))
    try:
        refuse_cpr([("text", text)])
    except FieldError as exc:
        errors["text"] = exc.msg
    invited = (i.user_id for i in invitees(session, meeting))
    if not meeting_people.may_own_action(session.get(User, owner_id), youth,
                                         meeting.organiser_id, invited):
        errors["owner_id"] = Msg(N_("Choose a caseworker from the list."))
    if due_on < today:
        errors["due_on"] = Msg(N_("The due date cannot be in the past."))
    if errors:
        raise ValidationFailedError(errors)
    point = ActionPoint(meeting_id=meeting_id, youth_id=meeting.youth_id, text=text.strip()[:500],
                        owner_id=owner_id, due_on=due_on, created_by_id=user.id)
    session.add(point)
    audit.record(session, AuditAction.CREATE, user_id=user.id, object_type="action_point",
                 object_id=meeting_id, youth_id=meeting.youth_id)
    session.flush()
    return point


def actions(session: Session, meeting: Meeting) -> list[ActionPoint]:
    return list(session.exec(select(ActionPoint).where(ActionPoint.meeting_id == meeting.id)
                             .order_by(col(ActionPoint.due_on), col(ActionPoint.id))))


def open_actions_for(session: Session, user: User) -> list[tuple[ActionPoint, Youth]]:
    """The user's open action points, for My tasks (only young people they may see)."""
    from app.services.access import youth_access

    return [(a, y) for a, y in session.exec(
        select(ActionPoint, Youth).join(Youth, col(Youth.id) == ActionPoint.youth_id)
        .where(ActionPoint.owner_id == user.id, col(ActionPoint.done_at).is_(None),
               youth_access(user))
        .order_by(col(ActionPoint.due_on), col(ActionPoint.id))
    )]


def complete_action(session: Session, user: User, action_id: int, now: datetime) -> ActionPoint:
    point = session.get(ActionPoint, action_id)
    if point is None:
        raise MeetingNotFoundError()
    get(session, user, point.meeting_id)
    if point.done_at is not None:
        return point
    point.done_at, point.done_by_id = now, user.id
    session.add(point)
    audit.record(session, AuditAction.UPDATE, user_id=user.id, object_type="action_point",
                 object_id=point.id or "", youth_id=point.youth_id, detail="done")
    session.flush()
    return point


def send_minutes(session: Session, settings: Settings, user: User, meeting_id: int,
                 now: datetime) -> int:
    """The minutes, decisions and action points as a plain e-mail to everyone who attended
    (a letter to those without an e-mail address)."""
    from app.services.meeting_mail import minutes_messages

    meeting, youth = get(session, user, meeting_id)
    if meeting.status is not MeetingStatus.HELD:
        raise ValidationFailedError({"__all__": Msg(N_(
            "Record the minutes before sending them."))})
    people = [i for i in invitees(session, meeting) if i.attended]
    if not people:
        raise ValidationFailedError({"__all__": Msg(N_(
            "Mark who attended before sending the minutes."))})
    try:
        count = minutes_messages(session, settings, meeting, youth, people,
                                 actions(session, meeting), user, now)
    except FieldError as exc:  # minutes or an action point saved before the check
        raise ValidationFailedError({exc.field or "__all__": exc.msg}) from None
    meeting.minutes_sent_at = now
    session.add(meeting)
    session.flush()
    return count


@dataclass(frozen=True)
class Upcoming:
    """A meeting on the start page: when, about whom, and the answers received so far."""

    meeting: Meeting
    youth: Youth
    answers: dict[Answer, int]


def upcoming_for(session: Session, user: User, start: datetime, end: datetime,
                 limit: int) -> list[Upcoming]:
    """The planned meetings from `start` to `end` that the user organises or is invited to,
    the first first, at most `limit`, each with its invitees' answers counted."""
    from sqlalchemy import func, or_
    from sqlalchemy.orm import load_only

    from app.services.access import youth_access

    invited = select(MeetingInvitee.meeting_id).where(
        MeetingInvitee.user_id == user.id, col(MeetingInvitee.removed_at).is_(None))
    rows = list(session.exec(
        select(Meeting, Youth).join(Youth, col(Youth.id) == Meeting.youth_id)
        .options(load_only(*(getattr(Youth, name) for name in ("first_name", "last_name"))))
        .where(col(Meeting.status) == MeetingStatus.PLANNED, col(Meeting.starts_at) >= start,
               col(Meeting.starts_at) < end,
               or_(col(Meeting.organiser_id) == user.id, col(Meeting.id).in_(invited)),
               youth_access(user))
        .order_by(col(Meeting.starts_at), col(Meeting.id)).limit(limit)
    ))
    answers: dict[int, dict[Answer, int]] = {}
    if rows:
        for meeting_id, answer, count in session.execute(
            select(MeetingInvitee.meeting_id, MeetingInvitee.answer, func.count())
            .where(col(MeetingInvitee.meeting_id).in_([m.id for m, _y in rows]),
                   col(MeetingInvitee.removed_at).is_(None))
            .group_by(col(MeetingInvitee.meeting_id), col(MeetingInvitee.answer))
        ):
            answers.setdefault(meeting_id, {})[Answer(answer)] = int(count)
    return [Upcoming(m, y, answers.get(m.id or 0, {})) for m, y in rows]
