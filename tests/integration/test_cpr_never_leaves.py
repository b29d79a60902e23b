"""No CPR number leaves the system, and nothing the app generates is mistaken for one.

The walk drives every kind of outgoing message the app writes (a new kind of message fails
the walk until it is added), first with a CPR-like number in each text a person writes for
it, which is refused on that field with one message and writes nothing to the outbox, then
with clean text, after which no outbox row and no delivered .eml holds a CPR-like number.
Texts saved before the check (written straight into the tables here) are refused when a
message would carry them.

Meetings ending on one day in each month of 2027–2030 can be planned, moved and widened,
and what the app generates for them (reply tokens, whose first format held the end as a
Unix time, read as a CPR number from 26 January to 14 June 2027; UIDs; the meeting's
address) never holds six digits in a row, so it never reads as a CPR number.
"""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from email import policy
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from app.channels.email import as_email
from app.domain.caseworker_change import ChangeData
from app.domain.cpr import contains_cpr_like
from app.domain.inquiry import AnswerData, InquiryData
from app.domain.letters import SHIPPED, TemplateKey
from app.domain.meeting import MeetingData
from app.domain.network_input import MemberData
from app.domain.principal import Citizen
from app.domain.validation import CPR_IN_TEXT, FieldError
from app.domain.youth import YouthData
from app.models.caseworker import CaseRole, ChangeKind
from app.models.meeting import ActionPoint, Meeting, MeetingKind, PlaceKind
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import Role, User
from app.models.youth import Channel, Frequency, Youth
from app.services import (
    caseworker_change,
    family,
    flagging,
    inquiries,
    letter_templates,
    letters,
    meeting_reminders,
    meeting_replies,
    meetings,
    outbox,
    overview_mail,
    youths,
)
from app.services.youths import ValidationFailedError
from app.settings import Settings
from app.web.admin import UserForm
from app.web.forms import field_errors
from tests.conftest import make_user, message_text

CPR = "120309-4321"  # the young person's own number
WRITTEN = "Vedr. 010203-1234"  # a CPR-like number someone types
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
SIX_DIGITS = re.compile(r"[0-9]{6}")


# --- the case -------------------------------------------------------------------------------


def _member(session: Session, youth: Youth, name: str, email: str, role: NetworkRole,
            *, custody: bool = False, kind: PersonKind = PersonKind.PRIVATE) -> NetworkMember:
    person = Person(kind=kind, name=name, email=email, address="Æblevej 3, 4000 Roskilde")
    session.add(person)
    session.flush()
    member = NetworkMember(youth_id=youth.id, person_id=person.id, sector=Sector.FAMILY,
                           ring=1, role=role, invited_to_meetings=True, custody_holder=custody)
    session.add(member)
    session.flush()
    return member


def _case(session: Session, settings: Settings) -> tuple[User, User, Youth,
                                                           dict[str, NetworkMember]]:
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    other = make_user(session, Role.CHILD_CASEWORKER, "lars", "Lars Bech")
    make_user(session, Role.COORDINATOR, "kirsten", "Kirsten Koordinator")
    youth = youths.create(session, settings, worker, YouthData(
        cpr=CPR, first_name="Freja", last_name="Holm", address="Æblevej 3", postal_code="4000",
        city="Roskilde", email="freja@example.dk", comm_channel=Channel.EMAIL,
        child_caseworker_id=worker.id, coordinator_id=worker.id), TODAY)
    members = {
        "Anne": _member(session, youth, "Anne Holm", "anne@example.dk", NetworkRole.MOTHER,
                        custody=True),
        "Søren": _member(session, youth, "Søren Ørsted", "soren@uu.example.dk",
                         NetworkRole.UU_COUNSELLOR, kind=PersonKind.PROFESSIONAL),
    }
    session.commit()
    return worker, other, youth, members


def _data(day: date, **values: object) -> MeetingData:
    return MeetingData.model_validate({
        "kind": MeetingKind.COORDINATION, "day": day, "start_time": time(10),
        "end_time": time(11), "place_kind": PlaceKind.TOWN_HALL, "place_detail": "Lokale 2",
        "agenda": "Uddannelse\nBolig", **values})


def _everyone(youth: Youth, members: dict[str, NetworkMember]) -> list[meetings.Choice]:
    return [meetings.Choice("y"), *(meetings.Choice(f"m{m.id}") for m in members.values())]


# --- refusals -------------------------------------------------------------------------------


def _outbox_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def _refused(session: Session, prepare: Callable[[], Callable[[], object]]) -> dict[str, str]:
    """The field errors of an attempt (``prepare`` sets the scene and returns it), as
    message ids; the attempt wrote nothing to the outbox."""
    attempt = prepare()
    before = _outbox_count(session)
    errors: dict[str, Any]
    try:
        attempt()
    except ValidationError as exc:
        errors = field_errors(exc.errors())
    except ValidationFailedError as exc:
        errors = exc.errors
    except FieldError as exc:
        errors = {exc.field or "__all__": exc.msg}
    else:
        raise AssertionError("not refused")
    session.rollback()
    assert _outbox_count(session) == before
    return {field: message.msgid for field, message in errors.items()}


def _stored(session: Session, row: Any, **values: object) -> None:
    """Text saved before the check: written straight into the table."""
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.commit()


Attempt = tuple[str, Callable[[], Callable[[], object]], str]


def _meeting_attempts(session: Session, settings: Settings, worker: User, youth: Youth,
                      members: dict[str, NetworkMember]) -> list[Attempt]:
    """Invites, updates, cancellations, removals and minutes: (what, prepare, the field the
    error lands on)."""
    day, later = date(2027, 3, 28), datetime(2027, 3, 28, 12, tzinfo=UTC)
    soren = members["Søren"]

    def plan(**values: object) -> Meeting:
        return meetings.plan(session, settings, worker, youth.id, _data(day, **values),
                             _everyone(youth, members), NOW, TODAY)

    def held(**values: object) -> Meeting:
        meeting = plan()
        meetings.record_minutes(session, worker, meeting.id, attended={
            i.id for i in meetings.invitees(session, meeting)}, minutes="Godt møde.",
            decisions="Praktik.", now=later)
        _stored(session, meeting, **values)
        return meeting

    def old_name() -> Callable[[], object]:
        _stored(session, session.get(Person, soren.person_id), name=f"Søren {WRITTEN}")
        return plan

    def old_role() -> Callable[[], object]:
        meeting = plan()
        _stored(session, meetings.invitees(session, meeting)[1], role_label=WRITTEN)
        return lambda: meetings.update(session, settings, worker, meeting.id,
                                       _data(day, start_time=time(13), end_time=time(14)), NOW)

    def old_agenda() -> Callable[[], object]:
        meeting = plan()
        _stored(session, meeting, agenda=WRITTEN)
        return lambda: meetings.cancel(session, settings, worker, meeting.id, "Syg", NOW)

    def old_place() -> Callable[[], object]:
        meeting = plan()
        _stored(session, meeting, place_detail=WRITTEN)
        gone = meetings.invitees(session, meeting)[1].id
        return lambda: meetings.remove_invitee(session, settings, worker, meeting.id, gone,
                                               NOW)

    def minutes(**texts: str) -> Callable[[], Callable[[], object]]:
        def prepare() -> Callable[[], object]:
            meeting = held()
            return lambda: meetings.record_minutes(
                session, worker, meeting.id, attended=set(), now=later,
                **{"minutes": "", "decisions": "", **texts})
        return prepare

    def action() -> Callable[[], object]:
        meeting = held()
        return lambda: meetings.add_action(session, worker, meeting.id, text=WRITTEN,
                                           owner_id=worker.id, due_on=day, today=TODAY)

    def old_minutes() -> Callable[[], object]:
        meeting = held(minutes=WRITTEN)
        return lambda: meetings.send_minutes(session, settings, worker, meeting.id, later)

    def old_action() -> Callable[[], object]:
        meeting = held()
        session.add(ActionPoint(meeting_id=meeting.id, youth_id=youth.id, text=WRITTEN,
                                owner_id=worker.id, due_on=day, created_by_id=worker.id))
        session.commit()
        return lambda: meetings.send_minutes(session, settings, worker, meeting.id, later)

    online = f"https://moede.example.dk/j/{WRITTEN[6:]}"
    return [
        ("invite: agenda", lambda: lambda: plan(agenda=WRITTEN), "agenda"),
        ("invite: place", lambda: lambda: plan(place_detail=WRITTEN), "place_detail"),
        ("invite: online link", lambda: lambda: plan(place_kind=PlaceKind.ONLINE,
                                                     place_detail=online), "place_detail"),
        ("invite: a name saved before", old_name, f"inv_m{soren.id}"),
        ("update: a role saved before", old_role, "invitees"),
        ("cancel: an agenda saved before", old_agenda, "agenda"),
        ("removed: a place saved before", old_place, "place_detail"),
        ("minutes", minutes(minutes=WRITTEN), "minutes"),
        ("decisions", minutes(decisions=WRITTEN), "decisions"),
        ("action point", action, "text"),
        ("minutes saved before", old_minutes, "minutes"),
        ("an action point saved before", old_action, "actions"),
    ]


def _other_attempts(session: Session, settings: Settings, worker: User, youth: Youth,
                    members: dict[str, NetworkMember]) -> list[Attempt]:
    """Letters, the inquiry answer, and the names and roles that messages show."""
    anne = members["Anne"]

    def letter(**facts: str) -> Callable[[], object]:
        return lambda: letters.send(
            session, settings, worker, youth.id, TemplateKey.INFO_MEETING_18,
            ["youth", f"member:{anne.id}"],
            {"tidspunkt": "1. maj kl. 10", "sted": "Rådhuset", **facts}, TODAY)

    def old_name() -> Callable[[], object]:
        _stored(session, session.get(Person, anne.person_id), name=f"Anne {WRITTEN}")
        return letter()

    def answer() -> Callable[[], object]:
        row = inquiries.create(session, settings, worker, youth.id, InquiryData(
            received_on=TODAY, received_time=time(9), channel=Channel.PHONE,
            sender_kind="family", summary="Mor ringede."), NOW)
        return lambda: inquiries.answer(session, settings, worker, row.id, AnswerData(
            answered_on=TODAY, answered_time=time(9, 30), note=WRITTEN), NOW)

    shipped = SHIPPED[TemplateKey.TURNING_18]
    return [
        ("letter: a fact", lambda: letter(sted=WRITTEN), "sted"),
        ("letter: a name saved before", old_name, "recipients"),
        ("letter template", lambda: lambda: letter_templates.save(
            session, worker, TemplateKey.TURNING_18, shipped.subject,
            f"{shipped.body}\n{WRITTEN}"), "body"),
        ("inquiry answer", answer, "note"),
        ("network member", lambda: lambda: MemberData.model_validate({
            "role": "other_relative", "role_other": WRITTEN, "kind": "private",
            "name": "Bo"}), "role_other"),
        ("young person", lambda: lambda: YouthData.model_validate({
            "birth_date": "2010-01-01", "birth_date_reason": "Ny", "first_name": WRITTEN,
            "last_name": "Holm"}), "first_name"),
        ("caseworker", lambda: lambda: UserForm.model_validate({
            "username": "bo", "full_name": WRITTEN, "email": "bo@kommune.dk",
            "role": "child_caseworker"}), "full_name"),
    ]


def test_every_text_a_person_writes_for_a_message_refuses_a_cpr_number(session, settings):
    worker, _other, youth, members = _case(session, settings)
    refused, expected = {}, {}
    for what, prepare, field in [*_meeting_attempts(session, settings, worker, youth, members),
                                 *_other_attempts(session, settings, worker, youth, members)]:
        refused[what] = _refused(session, prepare)
        expected[what] = {field: CPR_IN_TEXT}
        for member in members.values():  # undo a name "saved before"
            person = session.get(Person, member.person_id)
            _stored(session, person, name=person.name.replace(f" {WRITTEN}", ""))
    assert refused == expected


# --- the walk: every kind of message, with clean text -----------------------------------------


def _counter(meeting: Meeting, start: datetime, end: datetime) -> bytes:
    """Anne's calendar program proposes another time (iTIP COUNTER)."""
    text = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Counter//EN", "METHOD:COUNTER",
        "BEGIN:VEVENT", f"UID:{meeting.uid}", f"SEQUENCE:{meeting.sequence}",
        "DTSTAMP:20260302T090000Z", f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}", "ATTENDEE:mailto:anne@example.dk",
        "END:VEVENT", "END:VCALENDAR", ""])
    message = email.message.EmailMessage()
    message["From"] = "anne@example.dk"
    message.set_content("Forslag")
    message.add_alternative(text.encode(), maintype="text", subtype="calendar",
                            params={"method": "COUNTER"})
    return message.as_bytes(policy=policy.SMTP)


def _every_kind(session: Session, settings: Settings) -> Youth:
    worker, other, youth, members = _case(session, settings)
    assert flagging.run(session, settings, TODAY, NOW).flagged == 1  # FLAGGED
    day = date(2027, 3, 28)  # its reply links once read as CPR 180622-4400
    planned = meetings.plan(session, settings, worker, youth.id, _data(day),
                            _everyone(youth, members), NOW, TODAY)  # MEETING_INVITE
    meetings.update(session, settings, worker, planned.id, _data(day, agenda="Bolig"),
                    NOW)  # MEETING_UPDATE
    anne = next(i for i in meetings.invitees(session, planned) if i.name == "Anne Holm")
    anne.wants_reminder = True
    session.add(anne)
    assert meeting_reminders.send_due(session, settings, datetime(
        2027, 3, 27, 9, tzinfo=UTC)) == 1  # MEETING_REMINDER
    start = planned.starts_at + timedelta(days=1)
    assert meeting_replies.receive(session, settings, _counter(
        planned, start, start + timedelta(hours=1)), NOW).applied  # MEETING_COUNTER_DECLINED
    soren = next(i for i in meetings.invitees(session, planned) if i.name.startswith("Søren"))
    meetings.remove_invitee(session, settings, worker, planned.id, soren.id,
                            NOW)  # MEETING_REMOVED
    meetings.cancel(session, settings, worker, planned.id, "Syg", NOW)  # MEETING_CANCEL
    held = meetings.plan(session, settings, worker, youth.id, _data(date(2026, 3, 3)),
                         _everyone(youth, members), NOW, TODAY)
    after = held.ends_at + timedelta(hours=1)
    meetings.record_minutes(session, worker, held.id, attended={
        i.id for i in meetings.invitees(session, held)}, minutes="Freja vil gerne i praktik.",
        decisions="Praktik i maj.", now=after)
    meetings.add_action(session, worker, held.id, text="Søg praktikplads", owner_id=worker.id,
                        due_on=date(2026, 4, 1), today=after.date())
    meetings.send_minutes(session, settings, worker, held.id, after)  # MEETING_MINUTES
    letters.send(session, settings, worker, youth.id, TemplateKey.INFO_MEETING_18,
                 ["youth", f"member:{members['Anne'].id}"],
                 {"tidspunkt": "1. maj kl. 10", "sted": "Rådhuset"}, TODAY)  # LETTER
    caseworker_change.change_caseworker(session, worker, youth.id, ChangeData(
        role=CaseRole.COORDINATOR, kind=ChangeKind.PLANNED_PERMANENT, to_user_id=other.id,
        handover_note=f"Freja har CPR {CPR}; det står kun her."), TODAY,
        settings)  # CASEWORKER_CHANGED
    inquiries.create(session, settings, worker, youth.id, InquiryData(
        received_on=TODAY, received_time=time(9), channel=Channel.PHONE, sender_kind="family",
        summary=f"Mor ringede om {CPR}."), NOW)
    inquiries.escalate_due(session, settings, NOW + timedelta(days=10))  # INQUIRY_ESCALATED
    on_page = family.viewer(session, Citizen(youth.cpr_hash or "", "Freja Holm"), youth)
    family.propose(session, settings, on_page, channel=Channel.EMAIL,
                   frequency=Frequency.WEEKLY, interpreter_language="", plain_language=True,
                   note="", now=NOW)  # FAMILY_NOTICE
    overview_mail.send_monthly_summary(
        session, settings, datetime(2026, 4, 1, 8, tzinfo=settings.tz))  # OVERVIEW_SUMMARY
    return youth


def _says(row: OutboxMessage, settings: Settings) -> str:
    return "\n".join([row.subject, row.body, row.recipient_name,
                      message_text(as_email(settings, row))])


def test_every_kind_of_message_goes_out_without_a_cpr_like_number(session, settings):
    youth = _every_kind(session, settings)
    rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert {row.kind for row in rows} == set(OutboxKind), "a kind of message is not walked"
    for row in rows:
        said = _says(row, settings)
        assert not contains_cpr_like(said), (row.kind, said)
        assert CPR not in said and youth.cpr not in said
    session.commit()  # the test's changes are done before the sender takes the messages
    sent = outbox.send_due(session.get_bind(), settings, NOW + timedelta(days=11)).sent
    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert sent > 0 and len(files) == sent
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        said = message_text(message)  # type: ignore[arg-type]
        assert not contains_cpr_like(said), (path.name, said)


# --- meetings ending in every month of 2027-2030 ----------------------------------------------


def _reply_tokens(session: Session, meeting: Meeting) -> set[str]:
    bodies = session.exec(select(OutboxMessage.body).where(
        OutboxMessage.meeting_id == meeting.id)).all()
    return {token for body in bodies
            for token in re.findall(r"/meetings/reply/([^?\s]+)\?", body)}


def test_meetings_ending_in_any_month_of_2027_to_2030_can_be_planned_moved_and_widened(
        session, settings):
    worker, _other, youth, members = _case(session, settings)
    anne, soren = (f"m{members[name].id}" for name in ("Anne", "Søren"))
    for day in [date(year, month, 28) for year in range(2027, 2031) for month in range(1, 13)]:
        meeting = meetings.plan(session, settings, worker, youth.id, _data(day),
                                [meetings.Choice(anne)], NOW, TODAY)
        meetings.update(session, settings, worker, meeting.id,
                        _data(day, start_time=time(13), end_time=time(14, 30)), NOW)
        meetings.add_invitee(session, settings, worker, meeting.id, meetings.Choice(soren),
                             NOW, TODAY)
        tokens = _reply_tokens(session, meeting)
        # Anne's for 11.00 and 14.30, Søren's for 14.30
        assert len(tokens) == 3, day
        url = f"{settings.public_base_url}/meetings/{meeting.id}"
        for generated in (*tokens, meeting.uid, url):
            assert SIX_DIGITS.search(generated) is None, generated
            assert not contains_cpr_like(generated)
        for row in session.exec(select(OutboxMessage).where(
                OutboxMessage.meeting_id == meeting.id)):
            assert not contains_cpr_like(_says(row, settings)), (day, row.kind)
    ends = {m.ends_at.astimezone(settings.tz).date() for m in session.exec(select(Meeting))}
    assert date(2027, 3, 28) in ends and len(ends) == 48
