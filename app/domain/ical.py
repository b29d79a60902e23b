"""iCalendar objects for coordination meetings: invites (iTIP REQUEST and CANCEL) and the
subscribable per-caseworker feed. Pure: no database, no clock, no network.

The numbers refer to the acceptance list for calendar invites (ICALENDAR.md).

Every invite (``request``, ``cancel``, ``cancel_for_removed_attendee``):

* ``VERSION:2.0``, ``PRODID``, ``CALSCALE:GREGORIAN`` and ``METHOD``; exactly one VEVENT
  (rule 1), with ``UID``, ``DTSTAMP`` in UTC, ``DTSTART``, ``DTEND``, ``SUMMARY``,
  ``ORGANIZER``, at least one ``ATTENDEE`` and an integer ``SEQUENCE`` (rule 2).
* The UID is the meeting's random UUID (version 4), written as its 36 characters and
  nothing else (rule 3): no host name, case number or name can get into it. The caller
  stores it once per meeting and passes the same value in every message and in the feeds.
* ``ORGANIZER;CN=...:mailto:...``, with ``SENT-BY`` when the message is sent from another
  mailbox (rule 4; ``invite_mail`` checks the e-mail's From against it).
* Every recipient is an ``ATTENDEE`` with ``CN``, ``CUTYPE=INDIVIDUAL``,
  ``ROLE=REQ-PARTICIPANT`` or ``OPT-PARTICIPANT``, ``PARTSTAT`` and ``RSVP=TRUE`` (rule 5).
  PARTSTAT is ``NEEDS-ACTION`` until the attendee has answered; an update carries the
  answer given (``Attendee.partstat``, see ``itip.partstat``), so nobody is asked twice.
  E-mail addresses must be unique within one message.
* ``DTSTART`` and ``DTEND`` carry ``TZID=Europe/Copenhagen`` and the message holds the
  VTIMEZONE for it in the yearly-rule form (``RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`` and
  ``BYMONTH=10``), byte for byte the same in every message (rule 6). Meeting times are
  given as aware datetimes in any zone and converted (rule 8).
* Serialisation by the icalendar library: CRLF line ends and lines folded at 75 octets
  between characters, never inside a UTF-8 sequence (rule 7).

Updates and cancellations:

* ``Meeting.sequence`` is the value sent. The caller raises it (``next_sequence``) for a
  significant change (``itip.significant``: time, length, place, online link) and for a
  cancellation, and stores it with the meeting; other changes (agenda, kind, who is
  invited) go out at the same SEQUENCE with a newer DTSTAMP, which RFC 5546 (2.1.5) orders
  after the earlier message, and keep the answers. ``Meeting.dtstamp`` is the time of that
  revision, in any zone, written in UTC (rule 9).
* ``cancel_for_removed_attendee`` lists only the removed attendee and has no ``STATUS``
  (rule 10); the attendees who remain get a ``request`` with their answers kept.
* ``decline_counter`` answers an attendee's proposal of another time (iTIP COUNTER) with
  ``METHOD:DECLINECOUNTER`` to that attendee: the meeting stays as it is until the
  organiser moves it.
* ``cancel`` has ``STATUS:CANCELLED``, the same UID, ORGANIZER, DTSTAMP and the attendees
  receiving it (rule 11). ``request`` refuses a meeting whose status is CANCELLED (rule 12).

The feed (``feed``):

* ``METHOD:PUBLISH`` (rule 17), ``NAME`` and ``X-WR-CALNAME`` (rule 18),
  ``REFRESH-INTERVAL;VALUE=DURATION:PT1H`` and ``X-PUBLISHED-TTL:PT1H`` (rule 19).
* Events have the invite UIDs, their SEQUENCE and a ``LAST-MODIFIED``; cancelled meetings
  are left out (rule 21). No ATTENDEE or ORGANIZER (rule 22). ``CLASS:PRIVATE``, and unless
  the feed's owner chose to show names, a SUMMARY that mentions one of the withheld names
  (the young person's, the family's) is replaced by a neutral one, and a DESCRIPTION or
  LOCATION that mentions one is left out (rule 23).
* The output is deterministic: the same meetings give the same bytes (events sorted by
  start and UID, DTSTAMP equal to LAST-MODIFIED, no generation time), so ``feed_etag`` is
  a stable ETag for the HTTP layer (rule 20).
* ``FEED_CONTENT_TYPE`` is the Content-Type to send (rule 17); ``feed_token_hash`` and
  ``feed_token_matches`` store and compare feed tokens (rule 24).

Text:

* No CPR numbers: every text a person can have written (summary, description, location,
  names, roles, e-mail addresses, calendar name) is checked with ``contains_cpr_like`` and
  a match raises ``CprInTextError``, whose message names the field, never the value. The
  callers check those texts where people write them, so this is the last line. The URL is
  not checked: it is the app's own address with the meeting's id, and a generated number
  that reads as a date is not a CPR number.
* Line breaks of any kind (CRLF, CR, NEL, LS, PS) become LF, written as ``\\n``; other
  control characters are removed. In parameter values (CN) line breaks and tabs become
  spaces and a double quote becomes a single quote, as a parameter cannot carry either
  portably.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vCalAddress, vRecur, vText

from app.domain.cpr import contains_cpr_like

__all__ = [
    "COPENHAGEN",
    "DEFAULT_NEUTRAL_SUMMARY",
    "FEED_CONTENT_TYPE",
    "FEED_REFRESH_INTERVAL",
    "FEED_TOKEN_MIN_BYTES",
    "PRODID",
    "TZID",
    "Attendee",
    "CprInTextError",
    "InviteError",
    "Meeting",
    "MeetingStatus",
    "Method",
    "Organiser",
    "cancel",
    "cancel_for_removed_attendee",
    "copenhagen_vtimezone",
    "decline_counter",
    "feed",
    "feed_etag",
    "feed_token_hash",
    "feed_token_matches",
    "next_sequence",
    "request",
]

TZID = "Europe/Copenhagen"
COPENHAGEN = ZoneInfo(TZID)
PRODID = "-//Den Gode Overgang//Overgang//DA"
FEED_CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_REFRESH_INTERVAL = "PT1H"
# Feed tokens: at least 128 random bits, e.g. ``secrets.token_urlsafe(32)``; 16 bytes are
# 22 characters in URL-safe base64.
FEED_TOKEN_MIN_BYTES = 16
_FEED_TOKEN_MIN_CHARS = 22
DEFAULT_NEUTRAL_SUMMARY = "Møde"


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
    PUBLISH = "PUBLISH"
    DECLINECOUNTER = "DECLINECOUNTER"


class MeetingStatus(StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


class InviteError(ValueError):
    """Input that cannot go into an invite or a feed. The message names the field and the
    problem, never the value."""


class CprInTextError(InviteError):
    """A text field contains something that looks like a CPR number."""

    field: str

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(f"{field} contains a CPR-like number")


# --- input ------------------------------------------------------------------------------------

_PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"})
_EMAIL_RE = re.compile(r"[^\s@<>\"(),:;\[\]\\]+@[^\s@<>\"(),:;\[\]\\]+")
_LINE_BREAKS_RE = re.compile("\r\n|[\r\x85\u2028\u2029\x0b\x0c]")


def _check_text(field: str, value: str) -> None:
    if contains_cpr_like(value):
        raise CprInTextError(field)


def _check_email(field: str, value: str) -> None:
    if _EMAIL_RE.fullmatch(value) is None:
        raise InviteError(f"{field} is not an e-mail address")
    _check_text(field, value)


def _check_aware(field: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InviteError(f"{field} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Organiser:
    """Who organises the meeting: ``email`` is a monitored mailbox. ``sent_by`` is the
    mailbox the e-mail is sent from when it is not ``email`` (for example a shared
    no-reply address); it becomes ``SENT-BY``."""

    name: str
    email: str
    sent_by: str = ""

    def __post_init__(self) -> None:
        _check_text("organiser name", self.name)
        _check_email("organiser e-mail", self.email)
        if self.sent_by:
            _check_email("organiser sent-by", self.sent_by)


@dataclass(frozen=True, slots=True)
class Attendee:
    """An invited person. ``role`` is free text for the e-mail ("mor", "UU-vejleder"); it is
    not written to the iCalendar object. ``required`` chooses REQ- or OPT-PARTICIPANT.
    ``partstat`` is their answer so far (NEEDS-ACTION, ACCEPTED, DECLINED or TENTATIVE)."""

    name: str
    email: str
    required: bool = True
    role: str = ""
    partstat: str = "NEEDS-ACTION"

    def __post_init__(self) -> None:
        _check_text("attendee name", self.name)
        _check_text("attendee role", self.role)
        _check_email("attendee e-mail", self.email)
        if self.partstat not in _PARTSTATS:
            raise InviteError("attendee partstat is not one of an event's")


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting as it stands at revision ``sequence``.

    ``uid`` is a random UUID (version 4) stored once per meeting. ``dtstamp`` is the time
    of this revision. ``start`` and ``end`` are aware datetimes in any zone; they are
    written in Europe/Copenhagen time, whole seconds. ``last_modified`` (default
    ``dtstamp``) is the feed's LAST-MODIFIED.
    """

    uid: UUID
    sequence: int
    dtstamp: datetime
    start: datetime
    end: datetime
    summary: str
    organiser: Organiser
    description: str = ""
    location: str = ""
    url: str = ""
    status: MeetingStatus = MeetingStatus.CONFIRMED
    last_modified: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.uid, UUID) or self.uid.version != 4:
            raise InviteError("uid must be a random UUID (version 4)")
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise InviteError("sequence must be an integer")
        if self.sequence < 0:
            raise InviteError("sequence must not be negative")
        _check_aware("dtstamp", self.dtstamp)
        _check_aware("start", self.start)
        _check_aware("end", self.end)
        if self.last_modified is not None:
            _check_aware("last_modified", self.last_modified)
        if self.end <= self.start:
            raise InviteError("end must be after start")
        if not _clean_text(self.summary).strip():
            raise InviteError("summary must not be blank")
        if self.url and (
            not self.url.startswith(("https://", "http://")) or _has_space_or_control(self.url)
        ):
            raise InviteError("url must be an http(s) address")
        for field in ("summary", "description", "location"):
            _check_text(field, getattr(self, field))
        object.__setattr__(self, "status", MeetingStatus(self.status))


def next_sequence(last_sent: int | None) -> int:
    """The SEQUENCE for the next message: 0 for the first, then one more than the last sent."""
    return 0 if last_sent is None else last_sent + 1


# --- text -------------------------------------------------------------------------------------


def _has_space_or_control(value: str) -> bool:
    return any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def _clean_text(value: str) -> str:
    """Line breaks to LF; other control characters and lone surrogates removed."""
    value = _LINE_BREAKS_RE.sub("\n", value)
    return "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


class _Text(vText):
    """A TEXT value escaped exactly as RFC 5545 says (backslash, semicolon, comma, newline).

    icalendar's own escaping turns a literal backslash-N in the text into a line break;
    this one keeps every character, so any text round-trips."""

    def to_ical(self) -> bytes:
        escaped = (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\n", "\\n")
        )
        return escaped.encode("utf-8")


def _text(value: str) -> _Text:
    return _Text(_clean_text(value))


def _clean_param(value: str) -> str:
    """A parameter value (CN): one line, no double quote."""
    return _clean_text(value).replace("\n", " ").replace("\t", " ").replace('"', "'")


# --- building blocks --------------------------------------------------------------------------


class _YearlyRule(vRecur):
    """RRULE written as ``FREQ=YEARLY;BYMONTH=..;BYDAY=..``, the order ICALENDAR.md shows."""

    canonical_order = ("FREQ", "BYMONTH", "BYDAY")  # type: ignore[assignment]


def _transition(
    component: TimezoneStandard | TimezoneDaylight,
    *,
    name: str,
    offset_from: int,
    offset_to: int,
    start: datetime,
    month: int,
) -> TimezoneStandard | TimezoneDaylight:
    component.add("tzname", name)
    component.add("tzoffsetfrom", timedelta(hours=offset_from))
    component.add("tzoffsetto", timedelta(hours=offset_to))
    component.add("dtstart", start)
    component.add("rrule", _YearlyRule(freq="YEARLY", bymonth=month, byday="-1SU"))
    return component


def copenhagen_vtimezone() -> Timezone:
    """VTIMEZONE for Europe/Copenhagen in the yearly-rule form (EU rules since 1996):
    summer time from the last Sunday of March 02:00 (+0100 to +0200), winter time from the
    last Sunday of October 03:00 (+0200 to +0100). A new component on every call."""
    timezone = Timezone()
    timezone.add("tzid", TZID)
    timezone.add_component(
        _transition(
            TimezoneDaylight(),
            name="CEST",
            offset_from=1,
            offset_to=2,
            start=datetime(1970, 3, 29, 2, 0, 0),
            month=3,
        )
    )
    timezone.add_component(
        _transition(
            TimezoneStandard(),
            name="CET",
            offset_from=2,
            offset_to=1,
            start=datetime(1970, 10, 25, 3, 0, 0),
            month=10,
        )
    )
    return timezone


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def _local(value: datetime) -> datetime:
    return value.astimezone(COPENHAGEN).replace(microsecond=0)


def _calendar(method: Method | None) -> Calendar:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method.value)
    calendar.add_component(copenhagen_vtimezone())
    return calendar


def _event(meeting: Meeting, *, summary: str, description: str, location: str) -> Event:
    """The properties every VEVENT has, in invites and feeds alike."""
    event = Event()
    event.add("uid", str(meeting.uid))
    event.add("sequence", meeting.sequence)
    event.add("dtstart", _local(meeting.start))
    event.add("dtend", _local(meeting.end))
    event.add("summary", _text(summary))
    if description:
        event.add("description", _text(description))
    if location:
        event.add("location", _text(location))
    if meeting.url:
        event.add("url", meeting.url)
    event.add("transp", "OPAQUE")
    return event


def _organiser(organiser: Organiser) -> vCalAddress:
    address = vCalAddress(f"mailto:{organiser.email}")
    address.params["CN"] = _clean_param(organiser.name)
    if organiser.sent_by:
        address.params["SENT-BY"] = f"mailto:{organiser.sent_by}"
    return address


def _attendee(attendee: Attendee) -> vCalAddress:
    address = vCalAddress(f"mailto:{attendee.email}")
    address.params["CN"] = _clean_param(attendee.name)
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = "REQ-PARTICIPANT" if attendee.required else "OPT-PARTICIPANT"
    address.params["PARTSTAT"] = attendee.partstat
    address.params["RSVP"] = "TRUE"
    return address


def _invite(
    method: Method, meeting: Meeting, attendees: Sequence[Attendee], status: MeetingStatus | None
) -> bytes:
    if not attendees:
        raise InviteError("an invite needs at least one attendee")
    emails = [attendee.email.casefold() for attendee in attendees]
    if len(set(emails)) != len(emails):
        raise InviteError("an attendee e-mail address appears more than once")
    event = _event(
        meeting,
        summary=meeting.summary,
        description=meeting.description,
        location=meeting.location,
    )
    event.add("dtstamp", _utc(meeting.dtstamp))
    if status is not None:
        event.add("status", status.value)
    event.add("organizer", _organiser(meeting.organiser))
    for attendee in attendees:
        event.add("attendee", _attendee(attendee))
    calendar = _calendar(method)
    calendar.add_component(event)
    result: bytes = calendar.to_ical()
    return result


# --- invites ----------------------------------------------------------------------------------


def request(meeting: Meeting, attendees: Sequence[Attendee]) -> bytes:
    """``METHOD:REQUEST`` for a new or changed meeting, to ``attendees`` (all of them).

    Raises ``InviteError`` for a cancelled meeting (send ``cancel`` instead), for no
    attendees, or for an e-mail address listed twice.
    """
    if meeting.status == MeetingStatus.CANCELLED:
        raise InviteError("a cancelled meeting is sent with cancel, never as a request")
    return _invite(Method.REQUEST, meeting, attendees, meeting.status)


def cancel(meeting: Meeting, attendees: Sequence[Attendee]) -> bytes:
    """``METHOD:CANCEL`` with ``STATUS:CANCELLED``: the whole meeting is cancelled. Send it
    to every attendee, with ``meeting.sequence`` raised above the last one sent."""
    return _invite(Method.CANCEL, meeting, attendees, MeetingStatus.CANCELLED)


def cancel_for_removed_attendee(meeting: Meeting, attendee: Attendee) -> bytes:
    """``METHOD:CANCEL`` to one attendee removed from a meeting that goes on: lists only
    them and has no STATUS, so their calendar drops the event and nobody else's does."""
    return _invite(Method.CANCEL, meeting, [attendee], None)


def decline_counter(meeting: Meeting, attendee: Attendee) -> bytes:
    """``METHOD:DECLINECOUNTER`` to an attendee who proposed another time (RFC 5546 3.2.8):
    the meeting as it stands, listing only them; their calendar keeps the original time."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise InviteError("a cancelled meeting takes no counter-proposals")
    return _invite(Method.DECLINECOUNTER, meeting, [attendee], None)


# --- feed -------------------------------------------------------------------------------------


def _name_patterns(names: Collection[str]) -> list[re.Pattern[str]]:
    patterns = []
    for name in names:
        cleaned = " ".join(_clean_text(name).split())
        if len(cleaned) >= 2:
            # Whole words, also in the Danish genitive: "Emmas", "Hans'", "Lars’".
            pattern = rf"(?<!\w){re.escape(cleaned)}(?:s|['’]s?)?(?!\w)"
            patterns.append(re.compile(pattern, re.IGNORECASE))
    return patterns


def _mentions(text: str, patterns: Sequence[re.Pattern[str]]) -> bool:
    flat = " ".join(_clean_text(text).split())
    return any(pattern.search(flat) for pattern in patterns)


def _feed_event(
    meeting: Meeting, patterns: Sequence[re.Pattern[str]], neutral_summary: str
) -> Event:
    summary = neutral_summary if _mentions(meeting.summary, patterns) else meeting.summary
    description = "" if _mentions(meeting.description, patterns) else meeting.description
    location = "" if _mentions(meeting.location, patterns) else meeting.location
    event = _event(meeting, summary=summary, description=description, location=location)
    modified = _utc(meeting.last_modified or meeting.dtstamp)
    event.add("dtstamp", modified)
    event.add("last-modified", modified)
    event.add("status", meeting.status.value)
    event.add("class", "PRIVATE")
    return event


def feed(
    meetings: Iterable[Meeting],
    *,
    name: str,
    description: str = "",
    withheld_names: Collection[str] = (),
    show_names: bool = False,
    neutral_summary: str = DEFAULT_NEUTRAL_SUMMARY,
) -> bytes:
    """A subscribable calendar (``METHOD:PUBLISH``) of the meetings that are not cancelled.

    ``name`` is the calendar's display name. ``withheld_names`` are the names that must not
    appear (the young people's and their families'), matched as whole words, also in the
    genitive ("Emmas"), regardless of case. Unless ``show_names`` is set, a summary that
    mentions one becomes ``neutral_summary`` and a description or location that mentions
    one is left out.
    """
    _check_text("calendar name", name)
    _check_text("calendar description", description)
    _check_text("neutral summary", neutral_summary)
    if not _clean_text(name).strip():
        raise InviteError("calendar name must not be blank")
    if not _clean_text(neutral_summary).strip():
        raise InviteError("neutral summary must not be blank")
    patterns = [] if show_names else _name_patterns(withheld_names)
    if patterns and _mentions(neutral_summary, patterns):
        raise InviteError("neutral summary mentions a withheld name")

    calendar = _calendar(Method.PUBLISH)
    calendar.add("name", _text(name))
    calendar.add("x-wr-calname", _text(name))
    if description:
        calendar.add("description", _text(description))
        calendar.add("x-wr-caldesc", _text(description))
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", FEED_REFRESH_INTERVAL)

    current = [m for m in meetings if m.status != MeetingStatus.CANCELLED]
    uids = [m.uid for m in current]
    if len(set(uids)) != len(uids):
        raise InviteError("a meeting appears more than once in the feed")
    for meeting in sorted(current, key=lambda m: (_utc(m.start), str(m.uid))):
        calendar.add_component(_feed_event(meeting, patterns, neutral_summary))
    result: bytes = calendar.to_ical()
    return result


def feed_etag(body: bytes) -> str:
    """A strong ETag (quoted) for a feed body; equal bodies give equal ETags."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def feed_token_hash(token: str) -> str:
    """What to store for a feed token: its SHA-256 (hex). A token has at least 128 random
    bits, so a fast hash suffices; the token itself is never stored or logged.

    Raises ``InviteError`` for a token shorter than 22 characters (128 bits in URL-safe
    base64), which cannot hold enough randomness.
    """
    if len(token) < _FEED_TOKEN_MIN_CHARS:
        raise InviteError("a feed token needs at least 128 random bits")
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_token_matches(token: str, stored_hash: str) -> bool:
    """Whether ``token`` matches ``stored_hash``, compared in constant time. A token too
    short to be one never matches."""
    if len(token) < _FEED_TOKEN_MIN_CHARS:
        return False
    return hmac.compare_digest(feed_token_hash(token), stored_hash)
