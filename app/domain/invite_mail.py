"""The e-mail (iMIP) that carries a calendar invite. Pure: builds the message, never sends.

The numbers refer to the acceptance list for calendar invites (ICALENDAR.md).

* Structure (rule 13)::

      multipart/mixed
        multipart/alternative
          text/plain; charset=utf-8
          text/html; charset=utf-8
          text/calendar; method=REQUEST|CANCEL; charset=UTF-8   (inline, no disposition)
        application/ics; name="invite.ics"   (Content-Disposition: attachment)

* The text/calendar part's ``method`` is the METHOD inside the calendar and its charset
  is UTF-8 (rule 14). Both calendar parts carry exactly the bytes given, base64-encoded so
  the CRLF line ends survive transport (rule 15).
* The calendar must hold one VEVENT and a METHOD of REQUEST or CANCEL (or DECLINECOUNTER,
  the answer to a proposed new time), so one message never mixes REQUEST and CANCEL
  (rules 1 and 16).
* From must be the ORGANIZER's address or its SENT-BY address (rule 4), and every To
  address must be an ATTENDEE of the calendar (rule 5).
* Headers: MIME-Version, From, To, Subject, Message-ID (given by the caller, stable for
  retries), and Date when ``sent_at`` is given.
* The plain-text and HTML parts say what the meeting is, when, where, who else is
  invited and whom to call; ``invite_body`` writes both from the caller's texts, with
  Danish labels by default (``BodyLabels``), and ``format_when_da`` writes the time in
  Danish. The texts the caller gives (``invite_body``'s parts, the subject, the names)
  must not contain a CPR-like number (``CprInTextError``). The finished body is not
  checked again: the caller adds generated parts to it (each invitee's reply links), and a
  generated token is no one's CPR number.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from icalendar import Calendar

from app.domain.cpr import contains_cpr_like
from app.domain.ical import COPENHAGEN, Attendee, CprInTextError, InviteError, Method

__all__ = [
    "DANISH_LABELS",
    "INVITE_FILENAME",
    "BodyLabels",
    "InviteBody",
    "Mailbox",
    "format_when_da",
    "invite_body",
    "invite_message",
]

INVITE_FILENAME = "invite.ics"

_MESSAGE_ID_RE = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")
_WEEKDAYS_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_MONTHS_DA = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True, slots=True)
class Mailbox:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class InviteBody:
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class BodyLabels:
    """Labels of the plain-text and HTML parts. Danish by default; pass translated ones."""

    what: str = "Hvad"
    when: str = "Hvornår"
    where: str = "Hvor"
    invited: str = "Inviterede"
    contact: str = "Kontakt"
    optional: str = "deltagelse valgfri"


DANISH_LABELS = BodyLabels()


def _check_text(field: str, value: str) -> None:
    if contains_cpr_like(value):
        raise CprInTextError(field)


# --- bodies -----------------------------------------------------------------------------------


def _clock_da(moment: datetime) -> str:
    return f"{moment.hour:02d}.{moment.minute:02d}"


def _date_da(moment: datetime) -> str:
    weekday = _WEEKDAYS_DA[moment.weekday()]
    return f"{weekday} den {moment.day}. {_MONTHS_DA[moment.month - 1]} {moment.year}"


def format_when_da(start: datetime, end: datetime) -> str:
    """The meeting time in Danish, Copenhagen time: "mandag den 30. marts 2026 kl.
    10.00–11.00", or with both dates when the meeting ends on another day."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    start = start.astimezone(COPENHAGEN)
    end = end.astimezone(COPENHAGEN)
    if start.date() == end.date():
        return f"{_date_da(start)} kl. {_clock_da(start)}–{_clock_da(end)}"
    return f"{_date_da(start)} kl. {_clock_da(start)} til {_date_da(end)} kl. {_clock_da(end)}"


def _attendee_line(attendee: Attendee, labels: BodyLabels) -> str:
    details = [
        part for part in (attendee.role, "" if attendee.required else labels.optional) if part
    ]
    return f"{attendee.name} ({', '.join(details)})" if details else attendee.name


def _html_lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.splitlines())


def invite_body(
    *,
    intro: str,
    what: str,
    when: str,
    where: str,
    attendees: Sequence[Attendee],
    contact: str,
    labels: BodyLabels = DANISH_LABELS,
) -> InviteBody:
    """Plain text and HTML saying what, when, where, who is invited and whom to call.

    ``intro`` opens the message ("Du er inviteret til ..." or "Mødet er aflyst ...");
    ``contact`` says whom to call and how ("Ring til Mette Sørensen på 12 34 56 78").
    All text is the caller's; the HTML part escapes it.
    """
    for field, value in (
        ("intro", intro),
        ("what", what),
        ("when", when),
        ("where", where),
        ("contact", contact),
    ):
        _check_text(field, value)
    invited = [_attendee_line(attendee, labels) for attendee in attendees]
    rows = [(labels.what, what), (labels.when, when), (labels.where, where)]

    text_lines = [intro, ""]
    text_lines += [f"{label}: {value}" for label, value in rows]
    text_lines += [f"{labels.invited}:"] + [f"- {line}" for line in invited]
    text_lines += [f"{labels.contact}: {contact}"]

    items = "".join(f"<li>{html.escape(line)}</li>" for line in invited)
    cells = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{_html_lines(value)}</dd>" for label, value in rows
    )
    html_text = (
        '<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8"></head><body>'
        f"<p>{_html_lines(intro)}</p>"
        f"<dl>{cells}"
        f"<dt>{html.escape(labels.invited)}</dt><dd><ul>{items}</ul></dd>"
        f"<dt>{html.escape(labels.contact)}</dt><dd>{_html_lines(contact)}</dd>"
        "</dl></body></html>\n"
    )
    return InviteBody(text="\n".join(text_lines) + "\n", html=html_text)


# --- message ----------------------------------------------------------------------------------


def _mailto(value: object) -> str:
    text = str(value)
    return text[len("mailto:") :].casefold() if text.lower().startswith("mailto:") else ""


@dataclass(frozen=True, slots=True)
class _CalendarFacts:
    method: Method
    organiser: str
    sent_by: str
    attendees: frozenset[str]


def _calendar_facts(calendar_bytes: bytes) -> _CalendarFacts:
    calendar = Calendar.from_ical(calendar_bytes)
    method = str(calendar.get("METHOD", "")).upper()
    if method not in (Method.REQUEST, Method.CANCEL, Method.DECLINECOUNTER):
        raise InviteError(
            "an invite e-mail carries METHOD:REQUEST, METHOD:CANCEL or METHOD:DECLINECOUNTER")
    events = calendar.walk("VEVENT")
    if len(events) != 1:
        raise InviteError("an invite e-mail carries exactly one meeting")
    event = events[0]
    organiser = event.get("ORGANIZER")
    if organiser is None:
        raise InviteError("the meeting has no organiser")
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    return _CalendarFacts(
        method=Method(method),
        organiser=_mailto(organiser),
        sent_by=_mailto(organiser.params.get("SENT-BY", "")),
        attendees=frozenset(_mailto(attendee) for attendee in attendees),
    )


def _address(mailbox: Mailbox) -> Address:
    return Address(display_name=mailbox.name, addr_spec=mailbox.email)


def _check_headers(
    message_id: str, sender: Mailbox, recipients: Sequence[Mailbox], subject: str
) -> None:
    if _MESSAGE_ID_RE.fullmatch(message_id) is None:
        raise InviteError("message_id must look like <unique@domain>")
    if not recipients:
        raise InviteError("an invite e-mail needs at least one recipient")
    if not subject.strip() or "\n" in subject or "\r" in subject:
        raise InviteError("subject must be one non-blank line")
    _check_text("subject", subject)
    for mailbox in (sender, *recipients):
        _check_text("mailbox", mailbox.name)
        _check_text("mailbox", mailbox.email)


def invite_message(
    *,
    calendar: bytes,
    message_id: str,
    sender: Mailbox,
    recipients: Sequence[Mailbox],
    subject: str,
    body: InviteBody,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """The invite e-mail for ``calendar`` (from ``ical.request``, ``ical.cancel`` or
    ``ical.cancel_for_removed_attendee``), ready for the outbox.

    Raises ``InviteError`` when the calendar, the sender or the recipients break a rule in
    the module docstring, and ``CprInTextError`` when the subject or a name contains a
    CPR-like number. ``body`` comes from ``invite_body``, which checked its texts.
    """
    _check_headers(message_id, sender, recipients, subject)
    facts = _calendar_facts(calendar)
    if sender.email.casefold() not in {facts.organiser, facts.sent_by} - {""}:
        raise InviteError("From must be the organiser's address or its SENT-BY address")
    if any(mailbox.email.casefold() not in facts.attendees for mailbox in recipients):
        raise InviteError("every recipient must be an attendee of the meeting")

    message = EmailMessage(policy=SMTP)
    message["MIME-Version"] = "1.0"
    message["From"] = _address(sender)
    message["To"] = [_address(mailbox) for mailbox in recipients]
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if sent_at is not None:
        if sent_at.tzinfo is None:
            raise InviteError("sent_at must be timezone-aware")
        message["Date"] = format_datetime(sent_at)
    message.set_content(body.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(body.html, subtype="html", charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        calendar,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"method": facts.method.value, "charset": "UTF-8"},
    )
    message.make_mixed()
    message.add_attachment(
        calendar,
        maintype="application",
        subtype="ics",
        cte="base64",
        disposition="attachment",
        filename=INVITE_FILENAME,
        params={"name": INVITE_FILENAME},
    )
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # top level only
    return message
