"""Answers from calendar programs: an iTIP message (RFC 5546) in an e-mail (RFC 6047) that
reached the reply mailbox, applied to the one invitee it is about.

``receive`` reads the message (``itip.read_message``/``read_calendar``), finds the meeting
by its UID and asks ``itip.decide`` whether it counts. What it may do, and nothing more:

* REPLY: the invitee's answer (PARTSTAT: accepted, declined, maybe) with the time it was
  received, marked as answered from their calendar; the organiser sees it on the meeting
  page and every later update carries it.
* COUNTER (another time proposed): the proposal is kept on the invitee for the organiser
  to see, and the invitee gets a DECLINECOUNTER: the meeting stays as it is until the
  organiser moves it.
* REFRESH: the invitee gets the current invite again.

Anything else (an unknown UID, an old SEQUENCE, an address not invited, From not the
attendee's address, a malformed or oversized message) changes nothing and is logged with
the reason and, when known, the meeting's id: never an address, a name or a text from the
message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.domain import itip
from app.domain.validation import FieldError
from app.models.meeting import AnsweredVia, Meeting, MeetingInvitee
from app.models.outbox import OutboxKind
from app.models.user import User
from app.models.youth import Channel, Youth
from app.services import meetings
from app.services.meeting_mail import queue
from app.settings import Settings

log = logging.getLogger("overgang.replies")


@dataclass(frozen=True)
class Outcome:
    applied: bool
    reason: str  # fixed words: what was done, or why nothing was
    meeting_id: int | None = None
    invitee_id: int | None = None


def _drop(reason: str, meeting_id: int | None = None) -> Outcome:
    log.info("calendar answer dropped: %s (meeting %s)", reason, meeting_id or "-")
    return Outcome(False, reason, meeting_id)


def receive(session: Session, settings: Settings, raw: bytes, now: datetime) -> Outcome:
    """Applies one incoming e-mail. Flushes, never commits."""
    if len(raw) > settings.mail_receiver_max_bytes:
        return _drop("message too large")
    try:
        mail = itip.read_message(raw)
        incoming = itip.read_calendar(mail.calendar)
    except itip.ItipError as exc:
        return _drop(str(exc))
    meeting = session.exec(select(Meeting).where(Meeting.uid == incoming.uid)).first()
    current = meetings.invitees(session, meeting) if meeting is not None else []
    invited: dict[str, int] = {}
    for person in current:
        if person.channel is Channel.EMAIL and person.email and person.id is not None:
            invited.setdefault(person.email.casefold(), person.id)
    stored = None if meeting is None else itip.StoredMeeting(
        uid=meeting.uid, sequence=meeting.sequence, status=meeting.status,
        start=meeting.starts_at, end=meeting.ends_at)
    verdict = itip.decide(incoming, mail.sender, stored, invited, now)
    if verdict.invitee_id is None or meeting is None:
        known = meeting.id if meeting is not None and verdict.drop is not itip.Drop.UNKNOWN_UID \
            else None
        return _drop(str(verdict.drop), known)
    person = next(p for p in current if p.id == verdict.invitee_id)
    if incoming.method is itip.ItipMethod.REPLY:
        assert incoming.answer is not None
        person.answer, person.answered_at = incoming.answer, now
        person.answered_via = AnsweredVia.CALENDAR
        session.add(person)
        session.flush()
        log.info("calendar answer applied: REPLY (meeting %s, invitee %s)", meeting.id,
                 person.id)
        return Outcome(True, "answer recorded", meeting.id, person.id)
    kind = OutboxKind.MEETING_INVITE
    if incoming.method is itip.ItipMethod.COUNTER:
        person.proposed_start, person.proposed_end = incoming.start, incoming.end
        session.add(person)
        kind = OutboxKind.MEETING_COUNTER_DECLINED
    _answer(session, settings, kind, meeting, person, current, now)
    session.flush()
    log.info("calendar answer applied: %s (meeting %s, invitee %s)", incoming.method.value,
             meeting.id, person.id)
    done = "proposal recorded and declined" if kind is OutboxKind.MEETING_COUNTER_DECLINED \
        else "invite sent again"
    return Outcome(True, done, meeting.id, person.id)


def _answer(session: Session, settings: Settings, kind: OutboxKind, meeting: Meeting,
            person: MeetingInvitee, current: list[MeetingInvitee], now: datetime) -> None:
    """The message back to the one invitee: the current invite (REFRESH) or the decline of
    their proposal (COUNTER), from the organiser."""
    youth = session.get(Youth, meeting.youth_id)
    organiser = session.get(User, meeting.organiser_id)
    assert youth is not None and organiser is not None
    listed = current if kind is OutboxKind.MEETING_INVITE else [person]
    try:
        queue(session, settings, kind=kind, meeting=meeting, youth=youth,
              organiser_user=organiser, invitees=[person], calendar_to=listed,
              sender=organiser, now=now)
    except FieldError:  # a stored text refused by the CPR guard: nothing goes out
        log.warning("calendar answer: no message sent, a stored text was refused "
                    "(meeting %s)", meeting.id)
