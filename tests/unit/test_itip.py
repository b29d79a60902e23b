"""The calendar round trip's pure rules: reading an answer, deciding what it may change,
what an update carries and when SEQUENCE rises. No database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from icalendar import Calendar, Event, vCalAddress

from app.domain import ical, itip
from app.models.meeting import Answer, MeetingStatus, PlaceKind

UID = "7f1c2e4a-9b3d-4c5e-8f60-1a2b3c4d5e6f"
START = datetime(2026, 4, 1, 8, tzinfo=UTC)
END = START + timedelta(hours=1)
NOW = datetime(2026, 3, 20, 9, tzinfo=UTC)
ANNE = "anne@example.dk"


def reply(method="REPLY", partstat="ACCEPTED", uid=UID, sequence=2, attendees=(ANNE,),
          start=START, end=END, summary="Koordinerende møde") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Test//Reply//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", NOW)
    if start is not None:
        event.add("dtstart", start)
        event.add("dtend", end)
    event.add("summary", summary)
    for address in attendees:
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["PARTSTAT"] = partstat
        event.add("attendee", attendee)
    cal.add_component(event)
    return bytes(cal.to_ical())


def mail(calendar: bytes, sender=ANNE, attach=False) -> bytes:
    message = EmailMessage()
    message["From"] = f"Anne Holm <{sender}>"
    message["To"] = "svar@kommune.example"
    message["Subject"] = "Accepteret: Koordinerende møde"
    message.set_content("Anne har accepteret.")
    if attach:
        message.add_attachment(calendar, maintype="application", subtype="ics",
                               filename="invite.ics")
    else:
        message.add_alternative(calendar, maintype="text", subtype="calendar",
                                params={"method": "REPLY"})
    return bytes(message)


STORED = itip.StoredMeeting(uid=UID, sequence=2, status=MeetingStatus.PLANNED,
                            start=START, end=END)
INVITED = {ANNE: 11, "soren@uu.example.dk": 12}


def test_a_reply_is_read_from_the_calendar_part_of_an_email():
    read = itip.read_message(mail(reply()))
    assert read.sender == ANNE
    incoming = itip.read_calendar(read.calendar)
    assert (incoming.method, incoming.uid, incoming.sequence, incoming.attendee,
            incoming.answer) == (itip.ItipMethod.REPLY, UID, 2, ANNE, Answer.ACCEPTED)
    attached = itip.read_message(mail(reply(partstat="TENTATIVE"), attach=True))
    assert itip.read_calendar(attached.calendar).answer is Answer.TENTATIVE


@pytest.mark.parametrize("calendar, reason", [
    (b"not a calendar", "unreadable calendar object"),
    (reply(method="REQUEST"), "not a REPLY, COUNTER or REFRESH"),
    (reply(uid="meeting-42@kommune.example"), "UID is not one of ours"),
    (reply(attendees=()), "no attendee"),
    (reply(attendees=(ANNE, "per@example.dk")), "more than one attendee"),
    (reply(partstat="DELEGATED"), "PARTSTAT is not an answer"),
    (reply(method="COUNTER", start=None), "COUNTER without a time"),
    (reply().replace(b"SEQUENCE:2", b"SEQUENCE:two"), "SEQUENCE is not an integer"),
    (reply() + b"x" * itip.MAX_CALENDAR_BYTES, "calendar object too large"),
])
def test_a_malformed_answer_is_refused_with_a_reason_that_names_no_value(calendar, reason):
    with pytest.raises(itip.ItipError) as refused:
        itip.read_calendar(calendar)
    assert str(refused.value) == reason
    assert ANNE not in str(refused.value)


def test_an_email_without_a_calendar_or_with_two_different_ones_is_refused():
    plain = EmailMessage()
    plain["From"] = ANNE
    plain.set_content("Jeg kommer.")
    with pytest.raises(itip.ItipError, match="no calendar object"):
        itip.read_message(bytes(plain))
    two = EmailMessage()
    two["From"] = ANNE
    two.set_content("x")
    two.add_attachment(reply(), maintype="text", subtype="calendar")
    two.add_attachment(reply(partstat="DECLINED"), maintype="text", subtype="calendar")
    with pytest.raises(itip.ItipError, match="more than one calendar object"):
        itip.read_message(bytes(two))


def _decide(calendar: bytes, sender=ANNE, stored=STORED, now=NOW) -> itip.Verdict:
    return itip.decide(itip.read_calendar(calendar), sender, stored, INVITED, now)


def test_an_answer_counts_only_for_the_invitee_at_the_current_sequence_and_time():
    assert _decide(reply()) == itip.Verdict(11)
    assert _decide(reply(uid=str(uuid.uuid4()))).drop is itip.Drop.UNKNOWN_UID
    assert _decide(reply(), stored=None).drop is itip.Drop.UNKNOWN_UID
    assert _decide(reply(sequence=1)).drop is itip.Drop.OLD_SEQUENCE
    assert _decide(reply(sequence=3)).drop is itip.Drop.FUTURE_SEQUENCE
    stranger = "mallory@example.net"
    assert _decide(reply(attendees=(stranger,)), sender=stranger).drop is itip.Drop.NOT_INVITED
    assert _decide(reply(), sender="mallory@example.net").drop is itip.Drop.FORGED
    assert _decide(reply(start=START + timedelta(hours=2), end=END + timedelta(hours=2))
                   ).drop is itip.Drop.OTHER_TIME
    assert _decide(reply(), now=END).drop is itip.Drop.OVER
    cancelled = itip.StoredMeeting(UID, 3, MeetingStatus.CANCELLED, START, END)
    assert _decide(reply(sequence=3), stored=cancelled).drop is itip.Drop.NOT_PLANNED
    # a REPLY's own SUMMARY ("Accepted: ...", as Outlook writes it) is not read at all
    assert _decide(reply(summary="Flyttet til i morgen")) == itip.Verdict(11)


def test_a_refresh_needs_no_current_sequence_but_a_counter_does():
    assert _decide(reply(method="REFRESH", sequence=0)) == itip.Verdict(11)
    assert _decide(reply(method="COUNTER", sequence=1)).drop is itip.Drop.OLD_SEQUENCE
    later = START + timedelta(days=1)
    counter = itip.read_calendar(reply(method="COUNTER", start=later, end=later + timedelta(
        hours=1)))
    assert counter.start == later and itip.decide(counter, ANNE, STORED, INVITED, NOW) == \
        itip.Verdict(11)


def _version(**kw):
    values = {"start": START, "end": END, "place_kind": PlaceKind.TOWN_HALL,
              "place_detail": "Lokale 2.14"}
    return itip.Version(**{**values, **kw})


@pytest.mark.parametrize("change, significant", [
    ({}, False),
    ({"place_detail": " Lokale 2.14 "}, False),
    ({"start": START - timedelta(minutes=30)}, True),
    ({"end": END + timedelta(minutes=30)}, True),
    ({"place_kind": PlaceKind.OTHER}, True),
    ({"place_detail": "Lokale 3"}, True),
    ({"place_kind": PlaceKind.ONLINE, "place_detail": "https://meet.example/abc"}, True),
])
def test_only_time_length_and_place_are_significant(change, significant):
    assert itip.significant(_version(), _version(**change)) is significant


def test_updates_carry_each_answer_unless_the_change_asks_again():
    assert itip.partstat(Answer.ACCEPTED) == "ACCEPTED"
    assert itip.partstat(Answer.DECLINED) == "DECLINED"
    assert itip.partstat(Answer.TENTATIVE) == "TENTATIVE"
    assert itip.partstat(Answer.NEEDS_ACTION) == "NEEDS-ACTION"
    assert itip.partstat(Answer.ACCEPTED, significant_change=True) == "NEEDS-ACTION"
    meeting = ical.Meeting(uid=uuid.UUID(UID), sequence=2, dtstamp=NOW, start=START, end=END,
                           summary="Møde", organiser=ical.Organiser("Mette", "svar@k.dk"))
    body = ical.request(meeting, [ical.Attendee("Anne", ANNE, partstat="ACCEPTED"),
                                  ical.Attendee("Søren", "soren@uu.example.dk")])
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert [a.params["PARTSTAT"] for a in event["ATTENDEE"]] == ["ACCEPTED", "NEEDS-ACTION"]
    with pytest.raises(ical.InviteError):
        ical.Attendee("Anne", ANNE, partstat="DELEGATED")


def test_a_counter_is_declined_to_that_attendee_alone_with_the_meeting_as_it_stands():
    meeting = ical.Meeting(uid=uuid.UUID(UID), sequence=2, dtstamp=NOW, start=START, end=END,
                           summary="Møde", organiser=ical.Organiser("Mette", "svar@k.dk"))
    body = ical.decline_counter(meeting, ical.Attendee("Anne", ANNE))
    cal = Calendar.from_ical(body)
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "DECLINECOUNTER" and int(event["SEQUENCE"]) == 2
    assert str(event["ATTENDEE"]).lower() == f"mailto:{ANNE}"
    assert event.decoded("DTSTART").astimezone(UTC) == START


OUTLOOK_REPLY = (
    "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\n"
    "VERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Romance Standard Time\r\nBEGIN:STANDARD\r\n"
    "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=Anne Holm:mailto:Anne@Example.dk\r\n"
    "SUMMARY;LANGUAGE=da-DK:Accepteret: Koordineringsmøde om Freja\r\n"
    "DTSTART;TZID=Romance Standard Time:20260401T100000\r\n"
    "DTEND;TZID=Romance Standard Time:20260401T110000\r\n"
    f"UID:{UID.upper()}\r\nDTSTAMP:20260302T100000Z\r\nSEQUENCE:2\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def test_an_outlook_shaped_reply_counts_without_organizer_in_its_own_time_zone():
    """outlook.com leaves ORGANIZER out of a REPLY and writes times in a Windows zone; the
    address may come in another case and the UID in capitals."""
    incoming = itip.read_calendar(OUTLOOK_REPLY)
    assert incoming.start == START and incoming.end == END and incoming.uid == UID
    assert itip.decide(incoming, ANNE, STORED, INVITED, NOW) == itip.Verdict(11)
    floating = OUTLOOK_REPLY.replace(b"DTSTART;TZID=Romance Standard Time:",
                                     b"DTSTART;TZID=Nowhere/Else:")
    assert itip.read_calendar(floating).start is None  # not readable: not held against it
