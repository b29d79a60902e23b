"""The calendar round trip: answers from calendar programs reach the app through the real
reply-mailbox receiver (`overgang mail-receiver`'s code, aiosmtpd on a free port), answers
from the reply page too, both show on the meeting page and ride along in the next update;
hostile and malformed messages change nothing."""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_string
from email.message import EmailMessage
from email.policy import SMTP, default
from time import monotonic, sleep

import pytest
from icalendar import Calendar, Event, vCalAddress
from sqlmodel import col, select

from app import mail_receiver
from app.domain.meeting import MeetingData
from app.domain.youth import YouthData
from app.models.meeting import Answer, AnsweredVia, Meeting, MeetingInvitee, MeetingKind, PlaceKind
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import Role
from app.models.youth import Channel
from app.services import meeting_reminders, meetings, youths
from tests.conftest import login, make_settings, make_user
from tests.smtp import free_port

REPLY = "svar@kommune.example"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
DAY = date(2026, 3, 20)


@pytest.fixture
def settings(database_url, tmp_path):
    return make_settings(tmp_path, database_url, reply_address=REPLY)


@pytest.fixture
def receiver(engine, settings, clock) -> Iterator[int]:
    port = free_port()
    controller = mail_receiver.start(engine, settings, host="127.0.0.1", port=port, on=clock)
    yield port
    controller.stop()


@pytest.fixture
def case(session, settings, clock):
    clock.set(NOW)
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    youth = youths.create(session, settings, worker, YouthData(
        cpr="120309-4321", first_name="Freja", last_name="Holm", child_caseworker_id=worker.id,
        email="freja@example.dk", comm_channel=Channel.EMAIL), TODAY)
    members = {}
    for name, email, role, sector in (
        ("Anne Holm", "anne@example.dk", NetworkRole.MOTHER, Sector.FAMILY),
        ("Søren Ørsted", "soren@uu.example.dk", NetworkRole.UU_COUNSELLOR,
         Sector.PROFESSIONALS),
    ):
        person = Person(kind=PersonKind.PRIVATE, name=name, email=email, phone="22334455")
        session.add(person)
        session.flush()
        member = NetworkMember(youth_id=youth.id, person_id=person.id, sector=sector, ring=1,
                               role=role, invited_to_meetings=True)
        session.add(member)
        session.flush()
        members[name.split()[0]] = member
    meeting = meetings.plan(session, settings, worker, youth.id, _data(), [
        meetings.Choice(f"m{members['Anne'].id}"), meetings.Choice(f"m{members['Søren'].id}"),
        meetings.Choice("y")], NOW, TODAY)
    session.commit()
    return worker, youth, meeting


def _data(start=time(10), end=time(11), **kw) -> MeetingData:
    values = {"kind": MeetingKind.COORDINATION, "day": DAY, "start_time": start,
              "end_time": end, "place_kind": PlaceKind.TOWN_HALL, "place_detail": "Lokale 2.14",
              "agenda": "Støttebehov\nUddannelse\nBolig"}
    return MeetingData(**{**values, **kw})


def _invitee(session, name: str) -> MeetingInvitee:
    session.expire_all()
    return session.exec(select(MeetingInvitee).where(MeetingInvitee.name == name)).one()


def _itip(meeting: Meeting, *, method="REPLY", partstat="ACCEPTED", attendee="anne@example.dk",
          sequence=None, uid=None, start=None, end=None, summary=None) -> bytes:
    """What a calendar program sends back, made with the icalendar library."""
    cal = Calendar()
    cal.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid or meeting.uid)
    event.add("sequence", meeting.sequence if sequence is None else sequence)
    event.add("dtstamp", NOW)
    event.add("dtstart", start or meeting.starts_at)
    event.add("dtend", end or meeting.ends_at)
    event.add("summary", summary or "Accepteret: Koordinerende møde")
    organizer = vCalAddress(f"mailto:{REPLY}")
    event.add("organizer", organizer)
    address = vCalAddress(f"mailto:{attendee}")
    address.params["PARTSTAT"] = partstat
    event.add("attendee", address)
    cal.add_component(event)
    return bytes(cal.to_ical())


def _send(port: int, calendar: bytes | None, sender="anne@example.dk", method="REPLY",
          to=REPLY, padding=0) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Accepteret: Koordinerende møde"
    message.set_content("Svar fra kalenderen." + "x" * padding)
    if calendar is not None:
        message.add_alternative(calendar, maintype="text", subtype="calendar",
                                params={"method": method})
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail(sender, [to], message.as_bytes(policy=SMTP))


def _calendar_of(row: OutboxMessage) -> Event:
    assert row.mime is not None
    message = message_from_string(row.mime, policy=default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    [event] = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return event


def _partstats(event: Event) -> dict[str, str]:
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    return {str(a)[7:].lower(): a.params["PARTSTAT"] for a in attendees}


def _rows(session, meeting, kind) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(
        OutboxMessage.meeting_id == meeting.id, OutboxMessage.kind == kind)
        .order_by(col(OutboxMessage.id))))


def test_answers_by_mail_and_by_link_show_on_the_page_and_ride_in_the_next_update(
        client, session, settings, receiver, case, clock):
    worker, _youth, meeting = case
    [invite] = [r for r in _rows(session, meeting, OutboxKind.MEETING_INVITE)
                if r.recipient_email == "anne@example.dk"]
    event = _calendar_of(invite)
    # replies go to the app's mailbox; the caseworker is the organiser by name
    assert str(event["ORGANIZER"]).lower() == f"mailto:{REPLY}"
    assert event["ORGANIZER"].params["CN"] == "Mette Sørensen"
    # the invite's URL is Anne's own reply page, never the staff page
    url = str(event["URL"])
    assert url.startswith(f"{settings.public_base_url}/meetings/reply/")

    # Anne accepts in her calendar program: a REPLY by mail through the real receiver
    _send(receiver, _itip(meeting))
    anne = _invitee(session, "Anne Holm")
    assert anne.answer is Answer.ACCEPTED and anne.answered_via is AnsweredVia.CALENDAR
    assert anne.answered_at == NOW

    # Søren declines on his reply page, reached from the link in his invite
    [soren_invite] = [r for r in _rows(session, meeting, OutboxKind.MEETING_INVITE)
                      if r.recipient_email == "soren@uu.example.dk"]
    soren_url = str(_calendar_of(soren_invite)["URL"])
    page = client.get(soren_url.removeprefix(settings.public_base_url))
    assert page.status_code == 200
    for shown in ("Koordineringsmøde om Freja", "fredag den 20. marts 2026 kl. 10.00–11.00",
                  "Lokale 2.14", "Anne Holm", "Søren Ørsted", "Freja Holm",
                  "Støttebehov<br>Uddannelse<br>Bolig"):
        assert shown in page.text, (shown, page.text[page.text.find("<main"):][:3000])
    for hidden in ("anne@example.dk", "22334455", "120309", "freja@example.dk"):
        assert hidden not in page.text, hidden
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = client.post(soren_url.removeprefix(settings.public_base_url),
                        data={"csrf_token": csrf, "answer": "declined", "reminder": "yes"})
    assert saved.status_code == 200
    soren = _invitee(session, "Søren Ørsted")
    assert soren.answer is Answer.DECLINED and soren.answered_via is AnsweredVia.LINK
    assert soren.wants_reminder

    # the organiser sees both answers, and how they came
    login(client, "mette")
    shown = client.get(f"/meetings/{meeting.id}").text
    assert shown.count("Kommer") >= 1 and "Kommer ikke" in shown
    assert "fra sin kalender" in shown and "via svarlinket" in shown
    api = client.get(f"/api/v1/youths/{meeting.youth_id}/meetings/{meeting.id}").json()
    by_name = {i["name"]: (i["answer"], i["answered_via"]) for i in api["invitees"]}
    assert by_name["Anne Holm"] == ("accepted", "calendar")
    assert by_name["Søren Ørsted"] == ("declined", "link")

    # an agenda change is not significant: same SEQUENCE, both answers carried
    clock.set(NOW + timedelta(hours=1))
    meetings.update(session, settings, worker, meeting.id, _data(agenda="Bolig"),
                    NOW + timedelta(hours=1))
    session.commit()
    [update] = [r for r in _rows(session, meeting, OutboxKind.MEETING_UPDATE)
                if r.recipient_email == "anne@example.dk"]
    event = _calendar_of(update)
    assert int(event["SEQUENCE"]) == 0
    assert _partstats(event) == {"anne@example.dk": "ACCEPTED",
                                 "soren@uu.example.dk": "DECLINED",
                                 "freja@example.dk": "NEEDS-ACTION"}

    # moving it is significant: SEQUENCE rises and everyone is asked again
    meetings.update(session, settings, worker, meeting.id, _data(start=time(13), end=time(14)),
                    NOW + timedelta(hours=2))
    session.commit()
    moved = _rows(session, meeting, OutboxKind.MEETING_UPDATE)[-1]
    event = _calendar_of(moved)
    assert int(event["SEQUENCE"]) == 1
    assert set(_partstats(event).values()) == {"NEEDS-ACTION"}
    assert _invitee(session, "Anne Holm").answer is Answer.NEEDS_ACTION
    # the old answer (SEQUENCE 0) no longer counts; one to the new version does
    _send(receiver, _itip(meeting, sequence=0, start=datetime(2026, 3, 20, 9, tzinfo=UTC),
                          end=datetime(2026, 3, 20, 10, tzinfo=UTC)))
    assert _invitee(session, "Anne Holm").answer is Answer.NEEDS_ACTION
    session.refresh(meeting)
    _send(receiver, _itip(meeting, partstat="TENTATIVE"))
    assert _invitee(session, "Anne Holm").answer is Answer.TENTATIVE


def test_adding_and_removing_an_invitee_keeps_the_others_answers(
        session, settings, receiver, case):
    worker, _youth, meeting = case
    _send(receiver, _itip(meeting))
    soren = _invitee(session, "Søren Ørsted")
    meetings.remove_invitee(session, settings, worker, meeting.id, soren.id, NOW)
    session.commit()
    session.refresh(meeting)
    assert meeting.sequence == 0
    [cancel] = _rows(session, meeting, OutboxKind.MEETING_REMOVED)
    assert cancel.recipient_email == "soren@uu.example.dk"
    updates = _rows(session, meeting, OutboxKind.MEETING_UPDATE)
    assert {r.recipient_email for r in updates} == {"anne@example.dk", "freja@example.dk"}
    assert _partstats(_calendar_of(updates[0]))["anne@example.dk"] == "ACCEPTED"
    member = session.get(MeetingInvitee, soren.id).member_id
    meetings.add_invitee(session, settings, worker, meeting.id,
                         meetings.Choice(f"m{member}"), NOW, TODAY)
    session.commit()
    invites = [r for r in _rows(session, meeting, OutboxKind.MEETING_INVITE)
               if r.recipient_email == "soren@uu.example.dk"]
    assert len(invites) == 2  # the first invite and the new one
    event = _calendar_of(invites[-1])
    assert int(event["SEQUENCE"]) == 0
    assert _partstats(event)["anne@example.dk"] == "ACCEPTED"
    assert _invitee(session, "Anne Holm").answer is Answer.ACCEPTED


def _snapshot(session, meeting):
    session.expire_all()
    fresh = session.get(Meeting, meeting.id)
    people = session.exec(select(MeetingInvitee).where(
        MeetingInvitee.meeting_id == meeting.id).order_by(col(MeetingInvitee.id))).all()
    return ((fresh.starts_at, fresh.ends_at, fresh.sequence, fresh.agenda, fresh.status),
            [(p.answer, p.answered_at, p.proposed_start, p.removed_at) for p in people],
            session.exec(select(OutboxMessage.id)).all())


def test_hostile_and_malformed_messages_change_nothing(session, settings, receiver, case,
                                                       caplog):
    worker, _youth, meeting = case
    meetings.update(session, settings, worker, meeting.id, _data(start=time(13), end=time(14)),
                    NOW)  # SEQUENCE 1: an answer to SEQUENCE 0 is old
    session.commit()
    session.refresh(meeting)
    before = _snapshot(session, meeting)
    later = meeting.starts_at + timedelta(days=1)
    hostile = [
        ("unknown UID", _itip(meeting, uid="0b3f5c1e-2d4a-4e6b-9c8d-7a6b5c4d3e2f")),
        ("old SEQUENCE", _itip(meeting, sequence=0)),
        ("SEQUENCE never sent", _itip(meeting, sequence=5)),
        ("address not invited", _itip(meeting, attendee="mallory@example.net")),
        ("From is not the attendee", _itip(meeting)),
        ("answers another time", _itip(meeting, start=later, end=later + timedelta(hours=1),
                                       summary="Flyttet")),
        ("not exactly one event", b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"),
        ("unreadable calendar object", b"\x00\xff not a calendar"),
        ("no calendar object", None),
    ]
    with caplog.at_level(logging.INFO, logger="overgang.replies"):
        for reason, calendar in hostile:
            caplog.clear()
            sender = {"address not invited": "mallory@example.net",
                      "From is not the attendee": "mallory@example.net"}.get(
                reason, "anne@example.dk")
            _send(receiver, calendar, sender=sender)
            assert f"calendar answer dropped: {reason}" in caplog.text, reason
            assert "anne@example.dk" not in caplog.text and "mallory" not in caplog.text
            assert _snapshot(session, meeting) == before, reason
    # a message to any other address is refused at RCPT; an oversized one at DATA
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(receiver, _itip(meeting), to="mette@kommune.example")
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused,
                        smtplib.SMTPServerDisconnected)):
        _send(receiver, _itip(meeting), padding=settings.mail_receiver_max_bytes)
    assert _snapshot(session, meeting) == before


def test_a_counter_is_kept_for_the_organiser_and_declined_and_a_refresh_resends_the_invite(
        session, settings, receiver, case):
    _worker, _youth, meeting = case
    later = meeting.starts_at + timedelta(days=1)
    _send(receiver, _itip(meeting, method="COUNTER", partstat="NEEDS-ACTION", start=later,
                          end=later + timedelta(hours=1)), method="COUNTER")
    anne = _invitee(session, "Anne Holm")
    assert anne.proposed_start == later and anne.answer is Answer.NEEDS_ACTION
    session.refresh(meeting)
    assert meeting.starts_at != later and meeting.sequence == 0  # the meeting is unchanged
    [declined] = _rows(session, meeting, OutboxKind.MEETING_COUNTER_DECLINED)
    assert declined.recipient_email == "anne@example.dk"
    message = message_from_string(declined.mime, policy=default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "DECLINECOUNTER"
    answered = Calendar.from_ical(part.get_payload(decode=True))
    [event] = answered.walk("VEVENT")
    assert answered["METHOD"] == "DECLINECOUNTER" and event.decoded("DTSTART") != later
    before = len(_rows(session, meeting, OutboxKind.MEETING_INVITE))
    _send(receiver, _itip(meeting, method="REFRESH", partstat="NEEDS-ACTION"),
          method="REFRESH")
    invites = _rows(session, meeting, OutboxKind.MEETING_INVITE)
    assert len(invites) == before + 1 and invites[-1].recipient_email == "anne@example.dk"
    assert set(_partstats(_calendar_of(invites[-1]))) == {
        "anne@example.dk", "soren@uu.example.dk", "freja@example.dk"}


def test_a_reminder_goes_the_day_before_to_those_who_want_one_once(session, settings, case):
    _worker, _youth, meeting = case
    for person in meetings.invitees(session, meeting):
        person.wants_reminder = person.name != "Søren Ørsted"
        session.add(person)
    session.commit()
    two_days_before = datetime(2026, 3, 18, 8, tzinfo=UTC)
    assert meeting_reminders.send_due(session, settings, two_days_before) == 0
    day_before = datetime(2026, 3, 19, 8, tzinfo=UTC)
    assert meeting_reminders.send_due(session, settings, day_before) == 2
    assert meeting_reminders.send_due(session, settings, day_before + timedelta(hours=1)) == 0
    rows = _rows(session, meeting, OutboxKind.MEETING_REMINDER)
    assert {r.recipient_name for r in rows} == {"Anne Holm", "Freja Holm"}
    assert all(r.channel is Channel.EMAIL and "/meetings/reply/" in r.body for r in rows)
    assert all("120309" not in r.body for r in rows)


def _wait_for_port(port: int, proc: subprocess.Popen) -> None:
    deadline = monotonic() + 30
    while monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read() if proc.stdout else "exited")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        sleep(0.1)
    raise AssertionError("the receiver did not start")


def test_the_mail_receiver_command_applies_an_answer_sent_to_it(session, settings, case):
    """`overgang mail-receiver` as the municipality runs it: its own process, real SMTP."""
    worker, _youth, meeting = case
    ahead = datetime.now(UTC).astimezone(settings.tz).date() + timedelta(days=30)
    meetings.update(session, settings, worker, meeting.id, _data(day=ahead), NOW)
    session.commit()
    session.refresh(meeting)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": settings.effective_database_url,
           "DATA_DIR": str(settings.data_dir), "SECRET_KEY": settings.secret_key,
           "ENVIRONMENT": "test", "REPLY_ADDRESS": REPLY}
    without = subprocess.run([sys.executable, "-m", "app.cli", "mail-receiver"],
                             env={**env, "REPLY_ADDRESS": ""}, capture_output=True, text=True,
                             timeout=60)
    assert without.returncode == 2 and "REPLY_ADDRESS" in without.stderr
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "mail-receiver", "--port",
                             str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for_port(port, proc)
        _send(port, _itip(meeting, partstat="DECLINED"))
        # the receiver has answered 250 only after its unit of work committed
        assert _invitee(session, "Anne Holm").answer is Answer.DECLINED
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "calendar answer applied: REPLY" in output
    assert "anne@example.dk" not in output


def test_the_receiver_speaks_lmtp_for_delivery_from_the_mail_server(
        engine, settings, session, case, clock):
    _worker, _youth, meeting = case
    port = free_port()
    controller = mail_receiver.start(engine, settings, host="127.0.0.1", port=port, lmtp=True,
                                     on=clock)
    try:
        message = EmailMessage()
        message["From"] = "anne@example.dk"
        message["To"] = REPLY
        message.set_content("Svar")
        message.add_alternative(_itip(meeting, partstat="TENTATIVE"), maintype="text",
                                subtype="calendar", params={"method": "REPLY"})
        with smtplib.LMTP("127.0.0.1", port) as client:
            refused = client.sendmail("anne@example.dk", [REPLY],
                                      message.as_bytes(policy=SMTP))
        assert refused == {}
    finally:
        controller.stop()
    assert _invitee(session, "Anne Holm").answer is Answer.TENTATIVE
