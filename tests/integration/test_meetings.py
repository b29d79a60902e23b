"""Meetings: invites, updates and cancellations go through the outbox to a real SMTP server,
and every ICALENDAR.md rule is checked on what it received."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from app import i18n
from app.domain.meeting import MeetingData, ReplyTokenError, read_reply_token, reply_token
from app.domain.youth import YouthData
from app.models.meeting import Answer, MeetingKind, MeetingStatus, PlaceKind
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role
from app.models.youth import Channel
from app.services import meetings, outbox, youths
from app.services.youths import ValidationFailedError
from app.settings import MailBackend
from tests.conftest import make_settings, make_user, message_text
from tests.smtp import SmtpServer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
CPR = "120309-4321"
tr = i18n.gettext


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings, smtp, tmp_path):
    return make_settings(tmp_path, settings.database_url, mail_backend=MailBackend.SMTP,
                         smtp_url=smtp.url)


@pytest.fixture
def case(session, mail_settings):
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    youth = youths.create(session, mail_settings, worker, YouthData(
        cpr=CPR, first_name="Freja", last_name="Holm", address="Æblevej 3",
        postal_code="4000", city="Roskilde", child_caseworker_id=worker.id,
        coordinator_id=worker.id), TODAY)
    members = {}
    for name, email, phone, role, sector in (
        ("Anne Holm", "anne@example.dk", "", NetworkRole.MOTHER, Sector.FAMILY),
        ("Per Holm", "", "22334455", NetworkRole.FATHER, Sector.FAMILY),
        ("Søren Å. Ørsted", "soren@uu.example.dk", "", NetworkRole.UU_COUNSELLOR,
         Sector.PROFESSIONALS),
    ):
        person = Person(kind=PersonKind.PRIVATE, name=name, email=email, phone=phone)
        session.add(person)
        session.flush()
        member = NetworkMember(youth_id=youth.id, person_id=person.id, sector=sector, ring=1,
                               role=role, invited_to_meetings=True)
        session.add(member)
        session.flush()
        members[name.split()[0]] = member
    session.commit()
    return worker, youth, members


def _data(day: date, start=time(10), end=time(11), **kw) -> MeetingData:
    values = {"kind": MeetingKind.COORDINATION, "day": day, "start_time": start,
              "end_time": end, "place_kind": PlaceKind.TOWN_HALL, "place_detail": "Lokale 2.14",
              "agenda": "Støttebehov\nUddannelse\nBolig"}
    values.update(kw)
    return MeetingData(**values)


def _choices(youth, members, *, father=Channel.PHONE):
    return [meetings.Choice(f"m{members['Anne'].id}"),
            meetings.Choice(f"m{members['Per'].id}", channel=father),
            meetings.Choice(f"m{members['Søren'].id}", required=False),
            meetings.Choice("y", channel=Channel.LETTER)]


def _deliver(session, settings, smtp, now=NOW) -> list[EmailMessage]:
    before = len(smtp.inbox.received)
    session.commit()  # the test's changes are done before the sender takes the messages
    outbox.send_due(session.get_bind(), settings, now)
    return [r.message for r in smtp.inbox.received[before:]]


def _calendar_parts(message: EmailMessage) -> tuple[bytes, bytes, EmailMessage]:
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    inline = alternative.get_payload()[2]
    assert inline.get("Content-Disposition") is None
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    raw = inline.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == raw  # rule 15
    return raw, raw, inline


def _check_every_invite(message: EmailMessage, raw: bytes, inline: EmailMessage, method: str,
                        uid: str, settings) -> Calendar:
    text = raw.decode("utf-8")
    # rule 14
    assert inline.get_param("method") == method and inline.get_param("charset") == "UTF-8"
    # rule 7: CRLF and folding at 75 octets, never inside a UTF-8 sequence
    assert "\n" not in text.replace("\r\n", "")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")
    cal = Calendar.from_ical(raw)
    # rule 1
    assert cal["VERSION"] == "2.0" and cal["PRODID"] and cal["METHOD"] == method
    [event] = cal.walk("VEVENT")
    # rule 2 + 3
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER", "ATTENDEE",
                 "SEQUENCE"):
        assert prop in event, prop
    assert str(event["UID"]) == uid and re.fullmatch(r"[0-9a-f-]{36}", uid)
    assert re.search(r"\r\nDTSTAMP:\d{8}T\d{6}Z\r\n", text)
    # rule 4: organiser with SENT-BY equal to From
    organizer = event["ORGANIZER"]
    assert str(organizer).lower() == "mailto:mette@kommune.example"
    assert organizer.params["SENT-BY"] == f"mailto:{settings.mail_from}"
    assert settings.mail_from in str(message["From"])
    # rule 5
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    for attendee in attendees:
        assert attendee.params["CN"] and attendee.params["RSVP"] == "TRUE"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["ROLE"] in ("REQ-PARTICIPANT", "OPT-PARTICIPANT")
    to = str(message["To"])
    assert any(str(a).lower()[7:] in to.lower() for a in attendees)
    # rule 6: VTIMEZONE in the yearly-rule form
    assert "TZID=Europe/Copenhagen" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in text and "RDATE" not in text
    # rule 16 + no CPR anywhere
    assert ("METHOD:REQUEST" in text) != ("METHOD:CANCEL" in text)
    whole = message_text(message)
    assert "120309-4321" not in whole and "1203094321" not in whole
    assert "120309" not in whole
    return cal


def test_invites_reach_smtp_with_every_rule_and_a_dst_start(session, mail_settings, smtp, case):
    worker, youth, members = case
    meeting = meetings.plan(session, mail_settings, worker, youth.id,
                            _data(date(2026, 3, 29)), _choices(youth, members), NOW, TODAY)
    rows = session.exec(select(OutboxMessage)).all()
    assert {r.channel for r in rows} == {Channel.EMAIL, Channel.PHONE, Channel.LETTER}
    phone = next(r for r in rows if r.channel is Channel.PHONE)
    assert phone.status is OutboxStatus.MANUAL and phone.recipient_phone == "22334455"

    received = _deliver(session, mail_settings, smtp)
    assert len(received) == 2  # Anne and Søren; Freja gets a letter, Per a call
    for message in received:
        raw, _, inline = _calendar_parts(message)
        cal = _check_every_invite(message, raw, inline, "REQUEST", meeting.uid, mail_settings)
        [event] = cal.walk("VEVENT")
        # rule 8: 10:00 on 29 March 2026 (first day of summer time) is 08:00Z
        assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 29, 8, tzinfo=UTC)
        assert int(event["SEQUENCE"]) == 0 and "STATUS:CONFIRMED" in raw.decode()
        plain = message.get_body(("plain",)).get_content()
        with i18n.locale("da"):  # the Danish catalogue's texts
            town_hall, coming = tr("At the town hall"), tr("I will come")
        for label in ("Hvad:", "Hvornår: søndag den 29. marts 2026 kl. 10.00–11.00",
                      f"Hvor: {town_hall}: Lokale 2.14", "Inviterede:", "Kontakt:",
                      "Anne Holm", "Søren Å. Ørsted", "Mette Sørensen", "/meetings/reply/"):
            assert label in plain, label
        html = message.get_body(("html",)).get_content()
        assert "<dt>Hvornår</dt>" in html and coming in html
    assert len({m["Message-ID"] for m in received}) == 2


def test_move_remove_and_cancel_send_rising_sequences(session, mail_settings, smtp, case):
    worker, youth, members = case
    meeting = meetings.plan(session, mail_settings, worker, youth.id,
                            _data(date(2026, 10, 25)), _choices(youth, members), NOW, TODAY)
    first = _deliver(session, mail_settings, smtp)
    [event] = Calendar.from_ical(_calendar_parts(first[0])[0]).walk("VEVENT")
    # rule 8: 10:00 on 25 October 2026 (back to winter time) is 09:00Z
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 25, 9, tzinfo=UTC)

    later = NOW + timedelta(hours=1)
    meetings.update(session, mail_settings, worker, meeting.id,
                    _data(date(2026, 10, 26), time(13), time(14, 30)), later)
    moved = _deliver(session, mail_settings, smtp, later)
    assert len(moved) == 2
    raw, _, inline = _calendar_parts(moved[0])
    cal = _check_every_invite(moved[0], raw, inline, "REQUEST", meeting.uid, mail_settings)
    [event2] = cal.walk("VEVENT")
    assert int(event2["SEQUENCE"]) == 1 > int(event["SEQUENCE"])  # rule 9
    assert event2.decoded("DTSTAMP") > event.decoded("DTSTAMP")

    søren = next(i for i in meetings.invitees(session, meeting) if i.name.startswith("Søren"))
    even_later = later + timedelta(hours=1)
    meetings.remove_invitee(session, mail_settings, worker, meeting.id, søren.id, even_later)
    after_removal = _deliver(session, mail_settings, smtp, even_later)
    by_to = {str(m["To"]): m for m in after_removal}
    removed = next(m for to, m in by_to.items() if "soren@" in to)
    raw, _, inline = _calendar_parts(removed)
    cal = _check_every_invite(removed, raw, inline, "CANCEL", meeting.uid, mail_settings)
    [event3] = cal.walk("VEVENT")
    assert "STATUS" not in event3  # rule 10
    assert str(event3["ATTENDEE"]).lower() == "mailto:soren@uu.example.dk"
    anne = next(m for to, m in by_to.items() if "anne@" in to)
    [event3b] = Calendar.from_ical(_calendar_parts(anne)[0]).walk("VEVENT")
    # Taking someone off the list is not a significant change (RFC 5546 2.1.4): the same
    # SEQUENCE with a newer DTSTAMP, so the others keep their answers.
    assert int(event3b["SEQUENCE"]) == int(event3["SEQUENCE"]) == 1
    assert event3b.decoded("DTSTAMP") > event2.decoded("DTSTAMP")

    last = even_later + timedelta(hours=1)
    meetings.cancel(session, mail_settings, worker, meeting.id, "Familien er syg", last)
    cancelled = _deliver(session, mail_settings, smtp, last)
    assert [str(m["To"]) for m in cancelled] == ["Anne Holm <anne@example.dk>"]
    raw, _, inline = _calendar_parts(cancelled[0])
    cal = _check_every_invite(cancelled[0], raw, inline, "CANCEL", meeting.uid, mail_settings)
    [event4] = cal.walk("VEVENT")
    assert event4["STATUS"] == "CANCELLED" and int(event4["SEQUENCE"]) == 2  # rule 11
    # the shipped "meeting cancelled" letter template opens the message
    assert cancelled[0]["Subject"].startswith("Aflyst: ")
    assert "Mødet er aflyst. Du skal ikke komme." in cancelled[0].get_body(("plain",)).get_content()
    # Per (phone) got a manual message for each change too
    per = session.exec(select(OutboxMessage).where(OutboxMessage.channel == Channel.PHONE)).all()
    assert {p.kind for p in per} == {OutboxKind.MEETING_INVITE, OutboxKind.MEETING_UPDATE,
                                     OutboxKind.MEETING_CANCEL}


def test_bad_input_is_refused_with_a_clear_message(session, mail_settings, case):
    worker, youth, members = case
    with pytest.raises(ValueError, match="end after it starts"):
        _data(date(2026, 4, 1), time(11), time(10))
    with pytest.raises(ValidationFailedError) as past:
        meetings.plan(session, mail_settings, worker, youth.id, _data(date(2026, 3, 1)),
                      _choices(youth, members), NOW, TODAY)
    assert "day" in past.value.errors
    with pytest.raises(ValidationFailedError) as no_email:
        meetings.plan(session, mail_settings, worker, youth.id, _data(date(2026, 4, 1)),
                      _choices(youth, members, father=None), NOW, TODAY)
    [(field, msg)] = no_email.value.errors.items()
    assert field == f"inv_m{members['Per'].id}"
    assert "brev eller et telefonopkald" in str(msg)
    with pytest.raises(ValueError, match="CPR"):
        _data(date(2026, 4, 1), agenda=f"Om {CPR}")
    assert session.exec(select(OutboxMessage)).all() == []


def test_reply_links_record_answers_and_refuse_altered_or_expired_ones(
        session, mail_settings, case):
    worker, youth, members = case
    meeting = meetings.plan(session, mail_settings, worker, youth.id,
                            _data(date(2026, 4, 1)), _choices(youth, members), NOW, TODAY)
    anne = meetings.invitees(session, meeting)[0]
    token = reply_token(mail_settings.key, anne.id, meeting.id, meeting.ends_at)
    claim = read_reply_token(mail_settings.key, token, NOW)
    meetings.record_answer(session, claim, Answer.ACCEPTED, NOW)
    session.refresh(anne)
    assert anne.answer is Answer.ACCEPTED
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[9:17] = (meeting.id + 1).to_bytes(8, "big")  # the meeting id, signature kept
    other_meeting_token = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(ReplyTokenError) as altered:
        read_reply_token(mail_settings.key, other_meeting_token, NOW)
    assert not altered.value.expired
    with pytest.raises(ReplyTokenError) as expired:
        read_reply_token(mail_settings.key, token, meeting.ends_at)
    assert expired.value.expired


def test_holding_the_first_coordination_meeting_completes_the_17_year_step(
        session, mail_settings, case):
    worker, youth, members = case
    meeting = meetings.plan(session, mail_settings, worker, youth.id,
                            _data(date(2026, 4, 1)), _choices(youth, members), NOW, TODAY)
    held = datetime(2026, 4, 1, 10, 30, tzinfo=UTC)
    people = meetings.invitees(session, meeting)
    meetings.record_minutes(session, worker, meeting.id, attended={people[0].id},
                            minutes="Vi talte om uddannelse.", decisions="Praktik i maj.",
                            now=held)
    step = session.exec(
        select(YouthStep).join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(YouthStep.youth_id == youth.id, TimelineStep.key == "first_meeting")
    ).one()
    assert step.done_at is not None
    assert session.get(type(meeting), meeting.id).status is MeetingStatus.HELD
    meetings.add_action(session, worker, meeting.id, text="Søg praktikplads",
                        owner_id=worker.id, due_on=date(2026, 5, 1), today=held.date())
    [(point, who)] = meetings.open_actions_for(session, worker)
    assert point.text == "Søg praktikplads" and who.id == youth.id
    assert meetings.send_minutes(session, mail_settings, worker, meeting.id, held) == 1
    minutes = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.MEETING_MINUTES)).one()
    assert "Praktik i maj." in minutes.body and "Søg praktikplads" in minutes.body
