"""Calendar invites and feeds, checked rule by rule against ICALENDAR.md.

Tests named ``test_rule_NN_...`` check rule NN of that list; every output is parsed back
with ``icalendar.Calendar.from_ical`` (and the MIME tree with ``email.parser``)."""

import base64
import email
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from dateutil.tz import tzical
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from app.domain.cpr import contains_cpr_like
from app.domain.ical import (
    COPENHAGEN,
    FEED_CONTENT_TYPE,
    PRODID,
    Attendee,
    CprInTextError,
    InviteError,
    Meeting,
    MeetingStatus,
    Organiser,
    cancel,
    cancel_for_removed_attendee,
    copenhagen_vtimezone,
    feed,
    feed_etag,
    feed_token_hash,
    feed_token_matches,
    next_sequence,
    request,
)
from app.domain.invite_mail import (
    INVITE_FILENAME,
    BodyLabels,
    InviteBody,
    Mailbox,
    format_when_da,
    invite_body,
    invite_message,
)

UID = uuid.UUID("6f1c2f8e-6a51-4c53-9d0e-2b7f4c1a9e55")
ORGANISER = Organiser("Mette Sørensen", "mette.soerensen@kommune.dk")
MOTHER = Attendee("Anne Hansen", "anne@example.dk", role="mor")
YOUTH = Attendee("Emma Hansen", "emma@example.dk", role="den unge")
ADVISER = Attendee("Per Ølgaard", "per@uu.example.dk", required=False, role="UU-vejleder")
ATTENDEES = [MOTHER, YOUTH, ADVISER]
CPR = "010190-1234"


def cph(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN)


def make_meeting(**overrides):
    values = {
        "uid": UID,
        "sequence": 0,
        "dtstamp": datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
        "start": cph(2026, 4, 14, 10),
        "end": cph(2026, 4, 14, 11, 30),
        "summary": "Koordineringsmøde om Emmas overgang",
        "organiser": ORGANISER,
        "description": "Vi taler om uddannelse, bolig og støtte efter 18 år.",
        "location": "Rådhuset, mødelokale 2; 1. sal",
        "url": "https://overgang.kommune.dk/moeder/42",
    }
    values.update(overrides)
    return Meeting(**values)


def parse(data):
    return Calendar.from_ical(data)


def only_event(data):
    events = parse(data).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def lines(data):
    """Content lines, unfolded, as text."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def property_lines(data, name):
    return [line for line in lines(data) if re.match(rf"{name}[;:]", line)]


def event_lines(data, name):
    """Like ``property_lines``, inside VEVENTs only (a VTIMEZONE has its own DTSTART)."""
    content = lines(data)
    inside, found = False, []
    for line in content:
        if line in ("BEGIN:VEVENT", "END:VEVENT"):
            inside = line == "BEGIN:VEVENT"
        elif inside and re.match(rf"{name}[;:]", line):
            found.append(line)
    return found


def unescape_text(value):
    """RFC 5545 TEXT unescaping, for properties icalendar does not know as TEXT."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def attendee_list(event):
    value = event.get("ATTENDEE", [])
    return value if isinstance(value, list) else [value]


def vtimezone_block(data):
    text = data.decode("utf-8")
    return text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]


def all_invites(meeting=None):
    meeting = meeting or make_meeting()
    return {
        "REQUEST": request(meeting, ATTENDEES),
        "CANCEL": cancel(meeting, ATTENDEES),
        "CANCEL (removed attendee)": cancel_for_removed_attendee(meeting, ADVISER),
    }


# --- rule 1 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["REQUEST", "CANCEL", "CANCEL (removed attendee)"])
def test_rule_01_version_prodid_method_and_one_meeting_per_message(kind):
    data = all_invites()[kind]
    calendar = parse(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["METHOD"]) == kind.split()[0]
    assert len(calendar.walk("VEVENT")) == 1
    assert len(property_lines(data, "METHOD")) == 1


# --- rule 2 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["REQUEST", "CANCEL", "CANCEL (removed attendee)"])
def test_rule_02_vevent_has_uid_utc_dtstamp_start_end_summary_organiser_attendee_sequence(kind):
    data = all_invites(make_meeting(sequence=3))[kind]
    event = only_event(data)
    for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER", "SEQUENCE"):
        assert name in event, name
    assert len(attendee_list(event)) >= 1
    assert event.decoded("DTSTAMP") == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert property_lines(data, "DTSTAMP") == ["DTSTAMP:20260301T080000Z"]
    assert property_lines(data, "SEQUENCE") == ["SEQUENCE:3"]
    assert event.decoded("SEQUENCE") == 3


def test_rule_02_dtstamp_given_in_local_time_is_written_in_utc():
    data = request(make_meeting(dtstamp=cph(2026, 7, 1, 12, 0)), ATTENDEES)
    assert property_lines(data, "DTSTAMP") == ["DTSTAMP:20260701T100000Z"]


def test_rule_02_an_invite_without_attendees_is_refused():
    with pytest.raises(InviteError, match="attendee"):
        request(make_meeting(), [])
    with pytest.raises(InviteError, match="attendee"):
        cancel(make_meeting(), [])


def test_rule_02_a_meeting_must_end_after_it_starts_and_have_a_summary():
    with pytest.raises(InviteError, match="end"):
        make_meeting(end=cph(2026, 4, 14, 10))
    with pytest.raises(InviteError, match="summary"):
        make_meeting(summary=" \n ")


def test_rule_02_sequence_is_a_non_negative_integer():
    with pytest.raises(InviteError, match="negative"):
        make_meeting(sequence=-1)
    with pytest.raises(InviteError, match="integer"):
        make_meeting(sequence="1")
    with pytest.raises(InviteError, match="integer"):
        make_meeting(sequence=True)


@pytest.mark.parametrize("field", ["dtstamp", "start", "end", "last_modified"])
def test_rule_02_naive_times_are_refused(field):
    with pytest.raises(InviteError, match="aware"):
        make_meeting(**{field: datetime(2026, 4, 14, 12, 0)})


# --- rule 3 ------------------------------------------------------------------------------------


def test_rule_03_uid_is_the_stored_uuid_in_every_message_and_the_feed():
    meeting = make_meeting()
    messages = [*all_invites(meeting).values(), feed([meeting], name="Mine møder")]
    for data in messages:
        assert property_lines(data, "UID") == [f"UID:{UID}"]
        assert str(only_event(data)["UID"]) == str(UID)


def test_rule_03_uid_holds_no_host_name_case_number_or_name():
    value = str(only_event(request(make_meeting(), ATTENDEES))["UID"])
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value
    )
    assert "@" not in value


@pytest.mark.parametrize(
    "uid",
    [
        uuid.uuid1(),  # embeds the host's MAC address and a timestamp
        uuid.uuid5(uuid.NAMESPACE_DNS, "sag-2026-0042.kommune.dk"),  # derived from a name
        "6f1c2f8e-6a51-4c53-9d0e-2b7f4c1a9e55@kommune.dk",
    ],
)
def test_rule_03_uid_must_be_a_random_uuid(uid):
    with pytest.raises(InviteError, match="uid"):
        make_meeting(uid=uid)


# --- rule 4 ------------------------------------------------------------------------------------


def test_rule_04_organizer_is_mailto_the_monitored_mailbox():
    event = only_event(request(make_meeting(), ATTENDEES))
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:mette.soerensen@kommune.dk"
    assert organizer.params["CN"] == "Mette Sørensen"
    assert "SENT-BY" not in organizer.params


def test_rule_04_organizer_carries_sent_by_when_another_mailbox_sends():
    organiser = Organiser("Mette Sørensen", "mette@kommune.dk", sent_by="overgang@kommune.dk")
    event = only_event(request(make_meeting(organiser=organiser), ATTENDEES))
    assert event["ORGANIZER"].params["SENT-BY"] == "mailto:overgang@kommune.dk"


@pytest.mark.parametrize("address", ["", "mette", "mette@", "a b@kommune.dk", "<m@k.dk>"])
def test_rule_04_organiser_address_must_be_an_e_mail_address(address):
    with pytest.raises(InviteError, match="e-mail"):
        Organiser("Mette", address)


# --- rule 5 ------------------------------------------------------------------------------------


def test_rule_05_every_recipient_is_an_attendee_with_cn_role_partstat_and_rsvp():
    event = only_event(request(make_meeting(), ATTENDEES))
    found = {str(a): a.params for a in attendee_list(event)}
    assert set(found) == {f"mailto:{a.email}" for a in ATTENDEES}
    for attendee in ATTENDEES:
        params = found[f"mailto:{attendee.email}"]
        assert params["CN"] == attendee.name
        assert params["ROLE"] == ("REQ-PARTICIPANT" if attendee.required else "OPT-PARTICIPANT")
        assert params["PARTSTAT"] == "NEEDS-ACTION"
        assert params["RSVP"] == "TRUE"
    for line in property_lines(request(make_meeting(), ATTENDEES), "ATTENDEE"):
        assert "RSVP=TRUE" in line
        assert "PARTSTAT=NEEDS-ACTION" in line


def test_rule_05_an_attendee_listed_twice_is_refused():
    twin = Attendee("Anne H.", "ANNE@example.dk")
    with pytest.raises(InviteError, match="more than once"):
        request(make_meeting(), [MOTHER, twin])


def test_rule_05_attendee_names_with_punctuation_survive_as_cn():
    odd = Attendee('Ann-Sofie "Sofie" Ærø, Jensen; mor:x\nny linje', "sofie@example.dk")
    event = only_event(request(make_meeting(), [odd]))
    assert attendee_list(event)[0].params["CN"] == "Ann-Sofie 'Sofie' Ærø, Jensen; mor:x ny linje"


def test_rule_05_the_attendee_role_text_stays_out_of_the_calendar():
    data = request(make_meeting(), ATTENDEES)
    assert b"UU-vejleder" not in data


# --- rule 6 ------------------------------------------------------------------------------------


def test_rule_06_every_tzid_has_its_vtimezone():
    for data in [*all_invites().values(), feed([make_meeting()], name="Mine møder")]:
        calendar = parse(data)
        defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
        used = set(re.findall(r";TZID=([^:;]+)", data.decode("utf-8").replace("\r\n ", "")))
        assert used == {"Europe/Copenhagen"}
        assert used <= defined


def test_rule_06_vtimezone_uses_the_yearly_rule_form_not_rdates():
    text = vtimezone_block(request(make_meeting(), ATTENDEES))
    assert "RDATE" not in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in text
    timezone = parse(request(make_meeting(), ATTENDEES)).walk("VTIMEZONE")[0]
    assert len(timezone.walk("DAYLIGHT")) == 1
    assert len(timezone.walk("STANDARD")) == 1


def test_rule_06_vtimezone_is_identical_in_every_message():
    other = make_meeting(
        uid=uuid.uuid4(), sequence=7, start=cph(2031, 12, 1, 9), end=cph(2031, 12, 1, 10)
    )
    blocks = {
        vtimezone_block(data)
        for meeting in (make_meeting(), other)
        for data in [*all_invites(meeting).values(), feed([meeting], name="x")]
    }
    assert len(blocks) == 1


def test_rule_06_vtimezone_rules_agree_with_the_tz_database():
    """Read the VTIMEZONE with dateutil (independent of icalendar and zoneinfo) and compare
    the UTC offset with zoneinfo every hour around each change, 1996 to 2037."""
    text = copenhagen_vtimezone().to_ical().decode("utf-8")
    from_vtimezone = tzical(io.StringIO(text)).get("Europe/Copenhagen")
    for year in range(1996, 2038):
        for month in (3, 10):
            last_sunday = max(
                datetime(year, month, day, tzinfo=UTC)
                for day in range(25, 32)
                if datetime(year, month, day).weekday() == 6
            )
            for hour in range(-6, 7):
                instant = last_sunday + timedelta(hours=hour)
                assert (
                    instant.astimezone(from_vtimezone).utcoffset()
                    == instant.astimezone(COPENHAGEN).utcoffset()
                ), instant


# --- rule 7 ------------------------------------------------------------------------------------

LONG_DANISH = (
    "Mødet handler om Æblehaven og Ørestad, hvor Åse bor; vi drøfter støtte, bolig og "
    "uddannelse efter det 18. år. " * 6
) + "€ 🙂 ÆØÅ æøå"


def assert_crlf_and_folded(data):
    assert data.endswith(b"\r\n")
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n"), "bare LF"
    assert data.count(b"\r") == data.count(b"\r\n"), "bare CR"
    for physical in data.split(b"\r\n"):
        assert len(physical) <= 75, physical
        physical.decode("utf-8")  # a fold never splits a UTF-8 sequence (æ/ø/å)


def test_rule_07_crlf_line_ends_and_lines_folded_at_75_octets():
    meeting = make_meeting(summary=LONG_DANISH, description=LONG_DANISH, location=LONG_DANISH)
    long_name = Attendee("Åse Ærøskøbing-Østergaard " * 5, "aase@example.dk")
    for data in [
        request(meeting, [*ATTENDEES, long_name]),
        cancel(meeting, ATTENDEES),
        cancel_for_removed_attendee(meeting, long_name),
        feed([meeting], name=LONG_DANISH, description=LONG_DANISH),
    ]:
        assert_crlf_and_folded(data)
        assert any(len(line) > 75 for line in lines(data)), "the test text should need folding"
    event = only_event(request(meeting, ATTENDEES))
    assert str(event["SUMMARY"]) == LONG_DANISH
    assert str(event["DESCRIPTION"]) == LONG_DANISH


# --- rule 8 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (cph(2026, 3, 29, 10), datetime(2026, 3, 29, 8, tzinfo=UTC)),
        (cph(2026, 10, 25, 10), datetime(2026, 10, 25, 9, tzinfo=UTC)),
        (cph(2026, 3, 29, 9), datetime(2026, 3, 29, 7, tzinfo=UTC)),
        (cph(2026, 10, 25, 9), datetime(2026, 10, 25, 8, tzinfo=UTC)),
        (cph(2026, 3, 28, 9), datetime(2026, 3, 28, 8, tzinfo=UTC)),
        (cph(2026, 10, 24, 9), datetime(2026, 10, 24, 7, tzinfo=UTC)),
    ],
)
def test_rule_08_meetings_on_dst_change_days_have_the_right_utc_time(local, utc):
    meeting = make_meeting(start=local, end=local + timedelta(hours=1))
    data = request(meeting, ATTENDEES)
    stamp = local.strftime("%Y%m%dT%H%M%S")
    assert event_lines(data, "DTSTART") == [f"DTSTART;TZID=Europe/Copenhagen:{stamp}"]
    # As icalendar reads it ...
    assert only_event(data).decoded("DTSTART").astimezone(UTC) == utc
    # ... and as a client that only has the message's VTIMEZONE reads it.
    vtimezone = parse(data).walk("VTIMEZONE")[0].to_ical().decode("utf-8")
    client_tz = tzical(io.StringIO(vtimezone)).get("Europe/Copenhagen")
    naive = datetime.strptime(stamp, "%Y%m%dT%H%M%S")
    assert naive.replace(tzinfo=client_tz).astimezone(UTC) == utc


def test_rule_08_times_given_in_utc_are_written_as_copenhagen_wall_clock():
    start = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    data = request(make_meeting(start=start, end=start + timedelta(hours=1)), ATTENDEES)
    assert event_lines(data, "DTSTART") == ["DTSTART;TZID=Europe/Copenhagen:20261025T100000"]
    assert event_lines(data, "DTEND") == ["DTEND;TZID=Europe/Copenhagen:20261025T110000"]


# --- rule 9 ------------------------------------------------------------------------------------


def test_rule_09_updates_keep_the_uid_raise_sequence_and_dtstamp():
    first = make_meeting(sequence=next_sequence(None), dtstamp=datetime(2026, 3, 1, tzinfo=UTC))
    moved = make_meeting(
        sequence=next_sequence(first.sequence),
        dtstamp=datetime(2026, 3, 2, tzinfo=UTC),
        start=cph(2026, 4, 15, 10),
        end=cph(2026, 4, 15, 11),
    )
    renamed = make_meeting(
        sequence=next_sequence(moved.sequence),
        dtstamp=datetime(2026, 3, 3, tzinfo=UTC),
        start=moved.start,
        end=moved.end,
        summary="Overgangsmøde",
    )
    events = [only_event(request(m, ATTENDEES)) for m in (first, moved, renamed)]
    assert [parse(request(m, ATTENDEES))["METHOD"] for m in (first, moved, renamed)] == [
        "REQUEST"
    ] * 3
    assert {str(e["UID"]) for e in events} == {str(UID)}
    sequences = [e.decoded("SEQUENCE") for e in events]
    assert sequences == [0, 1, 2]
    stamps = [e.decoded("DTSTAMP") for e in events]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 3


def test_rule_09_next_sequence_starts_at_zero_and_counts_up():
    assert next_sequence(None) == 0
    assert next_sequence(0) == 1
    assert next_sequence(41) == 42


# --- rule 10 -----------------------------------------------------------------------------------


def test_rule_10_a_removed_attendee_gets_a_cancel_listing_only_them_without_status():
    meeting = make_meeting(sequence=4)
    data = cancel_for_removed_attendee(meeting, ADVISER)
    event = only_event(data)
    assert str(parse(data)["METHOD"]) == "CANCEL"
    assert [str(a) for a in attendee_list(event)] == [f"mailto:{ADVISER.email}"]
    assert "STATUS" not in event
    assert property_lines(data, "STATUS") == []
    assert str(event["UID"]) == str(UID)
    assert event.decoded("SEQUENCE") == 4


def test_rule_10_the_others_get_a_request_with_the_same_raised_sequence():
    remaining = [MOTHER, YOUTH]
    meeting = make_meeting(sequence=4)
    update = only_event(request(meeting, remaining))
    removal = only_event(cancel_for_removed_attendee(meeting, ADVISER))
    assert update.decoded("SEQUENCE") == removal.decoded("SEQUENCE") == 4
    assert {str(a) for a in attendee_list(update)} == {f"mailto:{a.email}" for a in remaining}


# --- rule 11 -----------------------------------------------------------------------------------


def test_rule_11_cancel_has_status_cancelled_same_uid_raised_sequence_organiser_and_all():
    sent = make_meeting(sequence=2)
    cancelled = make_meeting(
        sequence=next_sequence(sent.sequence),
        dtstamp=datetime(2026, 3, 5, tzinfo=UTC),
        status=MeetingStatus.CANCELLED,
    )
    data = cancel(cancelled, ATTENDEES)
    calendar = parse(data)
    event = only_event(data)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(only_event(request(sent, ATTENDEES))["UID"])
    assert event.decoded("SEQUENCE") == 3 > sent.sequence
    assert str(event["ORGANIZER"]) == f"mailto:{ORGANISER.email}"
    assert event.decoded("DTSTAMP") == datetime(2026, 3, 5, tzinfo=UTC)
    assert {str(a) for a in attendee_list(event)} == {f"mailto:{a.email}" for a in ATTENDEES}


# --- rule 12 -----------------------------------------------------------------------------------


def test_rule_12_never_a_request_with_status_cancelled():
    with pytest.raises(InviteError, match="cancel"):
        request(make_meeting(status=MeetingStatus.CANCELLED), ATTENDEES)
    with pytest.raises(InviteError, match="cancel"):
        request(make_meeting(status="CANCELLED"), ATTENDEES)
    with pytest.raises(ValueError):
        make_meeting(status="DELETED")


@pytest.mark.parametrize("status", [MeetingStatus.CONFIRMED, MeetingStatus.TENTATIVE])
def test_rule_12_a_request_carries_the_meetings_live_status(status):
    assert str(only_event(request(make_meeting(status=status), ATTENDEES))["STATUS"]) == status


# --- the e-mail (rules 4, 5, 13-16) ------------------------------------------------------------

SENDER = Mailbox(ORGANISER.name, ORGANISER.email)
MESSAGE_ID = "<meeting-42-seq-0@overgang.kommune.dk>"


def make_body(attendees=ATTENDEES):
    meeting = make_meeting()
    return invite_body(
        intro="Du er inviteret til et møde om Emmas overgang til voksenområdet.",
        what=meeting.summary,
        when=format_when_da(meeting.start, meeting.end),
        where=meeting.location,
        attendees=attendees,
        contact="Ring til Mette Sørensen på 12 34 56 78, hverdage 9–15",
    )


def make_message(calendar=None, recipients=None, sender=SENDER, **overrides):
    calendar = calendar if calendar is not None else request(make_meeting(), ATTENDEES)
    recipients = recipients or [Mailbox(a.name, a.email) for a in ATTENDEES]
    values = {
        "calendar": calendar,
        "message_id": MESSAGE_ID,
        "sender": sender,
        "recipients": recipients,
        "subject": "Invitation: Koordineringsmøde tirsdag 14. april",
        "body": make_body(),
        "sent_at": datetime(2026, 3, 1, 9, 0, tzinfo=COPENHAGEN),
    }
    values.update(overrides)
    return invite_message(**values)


def reparse(message):
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)


def tree(part):
    if part.is_multipart():
        return (part.get_content_type(), [tree(child) for child in part.iter_parts()])
    return part.get_content_type()


@pytest.mark.parametrize("kind", ["REQUEST", "CANCEL", "CANCEL (removed attendee)"])
def test_rule_13_mime_tree_is_mixed_of_alternative_and_the_ics_attachment(kind):
    calendar = all_invites()[kind]
    recipients = [Mailbox(ADVISER.name, ADVISER.email)]
    parsed = reparse(make_message(calendar=calendar, recipients=recipients))
    assert tree(parsed) == (
        "multipart/mixed",
        [
            ("multipart/alternative", ["text/plain", "text/html", "text/calendar"]),
            "application/ics",
        ],
    )


@pytest.mark.parametrize("kind", ["REQUEST", "CANCEL", "CANCEL (removed attendee)"])
def test_rule_14_calendar_part_method_equals_method_and_charset_is_utf_8(kind):
    calendar = all_invites()[kind]
    recipients = [Mailbox(ADVISER.name, ADVISER.email)]
    parsed = reparse(make_message(calendar=calendar, recipients=recipients))
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == str(parse(calendar)["METHOD"]) == kind.split()[0]
    assert part.get_param("charset") == "UTF-8"


def test_rule_15_inline_part_has_no_attachment_disposition_and_the_attachment_same_bytes():
    calendar = request(make_meeting(), ATTENDEES)
    parsed = reparse(make_message(calendar=calendar))
    inline = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    attachment = next(p for p in parsed.walk() if p.get_content_type() == "application/ics")
    assert inline["Content-Disposition"] is None
    assert inline.get_content_disposition() is None
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == INVITE_FILENAME
    assert attachment.get_param("name") == INVITE_FILENAME
    assert inline.get_payload(decode=True) == calendar
    assert attachment.get_payload(decode=True) == calendar


def test_rule_15_calendar_bytes_survive_transport_with_crlf_line_ends():
    calendar = request(make_meeting(description=LONG_DANISH), ATTENDEES)
    parsed = reparse(make_message(calendar=calendar))
    for part in parsed.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            assert part["Content-Transfer-Encoding"] == "base64"
            assert base64.b64decode(part.get_payload()) == calendar
            assert_crlf_and_folded(part.get_payload(decode=True))


def test_rule_16_never_request_and_cancel_in_one_e_mail():
    parsed = reparse(make_message(calendar=cancel(make_meeting(sequence=1), ATTENDEES)))
    methods = {
        p.get_param("method") for p in parsed.walk() if p.get_content_type() == "text/calendar"
    }
    assert methods == {"CANCEL"}
    for part in parsed.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            assert b"METHOD:REQUEST" not in part.get_payload(decode=True)


def test_rule_16_a_calendar_with_two_meetings_or_another_method_is_refused():
    calendar = parse(request(make_meeting(), ATTENDEES))
    calendar.add_component(
        Event.from_ical(only_event(request(make_meeting(), ATTENDEES)).to_ical())
    )
    with pytest.raises(InviteError, match="one meeting"):
        make_message(calendar=calendar.to_ical())
    with pytest.raises(InviteError, match="METHOD"):
        make_message(calendar=feed([make_meeting()], name="Mine møder"))


def test_rule_04_the_e_mail_comes_from_the_organiser():
    parsed = reparse(make_message())
    inline = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    organizer = only_event(inline.get_payload(decode=True))["ORGANIZER"]
    assert str(organizer) == f"mailto:{parsed['From'].addresses[0].addr_spec}"


def test_rule_04_the_e_mail_may_come_from_the_sent_by_mailbox():
    organiser = Organiser("Mette Sørensen", "mette@kommune.dk", sent_by="overgang@kommune.dk")
    calendar = request(make_meeting(organiser=organiser), ATTENDEES)
    message = make_message(calendar=calendar, sender=Mailbox("Overgang", "Overgang@kommune.dk"))
    assert reparse(message)["From"].addresses[0].addr_spec == "Overgang@kommune.dk"


@pytest.mark.parametrize("address", ["someone@kommune.dk", ""])
def test_rule_04_an_e_mail_from_another_mailbox_is_refused(address):
    with pytest.raises(InviteError, match="From"):
        make_message(sender=Mailbox("Nogen", address))


def test_rule_05_every_to_address_must_be_an_attendee():
    stranger = Mailbox("Fremmed", "fremmed@example.dk")
    with pytest.raises(InviteError, match="attendee"):
        make_message(recipients=[Mailbox(MOTHER.name, MOTHER.email), stranger])
    removal = cancel_for_removed_attendee(make_meeting(), ADVISER)
    with pytest.raises(InviteError, match="attendee"):
        make_message(calendar=removal, recipients=[Mailbox(MOTHER.name, MOTHER.email)])


def test_the_e_mail_has_from_to_subject_message_id_date_and_one_mime_version():
    message = make_message()
    parsed = reparse(message)
    assert [a.addr_spec for a in parsed["To"].addresses] == [a.email for a in ATTENDEES]
    assert parsed["To"].addresses[0].display_name == "Anne Hansen"
    assert parsed["From"].addresses[0].display_name == "Mette Sørensen"
    assert parsed["Subject"] == "Invitation: Koordineringsmøde tirsdag 14. april"
    assert parsed["Message-ID"] == MESSAGE_ID
    assert parsed["Date"].datetime == datetime(2026, 3, 1, 9, 0, tzinfo=COPENHAGEN)
    assert message.as_bytes().count(b"MIME-Version:") == 1
    assert make_message().as_bytes() != b""


def test_the_message_id_is_the_one_given_so_retries_are_recognisable():
    assert reparse(make_message())["Message-ID"] == reparse(make_message())["Message-ID"]
    with pytest.raises(InviteError, match="message_id"):
        make_message(message_id="no-angle-brackets@kommune.dk")


def test_the_plain_text_and_html_say_what_when_where_who_and_whom_to_call():
    parsed = reparse(make_message())
    text = parsed.get_body(("plain",)).get_content()
    html_text = parsed.get_body(("html",)).get_content()
    for expected in (
        "Hvad: Koordineringsmøde om Emmas overgang",
        "Hvornår: tirsdag den 14. april 2026 kl. 10.00–11.30",
        "Hvor: Rådhuset, mødelokale 2; 1. sal",
        "- Anne Hansen (mor)",
        "- Emma Hansen (den unge)",
        "- Per Ølgaard (UU-vejleder, deltagelse valgfri)",
        "Kontakt: Ring til Mette Sørensen på 12 34 56 78",
    ):
        assert expected in text
    for expected in ("<dt>Hvornår</dt>", "<li>Per Ølgaard (UU-vejleder, deltagelse valgfri)</li>"):
        assert expected in html_text
    assert 'lang="da"' in html_text


def test_the_html_part_escapes_the_callers_text():
    body = invite_body(
        intro="<script>alert(1)</script>",
        what="A & B",
        when="i dag",
        where="hos <familien>",
        attendees=[Attendee("<b>x</b>", "x@example.dk")],
        contact="a\nb",
    )
    assert "<script>" not in body.html
    assert "&lt;script&gt;" in body.html
    assert "A &amp; B" in body.html
    assert "&lt;b&gt;x&lt;/b&gt;" in body.html
    assert "a<br>b" in body.html


def test_labels_can_be_given_in_another_language():
    labels = BodyLabels(
        what="What",
        when="When",
        where="Where",
        invited="Invited",
        contact="Contact",
        optional="optional",
    )
    body = invite_body(
        intro="Hi", what="x", when="y", where="z", attendees=[ADVISER], contact="c", labels=labels
    )
    assert "When: y" in body.text
    assert "Per Ølgaard (UU-vejleder, optional)" in body.text


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (cph(2026, 3, 29, 10), cph(2026, 3, 29, 11), "søndag den 29. marts 2026 kl. 10.00–11.00"),
        (
            datetime(2026, 10, 25, 8, 5, tzinfo=UTC),
            datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
            "søndag den 25. oktober 2026 kl. 09.05–10.00",
        ),
        (
            cph(2026, 12, 31, 22),
            cph(2027, 1, 1, 1),
            "torsdag den 31. december 2026 kl. 22.00 til fredag den 1. januar 2027 kl. 01.00",
        ),
    ],
)
def test_format_when_da(start, end, expected):
    assert format_when_da(start, end) == expected


# --- feeds (rules 17-24) -----------------------------------------------------------------------


def make_feed(meetings=None, **overrides):
    values = {"name": "Mettes møder", "withheld_names": ["Emma", "Hansen"]}
    values.update(overrides)
    return feed(meetings if meetings is not None else [make_meeting()], **values)


def test_rule_17_feed_method_is_publish_and_content_type_is_text_calendar_utf_8():
    assert str(parse(make_feed())["METHOD"]) == "PUBLISH"
    assert FEED_CONTENT_TYPE == "text/calendar; charset=utf-8"


def test_rule_18_feed_has_x_wr_calname_and_name():
    data = make_feed(name="Mettes møder, Team Nord; overgang")
    calendar = parse(data)
    expected = "Mettes møder, Team Nord; overgang"
    assert unescape_text(calendar["NAME"].to_ical().decode()) == expected
    assert unescape_text(calendar["X-WR-CALNAME"].to_ical().decode()) == expected
    assert property_lines(data, "X-WR-CALNAME") == [
        "X-WR-CALNAME:Mettes møder\\, Team Nord\\; overgang"
    ]


def test_rule_18_feed_name_must_not_be_blank():
    with pytest.raises(InviteError, match="name"):
        make_feed(name=" ")


def test_rule_19_feed_refresh_interval_and_published_ttl_are_one_hour():
    data = make_feed()
    assert property_lines(data, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert property_lines(data, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT1H"]


def test_rule_20_the_same_meetings_give_the_same_bytes_and_etag():
    first = make_meeting()
    second = make_meeting(uid=uuid.uuid4(), start=cph(2026, 5, 1, 9), end=cph(2026, 5, 1, 10))
    one = make_feed([first, second])
    assert make_feed([second, first]) == one
    assert feed_etag(make_feed([second, first])) == feed_etag(one)
    assert re.fullmatch(r'"[0-9a-f]{32}"', feed_etag(one))
    changed = make_feed(
        [
            first,
            make_meeting(
                uid=second.uid, sequence=1, start=second.start, end=second.end, summary="Flyttet"
            ),
        ]
    )
    assert feed_etag(changed) != feed_etag(one)


def test_rule_20_feed_events_are_in_time_order():
    late = make_meeting(uid=uuid.uuid4(), start=cph(2026, 9, 1, 9), end=cph(2026, 9, 1, 10))
    early = make_meeting(uid=uuid.uuid4(), start=cph(2026, 2, 1, 9), end=cph(2026, 2, 1, 10))
    events = parse(make_feed([late, make_meeting(), early])).walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events] == sorted(e.decoded("DTSTART") for e in events)


def test_rule_21_feed_reuses_uids_with_sequence_and_last_modified_that_rise():
    before = make_meeting(sequence=0, dtstamp=datetime(2026, 3, 1, tzinfo=UTC))
    after = make_meeting(
        sequence=1,
        dtstamp=datetime(2026, 3, 2, tzinfo=UTC),
        last_modified=datetime(2026, 3, 2, 10, tzinfo=UTC),
    )
    old_event = only_event(make_feed([before]))
    new_event = only_event(make_feed([after]))
    assert str(old_event["UID"]) == str(new_event["UID"]) == str(UID)
    assert str(new_event["UID"]) == str(only_event(request(after, ATTENDEES))["UID"])
    assert new_event.decoded("SEQUENCE") > old_event.decoded("SEQUENCE")
    assert new_event.decoded("LAST-MODIFIED") > old_event.decoded("LAST-MODIFIED")
    assert new_event.decoded("LAST-MODIFIED") == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert old_event.decoded("LAST-MODIFIED") == datetime(2026, 3, 1, tzinfo=UTC)


def test_rule_21_cancelled_meetings_leave_the_feed():
    kept = make_meeting(uid=uuid.uuid4())
    gone = make_meeting(status=MeetingStatus.CANCELLED)
    events = parse(make_feed([kept, gone])).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [str(kept.uid)]
    assert parse(make_feed([gone])).walk("VEVENT") == []


def test_rule_21_a_meeting_twice_in_one_feed_is_refused():
    with pytest.raises(InviteError, match="more than once"):
        make_feed([make_meeting(), make_meeting(sequence=1)])


def test_rule_22_no_attendee_or_organiser_in_a_feed():
    data = make_feed()
    assert property_lines(data, "ATTENDEE") == []
    assert property_lines(data, "ORGANIZER") == []
    assert b"mailto:" not in data


def test_rule_23_feed_events_are_private():
    assert str(only_event(make_feed())["CLASS"]) == "PRIVATE"


def test_rule_23_feed_summary_carries_no_child_or_family_name():
    meeting = make_meeting(
        summary="Møde med EMMA om overgangen",
        description="Familien Hansen deltager.",
        location="Hos familien hansen, Vejen 1",
    )
    event = only_event(make_feed([meeting]))
    assert str(event["SUMMARY"]) == "Møde"
    assert "DESCRIPTION" not in event
    assert "LOCATION" not in event
    assert b"Emma" not in make_feed([meeting]) and b"EMMA" not in make_feed([meeting])


@pytest.mark.parametrize(
    "summary",
    ["Koordineringsmøde om Emmas overgang", "Hansens møde", "Møde hos Hansen’s", "Emma's møde"],
)
def test_rule_23_a_name_in_the_genitive_is_withheld_too(summary):
    assert str(only_event(make_feed([make_meeting(summary=summary)]))["SUMMARY"]) == "Møde"


def test_rule_23_name_matching_is_by_whole_word():
    meeting = make_meeting(summary="Møde i Emmaus-salen", description="", location="")
    assert str(only_event(make_feed([meeting]))["SUMMARY"]) == "Møde i Emmaus-salen"


def test_rule_23_a_neutral_summary_is_used_and_may_be_chosen():
    meeting = make_meeting(summary="Overgangsmøde, Emma")
    event = only_event(make_feed([meeting], neutral_summary="Koordineringsmøde"))
    assert str(event["SUMMARY"]) == "Koordineringsmøde"
    with pytest.raises(InviteError, match="neutral"):
        make_feed([meeting], neutral_summary="Møde med Emma")


def test_rule_23_names_are_shown_when_the_feed_owner_chose_that():
    meeting = make_meeting(summary="Møde med Emma")
    event = only_event(make_feed([meeting], show_names=True))
    assert str(event["SUMMARY"]) == "Møde med Emma"
    assert "DESCRIPTION" in event


def test_rule_24_feed_tokens_are_stored_hashed_and_compared():
    token = "n2vV0mWJ9cX1Vb5u6iQk3Yy0Qe7fJ8rLxP4sT2aZ1oM"
    stored = feed_token_hash(token)
    assert token not in stored
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert feed_token_matches(token, stored)
    assert not feed_token_matches(token + "x", stored)
    assert not feed_token_matches("", stored)
    assert not feed_token_matches(token[:21], feed_token_hash(token[:22]))


def test_rule_24_a_feed_token_with_fewer_than_128_bits_is_refused():
    with pytest.raises(InviteError, match="128"):
        feed_token_hash("short-token")


# --- no CPR numbers, ever ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["summary", "description", "location"])
def test_no_cpr_number_in_meeting_text(field):
    with pytest.raises(CprInTextError) as caught:
        make_meeting(**{field: f"Vedr. {CPR}"})
    assert CPR not in str(caught.value)
    assert "1234" not in str(caught.value)
    assert caught.value.field == field


def test_no_cpr_number_in_the_names_or_addresses():
    with pytest.raises(CprInTextError):
        Organiser(f"Mette {CPR}", "mette@kommune.dk")
    with pytest.raises(CprInTextError):
        Attendee(f"Emma {CPR}", "emma@example.dk")
    with pytest.raises(CprInTextError):
        Attendee("Emma", "0101901234@example.dk")
    with pytest.raises(CprInTextError):
        Attendee("Emma", "emma@example.dk", role=f"ung, {CPR}")


def test_no_cpr_number_in_a_feed_or_an_e_mail():
    with pytest.raises(CprInTextError):
        make_feed(name=f"Møder for {CPR}")
    with pytest.raises(CprInTextError):
        make_message(subject=f"Møde om {CPR}")
    with pytest.raises(CprInTextError):
        invite_body(intro="x", what="x", when="x", where="x", attendees=[], contact=f"cpr {CPR}")


def test_generated_parts_are_not_read_as_cpr_numbers():
    """The meeting's address and the reply links added to the body are the app's own: a
    meeting id or a timestamp whose digits read as a date is no one's CPR number."""
    url = "https://overgang.kommune.dk/meetings/1806224400"
    data = request(make_meeting(url=url), ATTENDEES)
    assert url in data.decode("utf-8").replace("\r\n ", "")
    link = "https://overgang.kommune.dk/meetings/reply/3.7.1806224400.c2ln"
    body = make_body()
    message = make_message(body=InviteBody(text=body.text + link, html=body.html + link))
    assert link in message.get_body(("plain",)).get_content()


def test_no_cpr_like_number_in_any_invite_or_feed_output():
    for data in [*all_invites().values(), make_feed()]:
        assert not contains_cpr_like(data.decode("utf-8").replace("\r\n ", ""))


# --- text handling -----------------------------------------------------------------------------


def test_line_breaks_of_every_kind_become_one_newline_and_controls_are_removed():
    meeting = make_meeting(description="a\r\nb\rc\x85d\u2028e\u2029f\x0bg\x00h\x1bi\tj\x7fk")
    event = only_event(request(meeting, ATTENDEES))
    assert str(event["DESCRIPTION"]) == "a\nb\nc\nd\ne\nf\ngh" + "i\tjk"


@pytest.mark.parametrize("text", ["C:\\new", "a\\N b", "x\\\\n", "a\\,b", "\\;"])
def test_backslashes_are_kept_as_written(text):
    data = request(make_meeting(summary=text), ATTENDEES)
    assert str(only_event(data)["SUMMARY"]) == text


def normalised(text):
    text = re.sub("\r\n|[\r\x85\u2028\u2029\x0b\x0c]", "\n", text)
    return "".join(
        ch for ch in text if ch in "\n\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F)
    )


@settings(max_examples=300, deadline=None)
@given(summary=st.text(min_size=1), description=st.text())
def test_any_text_in_summary_and_description_round_trips_and_stays_folded(summary, description):
    assume(normalised(summary).strip())
    assume(not contains_cpr_like(summary) and not contains_cpr_like(description))
    meeting = make_meeting(summary=summary, description=description)
    for data in (
        request(meeting, ATTENDEES),
        cancel(meeting, ATTENDEES),
        make_feed([meeting], show_names=True),
    ):
        assert_crlf_and_folded(data)
        event = only_event(data)
        assert str(event["SUMMARY"]) == normalised(summary)
        if normalised(description):
            assert str(event["DESCRIPTION"]) == normalised(description)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("æøåÆØÅ,;:\\\"'\n €🙂abc ")), min_size=1, max_size=300
    )
)
def test_danish_letters_and_ical_specials_round_trip_exactly(text):
    assume(text.strip())
    meeting = make_meeting(summary=text, description=text, location=text)
    data = request(meeting, ATTENDEES)
    assert_crlf_and_folded(data)
    event = only_event(data)
    assert str(event["SUMMARY"]) == str(event["DESCRIPTION"]) == str(event["LOCATION"]) == text
