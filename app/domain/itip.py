"""The calendar round trip's rules: reading an answer from a calendar program (iTIP REPLY,
COUNTER and REFRESH in an iMIP e-mail, RFC 5546 and RFC 6047), deciding what it may change,
and what an update sends. Pure: no database, no clock, no network.

* ``read_message`` takes the bytes of an e-mail and finds the one calendar object in it
  (a ``text/calendar`` part, or an ``application/ics`` attachment when there is none) and
  the address in From. ``read_calendar`` reads that object: METHOD REPLY, COUNTER or
  REFRESH, one VEVENT (VTIMEZONEs may come along), a UID, an integer SEQUENCE (0 when
  missing), exactly one ATTENDEE with a ``mailto:`` address, and for a REPLY a PARTSTAT of
  ACCEPTED, DECLINED or TENTATIVE. Anything else raises ``ItipError`` with a reason made
  of fixed words (never a value from the message), fit for a log line.
* ``decide`` is the whole of what an answer may do: given the meeting as stored and who is
  invited, it either names the one invitee whose answer changes (and to what) or says why
  the message is dropped. Nothing else in an incoming message is ever applied: a SUMMARY,
  DTSTART or DESCRIPTION in a REPLY is not read, and a REPLY whose DTSTART or DTEND differ
  from the meeting's answers another version of it and is dropped.
* ``significant`` says whether a change must raise SEQUENCE and ask everyone again (time,
  duration, place or online link; a cancellation always does), and ``partstat`` what an
  update says about an invitee who has answered (their answer, kept unless the change was
  significant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import getaddresses
from enum import StrEnum
from uuid import UUID

from icalendar import Calendar, Component

from app.models.meeting import Answer, MeetingStatus, PlaceKind

# An answer's calendar object is a few kilobytes; anything past this is not an answer.
MAX_CALENDAR_BYTES = 256 * 1024


class ItipError(ValueError):
    """A message that is not a readable answer. The reason is fixed text, never a value
    from the message, so it can go into a log line."""


class ItipMethod(StrEnum):
    REPLY = "REPLY"
    COUNTER = "COUNTER"
    REFRESH = "REFRESH"


PARTSTAT_ANSWER = {
    "ACCEPTED": Answer.ACCEPTED,
    "DECLINED": Answer.DECLINED,
    "TENTATIVE": Answer.TENTATIVE,
}
ANSWER_PARTSTAT = {
    Answer.NEEDS_ACTION: "NEEDS-ACTION",
    Answer.ACCEPTED: "ACCEPTED",
    Answer.DECLINED: "DECLINED",
    Answer.TENTATIVE: "TENTATIVE",
}


@dataclass(frozen=True, slots=True)
class Incoming:
    """What an answer says, and nothing more is read from it."""

    method: ItipMethod
    uid: str
    sequence: int
    attendee: str  # the ATTENDEE's address, case-folded
    answer: Answer | None = None  # REPLY only
    start: datetime | None = None  # UTC; a REPLY's copy of the meeting, a COUNTER's proposal
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Mail:
    sender: str  # the address in From, case-folded ("" when none or several)
    calendar: bytes


# --- reading -----------------------------------------------------------------------------------

_ADDRESS = re.compile(r"[^\s@<>\"(),:;\[\]\\]+@[^\s@<>\"(),:;\[\]\\]+")


def _calendar_part(message: Message) -> bytes:
    found: list[bytes] = []
    attached: list[bytes] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind not in ("text/calendar", "application/ics"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        (found if kind == "text/calendar" else attached).append(payload)
    parts = found or attached
    if not parts:
        raise ItipError("no calendar object")
    # Clients send one calendar, sometimes both inline and attached; two different ones
    # cannot be an answer to one meeting.
    if len(set(parts)) != 1:
        raise ItipError("more than one calendar object")
    if len(parts[0]) > MAX_CALENDAR_BYTES:
        raise ItipError("calendar object too large")
    return parts[0]


def read_message(raw: bytes) -> Mail:
    """The From address and the calendar object of an e-mail. Raises ``ItipError``."""
    try:
        message = message_from_bytes(raw, _class=EmailMessage, policy=default_policy)
        senders = getaddresses([str(v) for v in message.get_all("From", [])])
        calendar = _calendar_part(message)
    except ItipError:
        raise
    except Exception:  # a message the parser cannot walk is not an answer
        raise ItipError("unreadable e-mail") from None
    addresses = [addr for _name, addr in senders if _ADDRESS.fullmatch(addr or "")]
    sender = addresses[0].casefold() if len(addresses) == 1 else ""
    return Mail(sender=sender, calendar=calendar)


def _mailto(value: object) -> str:
    text = str(value).strip()
    if text[:7].lower() != "mailto:":
        raise ItipError("attendee is not a mailto address")
    address = text[7:].strip()
    if _ADDRESS.fullmatch(address) is None:
        raise ItipError("attendee is not a mailto address")
    return address.casefold()


def _moment(event: Component, name: str, *, needed: bool) -> datetime | None:
    """DTSTART or DTEND in UTC. A REPLY's copy of the time only guards against answering
    another version, so one that cannot be read (a floating time, a TZID without its
    VTIMEZONE) is left out rather than refusing the answer; a COUNTER's proposal must be
    readable."""
    if name not in event:
        return None
    try:
        value = event.decoded(name)
    except Exception:
        value = None
    if (not isinstance(value, datetime) or value.tzinfo is None
            or value.utcoffset() is None):
        if needed:
            raise ItipError(f"unreadable {name}")
        return None
    return value.astimezone(UTC)


def read_calendar(data: bytes) -> Incoming:
    """The answer in a calendar object. Raises ``ItipError`` for anything else."""
    if len(data) > MAX_CALENDAR_BYTES:
        raise ItipError("calendar object too large")
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except Exception:
        raise ItipError("unreadable calendar object") from None
    if len(calendars) != 1:
        raise ItipError("not exactly one calendar")
    calendar = calendars[0]
    try:
        method = ItipMethod(str(calendar.get("METHOD", "")).strip().upper())
    except ValueError:
        raise ItipError("not a REPLY, COUNTER or REFRESH") from None
    kinds = [c.name for c in calendar.subcomponents]
    if kinds.count("VEVENT") != 1 or set(kinds) - {"VEVENT", "VTIMEZONE"}:
        raise ItipError("not exactly one event")
    [event] = calendar.walk("VEVENT")
    uid = str(event.get("UID", "")).strip()
    try:
        if UUID(uid).version != 4 or str(UUID(uid)) != uid.lower():
            raise ValueError
    except ValueError:
        raise ItipError("UID is not one of ours") from None
    raw_sequence = event.get("SEQUENCE", 0)
    try:
        sequence = int(str(raw_sequence))
    except ValueError:
        raise ItipError("SEQUENCE is not an integer") from None
    if sequence < 0:
        raise ItipError("SEQUENCE is negative")
    attendees = event.get("ATTENDEE")
    if isinstance(attendees, list):
        raise ItipError("more than one attendee")
    if attendees is None:
        raise ItipError("no attendee")
    attendee = _mailto(attendees)
    answer = None
    if method is ItipMethod.REPLY:
        partstat = str(attendees.params.get("PARTSTAT", "")).strip().upper()
        if partstat not in PARTSTAT_ANSWER:
            raise ItipError("PARTSTAT is not an answer")
        answer = PARTSTAT_ANSWER[partstat]
    needed = method is ItipMethod.COUNTER
    start = _moment(event, "DTSTART", needed=needed)
    end = _moment(event, "DTEND", needed=needed)
    if method is ItipMethod.COUNTER and (start is None or end is None or end <= start):
        raise ItipError("COUNTER without a time")
    return Incoming(method=method, uid=uid.lower(), sequence=sequence, attendee=attendee,
                    answer=answer, start=start, end=end)


# --- deciding ----------------------------------------------------------------------------------


class Drop(StrEnum):
    """Why a message changes nothing; the words go into the log line."""

    UNKNOWN_UID = "unknown UID"
    NOT_PLANNED = "meeting held or cancelled"
    OVER = "meeting over"
    OLD_SEQUENCE = "old SEQUENCE"
    FUTURE_SEQUENCE = "SEQUENCE never sent"
    NOT_INVITED = "address not invited"
    FORGED = "From is not the attendee"
    OTHER_TIME = "answers another time"


@dataclass(frozen=True, slots=True)
class StoredMeeting:
    uid: str
    sequence: int
    status: MeetingStatus
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Verdict:
    """``invitee_id`` is the one invitee the message is about (``None`` when dropped)."""

    invitee_id: int | None
    drop: Drop | None = None


def decide(incoming: Incoming, sender: str, meeting: StoredMeeting | None,
           invited: dict[str, int], now: datetime) -> Verdict:
    """Whether an answer counts, and for whom. ``invited`` maps the case-folded e-mail
    address of each current e-mail invitee to their id; ``sender`` is the From address.

    A REPLY or COUNTER counts only from the attendee's own address (From), for a meeting
    that is planned and not over, at the SEQUENCE last sent (an older one answers a version
    that has since changed; a higher one was never sent), and a REPLY only when it carries
    the meeting's own time (when it carries one at all). A REFRESH asks for the current
    invite and needs only the UID, the attendee and From."""
    if meeting is None or meeting.uid != incoming.uid:
        return Verdict(None, Drop.UNKNOWN_UID)
    if sender != incoming.attendee:
        return Verdict(None, Drop.FORGED)
    invitee_id = invited.get(incoming.attendee)
    if invitee_id is None:
        return Verdict(None, Drop.NOT_INVITED)
    if meeting.status is not MeetingStatus.PLANNED:
        return Verdict(None, Drop.NOT_PLANNED)
    if now >= meeting.end:
        return Verdict(None, Drop.OVER)
    if incoming.method is ItipMethod.REFRESH:
        return Verdict(invitee_id)
    if incoming.sequence < meeting.sequence:
        return Verdict(None, Drop.OLD_SEQUENCE)
    if incoming.sequence > meeting.sequence:
        return Verdict(None, Drop.FUTURE_SEQUENCE)
    if incoming.method is ItipMethod.REPLY and (
            (incoming.start is not None and incoming.start != meeting.start)
            or (incoming.end is not None and incoming.end != meeting.end)):
        return Verdict(None, Drop.OTHER_TIME)
    return Verdict(invitee_id)


# --- sending -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Version:
    """What makes a meeting the same meeting to those invited: when and where."""

    start: datetime
    end: datetime
    place_kind: PlaceKind
    place_detail: str


def significant(before: Version, after: Version) -> bool:
    """A change that moves the meeting (start, end, so also its length) or its place (the
    kind of place, the room, address or online link). It raises SEQUENCE and asks everyone
    to answer again. Other changes (the kind of meeting, the agenda, who is invited) are
    sent at the same SEQUENCE and keep the answers given."""
    return (before.start != after.start or before.end != after.end
            or before.place_kind is not after.place_kind
            or before.place_detail.strip() != after.place_detail.strip())


def partstat(answer: Answer, *, significant_change: bool = False) -> str:
    """The PARTSTAT an invite or update gives an invitee: their answer, unless the change
    being sent is significant, which asks again (NEEDS-ACTION)."""
    return "NEEDS-ACTION" if significant_change else ANSWER_PARTSTAT[answer]
