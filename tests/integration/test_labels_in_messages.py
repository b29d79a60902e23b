"""What people read says each enum value with its Danish label, never the value itself: the
invitation's list of invitees (text and HTML), the calendar file, and the meeting pages."""

from __future__ import annotations

import email
import html
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from email.policy import default

from sqlmodel import col, select

from app import i18n
from app.domain import labels
from app.domain.meeting import MeetingData
from app.domain.youth import YouthData
from app.models.meeting import Meeting, MeetingKind, PlaceKind
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.outbox import OutboxMessage
from app.models.user import Role
from app.services import meetings, youths
from tests.conftest import login, make_user

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
DAY = date(2026, 3, 20)
DANISH = i18n.translations("da")


def da(msgid: str) -> str:
    return DANISH.gettext(msgid)


def _case(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    youth = youths.create(session, settings, worker, YouthData(
        cpr="120309-4321", first_name="Freja", last_name="Holm", address="Æblevej 3",
        postal_code="4000", city="Roskilde", email="freja@example.dk",
        child_caseworker_id=worker.id, coordinator_id=worker.id), TODAY)
    members = {}
    for number, role in enumerate(NetworkRole, start=1):
        person = Person(kind=PersonKind.PRIVATE, name=f"Person {number}",
                        email=f"p{number}@example.dk")
        session.add(person)
        session.flush()
        member = NetworkMember(youth_id=youth.id, person_id=person.id, sector=Sector.FAMILY,
                               ring=1, role=role, invited_to_meetings=True)
        session.add(member)
        session.flush()
        members[role] = (person.name, member)
    session.commit()
    return worker, youth, members


def _plan(session, settings, worker, youth, kind, place, choices) -> Meeting:
    detail = {PlaceKind.HOME: "", PlaceKind.ONLINE: "https://moede.example.dk/a"}.get(
        place, "Lokale 2")
    data = MeetingData(kind=kind, day=DAY, start_time=time(10), end_time=time(11),
                       place_kind=place, place_detail=detail, agenda="Bolig")
    meeting = meetings.plan(session, settings, worker, youth.id, data, choices, NOW, TODAY)
    session.commit()
    return meeting


def _mails(session, meeting) -> list[EmailMessage]:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.meeting_id == meeting.id)
                        .order_by(col(OutboxMessage.id))).all()
    return [email.message_from_string(r.mime, policy=default) for r in rows if r.mime]


def _parts(message: EmailMessage) -> tuple[str, str, str]:
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    markup = message.get_body(("html",)).get_content()
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return plain, markup, calendar.get_payload(decode=True).decode("utf-8")


def test_an_invitation_names_every_relation_and_role_in_danish(session, settings):
    worker, youth, members = _case(session, settings)
    choices = [meetings.Choice("y"), meetings.Choice(f"u{worker.id}")]
    choices += [meetings.Choice(f"m{member.id}", required=role is not NetworkRole.MOTHER)
                for role, (_name, member) in members.items()]
    meeting = _plan(session, settings, worker, youth, MeetingKind.COORDINATION,
                    PlaceKind.TOWN_HALL, choices)
    mails = _mails(session, meeting)
    assert len(mails) == len(members) + 2
    plain, markup, _calendar = _parts(mails[0])
    for role, (name, _member) in members.items():
        word = da(labels.NETWORK_ROLE[role])
        assert word != labels.NETWORK_ROLE[role], role
        optional = ", deltagelse valgfri" if role is NetworkRole.MOTHER else ""
        assert f"- {name} ({word}{optional})\n" in plain, role
        assert f"<li>{html.escape(name)} ({html.escape(word)}{optional})</li>" in markup, role
        line = next(li for li in plain.splitlines() if li.startswith(f"- {name} ("))
        english = role.value.replace("_", " ")
        assert english in word.lower() or english not in line.lower(), role  # "bisidder"
    assert f"- Freja Holm ({da(labels.YOUNG_PERSON)})\n" in plain
    assert f"- Mette Sørensen ({da(labels.STAFF_ON_CASE)})\n" in plain
    assert "the young person" not in plain and "caseworker" not in plain


def test_every_kind_and_place_of_meeting_is_danish_in_the_mail_the_calendar_and_the_page(
        session, settings, client):
    worker, youth, _members = _case(session, settings)
    token = login(client, "mette")
    assert token
    for kind, place in zip(MeetingKind, PlaceKind, strict=True):
        meeting = _plan(session, settings, worker, youth, kind, place, [meetings.Choice("y")])
        plain, markup, calendar = _parts(_mails(session, meeting)[0])
        what, where = da(labels.MEETING_KIND[kind]), da(labels.PLACE[place])
        assert what != labels.MEETING_KIND[kind] and (
            where != labels.PLACE[place] or place is PlaceKind.ONLINE)
        unfolded = calendar.replace("\r\n ", "")
        assert f"SUMMARY:{what} om Freja" in unfolded, kind
        assert f"LOCATION:{where}" in unfolded, place
        assert what in plain and where in plain and html.escape(what) in markup
        for value in (kind.value, place.value):
            assert value not in plain and value not in unfolded
        page = client.get(f"/meetings/{meeting.id}").text
        for word in (what, where, da(labels.MEETING_STATUS[meeting.status]),
                     da(labels.CHANNEL[meeting_invitee_channel(session, meeting)]),
                     da(labels.ANSWER[meeting_invitee_answer(session, meeting)])):
            assert html.escape(word) in page, word


def test_the_meeting_form_and_invite_one_more_name_roles_in_danish(session, settings, client):
    worker, youth, members = _case(session, settings)
    login(client, "mette")
    form = client.get(f"/youths/{youth.id}/meetings/new").text
    assert ">Påkrævet</option>" in form and "Skal udfyldes" not in form  # not "must be filled in"
    meeting = _plan(session, settings, worker, youth, MeetingKind.COORDINATION,
                    PlaceKind.TOWN_HALL, [meetings.Choice("y")])
    more = client.get(f"/meetings/{meeting.id}").text
    for role, (name, _member) in members.items():
        word = html.escape(da(labels.NETWORK_ROLE[role]))
        assert f'{name} <span class="weight-normal">({word})</span>' in form, role
        assert f"{name} ({word})" in more, role
    assert f"Mette Sørensen ({html.escape(da(labels.STAFF_ON_CASE))})" in more
    network = client.get(f"/youths/{youth.id}").text  # the network section and its map
    for role in NetworkRole:
        assert html.escape(da(labels.NETWORK_ROLE[role])) in network, role


def meeting_invitee_channel(session, meeting):
    return meetings.invitees(session, meeting)[0].channel


def meeting_invitee_answer(session, meeting):
    return meetings.invitees(session, meeting)[0].answer
