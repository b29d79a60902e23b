"""The demo's cases brought to life through the app's own services, so what a newcomer sees
obeys the rules the app enforces: every young person has a network (parents, and the
professionals around them); the first coordination meeting was held, with minutes, where
its step is past; the documents were handed over under a recorded consent where the
handover step is past; meetings ahead this month; inquiries open, acknowledged and answered.

The steps these events close (the first meeting, the handover) are never simply marked
done: they are done because the meeting was held or the documents handed over, on the day
that happened. The cases shown with an overdue step keep that step open, and their events
did not happen.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from app.domain.consent import ConsentData
from app.domain.inquiry import AnswerData, InquiryData
from app.domain.meeting import MeetingData
from app.domain.network_input import MemberData
from app.domain.timeline import FIRST_MEETING_STEP_KEY, HANDOVER_STEP_KEY
from app.models.handover import ConsentMethod, DocumentStatus, Purpose, Recipient
from app.models.inquiry import InquirySender
from app.models.meeting import MeetingKind, PlaceKind
from app.models.network import NetworkRole, PersonKind, Sector
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import User
from app.models.youth import Channel, Youth, YouthStatus
from app.services import handover, inquiries, meetings, network, timeline
from app.services.meetings import Choice
from app.settings import Settings
from seeds import data

# The steps that events close; the seed never marks them done by hand.
EVENT_STEPS = frozenset({FIRST_MEETING_STEP_KEY, HANDOVER_STEP_KEY})

MOTHERS = ("Hanne", "Louise", "Mette", "Susanne", "Camilla", "Maria", "Tina", "Anja", "Pia")
FATHERS = ("Thomas", "Martin", "Jesper", "Michael", "Henrik", "Rasmus", "Jens", "Søren")
TEACHERS = ("Bodil Thrane", "Kim Lauritsen", "Nadia Bjerg", "Ole Kragh", "Rikke Dam")
COUNSELLORS = ("Per Vinther", "Lene Aagaard", "Dorthe Fisker")
PSYCHOLOGISTS = ("Ida Brandt", "Morten Riis")

AGENDA = ("1. Sådan går det i skolen og derhjemme\n2. Ønsker til bolig og uddannelse\n"
          "3. Hvad ændrer sig ved 18 år\n4. Aftaler og næste møde")
MINUTES = ("Vi talte om skolen og fritiden. {name} fortalte selv om sine ønsker til "
           "bolig efter skolen. Forældrene er med på planen.")
DECISIONS = "Voksenafdelingen deltager i næste møde. Lægeerklæring indhentes."

INQUIRIES = {
    5: ("Mor spørger, hvornår næste møde er.", 1, None),
    12: ("Den unge vil gerne vide, hvem der bliver sagsbehandler i voksenafdelingen.", 2, 0),
    20: ("Skolen spørger, om de skal med til koordineringsmødet.", 3, 1),
    26: ("Far spørger, hvad der sker med hjælpen efter 18 år.", 0, None),
    33: ("Mor beder om at få referatet fra sidste møde.", 5, 2),
}


@dataclass(frozen=True)
class Family:
    mother: int
    father: int | None
    professional: int


def _weekday(day: date) -> date:
    """The day itself, or the Monday after a weekend."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def at(day: date, settings: Settings, hour: int = 9, minute: int = 0) -> datetime:
    """A wall-clock time in the municipality on `day`."""
    return datetime.combine(day, time(hour, minute), settings.tz)


def _step_due(session: Session, youth: Youth, key: str) -> YouthStep | None:
    return session.exec(
        select(YouthStep).join(TimelineStep, col(TimelineStep.id) == col(YouthStep.step_id))
        .where(YouthStep.youth_id == youth.id, TimelineStep.key == key)).first()


def _network(session: Session, user: User, youth: Youth, i: int, rng: random.Random,
             today: date) -> Family:
    """Mother and (in most cases) father, custody holders until the 18th birthday, and the
    professional who knows the young person best at the moment."""
    minor = today < youth.birth_date + relativedelta(years=18)
    last = youth.last_name.split()[-1]
    mother = network.add_member(session, user, youth.id or 0, MemberData(
        kind=PersonKind.PRIVATE, name=f"{rng.choice(MOTHERS)} {last}",
        email=f"{last.lower()}.mor{i}@example.dk".replace("ø", "oe").replace("æ", "ae")
        .replace("å", "aa"), phone=f"2{i:02d}4 {rng.randint(1000, 9999)}",
        role=NetworkRole.MOTHER, sector=Sector.FAMILY, ring=1, custody_holder=minor,
        invited_to_meetings=True), today)
    father_id = None
    if i % 3:
        father = network.add_member(session, user, youth.id or 0, MemberData(
            kind=PersonKind.PRIVATE, name=f"{rng.choice(FATHERS)} {last}",
            phone=f"3{i:02d}5 {rng.randint(1000, 9999)}", role=NetworkRole.FATHER,
            sector=Sector.FAMILY, ring=1 if i % 2 else 2, custody_holder=minor,
            invited_to_meetings=i % 2 == 1, preferred_channel=Channel.LETTER), today)
        father_id = father.id
    age = relativedelta(today, youth.birth_date).years
    if age < 16:
        name, role, org = rng.choice(TEACHERS), NetworkRole.TEACHER, youth.school or "Skolen"
    elif age < 18:
        name, role, org = rng.choice(COUNSELLORS), NetworkRole.UU_COUNSELLOR, "UU Egebjerg"
    else:
        name, role, org = rng.choice(PSYCHOLOGISTS), NetworkRole.PPR_PSYCHOLOGIST, "PPR"
    work = f"{name.split()[0].lower()}@{data.EMAIL_DOMAIN}"
    professional = network.add_member(session, user, youth.id or 0, MemberData(
        kind=PersonKind.PROFESSIONAL, name=name, email=work, organisation=org, role=role,
        ring=2, invited_to_meetings=True), today)
    assert mother.id is not None and professional.id is not None
    return Family(mother.id, father_id, professional.id)


def _invited(family: Family) -> list[Choice]:
    people = [Choice("y", channel=Channel.LETTER), Choice(f"m{family.mother}"),
              Choice(f"m{family.professional}", required=False)]
    if family.father is not None:
        people.append(Choice(f"m{family.father}", channel=Channel.LETTER))
    return people


def _meeting(day: date, hour: int, place: PlaceKind = PlaceKind.TOWN_HALL) -> MeetingData:
    return MeetingData(kind=MeetingKind.COORDINATION, day=day, start_time=time(hour),
                       end_time=time(hour + 1), place_kind=place,
                       place_detail="Mødelokale 2, Rådhuset" if place is PlaceKind.TOWN_HALL
                       else "", agenda=AGENDA)


def _first_meeting(session: Session, settings: Settings, user: User, youth: Youth,
                   family: Family, step: YouthStep) -> None:
    """Held a week before its step was due, planned three weeks ahead, minutes written the
    same afternoon; the step is done on the day of the meeting."""
    day = _weekday(step.due_on - timedelta(days=7))
    planned_at = at(day - timedelta(days=21), settings, 9)
    meeting = meetings.plan(session, settings, user, youth.id or 0, _meeting(day, 10),
                            _invited(family), planned_at, planned_at.date())
    held = meetings.invitees(session, meeting)
    meetings.record_minutes(
        session, user, meeting.id or 0, attended={p.id for p in held if p.id is not None},
        minutes=MINUTES.format(name=youth.first_name), decisions=DECISIONS,
        now=at(day, settings, 14))
    step.done_at, step.done_by_id = at(day, settings, 14), user.id
    session.add(step)


def _handover(session: Session, settings: Settings, user: User, youth: Youth,
              family: Family, due_on: date, today: date) -> None:
    """A consent to share with the adult department, given a month before the step's date
    (by the young person, or by the mother, who holds custody), and every required
    document handed over under it."""
    given_on = min(due_on - relativedelta(months=1), today)
    parent = today < youth.birth_date + relativedelta(years=18) and (youth.id or 0) % 2 == 0
    documents = handover.checklist(session, youth)
    consent = ConsentData(
        giver=str(family.mother) if parent else "youth",
        purposes=[Purpose.SHARE_WITH_ADULT],
        document_type_ids=[d.type.id for d in documents if d.type.id is not None],
        recipients=[Recipient.ADULT_DEPARTMENT], method=ConsentMethod.WRITTEN,
        given_on=given_on, valid_until=given_on + relativedelta(years=3))
    handover.record_consent(session, user, youth.id or 0, consent, today)
    for n, document in enumerate(documents):
        required = document.facts.required
        target = DocumentStatus.HANDED_OVER if required else (
            DocumentStatus.RECEIVED if n % 2 else DocumentStatus.REQUESTED)
        handover.set_status(session, user, youth.id or 0, document.id, target, today)
    step = _step_due(session, youth, HANDOVER_STEP_KEY)
    if step is not None and step.done_at is not None:
        step.done_at = at(min(due_on - timedelta(days=3), today), settings, 12)
        session.add(step)


def _documents_under_way(session: Session, user: User, youth: Youth, today: date) -> None:
    """Before the handover: the first documents requested and one received."""
    for n, document in enumerate(handover.checklist(session, youth)[:3]):
        target = DocumentStatus.RECEIVED if n == 0 else DocumentStatus.REQUESTED
        handover.set_status(session, user, youth.id or 0, document.id, target, today)


def _not_applicable(session: Session, user: User, youth: Youth, today: date) -> None:
    """Not in the transition (no support expected as an adult, or the case closed): the
    caseworker marked the steps that would need a meeting or a handover as not relevant."""
    reason = ("Sagen er lukket." if youth.status is YouthStatus.CLOSED
              else "Forventes ikke at få brug for støtte som voksen.")
    for key in sorted(EVENT_STEPS):
        step = _step_due(session, youth, key)
        if step is not None and step.due_on < today and step.id is not None:
            timeline.not_applicable(session, user, step.id, reason)


def _inquiry(session: Session, settings: Settings, user: User, youth: Youth, i: int,
             now: datetime) -> None:
    summary, days_ago, answered_after = INQUIRIES[i]
    received = _weekday(now.astimezone(settings.tz).date() - timedelta(days=days_ago))
    if received > now.astimezone(settings.tz).date():
        received -= timedelta(days=3)
    row = inquiries.create(session, settings, user, youth.id or 0, InquiryData(
        received_on=received, received_time=time(7, 15), channel=Channel.PHONE,
        sender_kind=InquirySender.PROFESSIONAL if i == 20 else InquirySender.FAMILY,
        summary=summary), now)
    if answered_after is not None:
        answered = at(received + timedelta(days=answered_after), settings, 13)
        if answered <= now:
            inquiries.answer(session, settings, user, row.id or 0, AnswerData(
                answered_on=answered.date(), answered_time=answered.time(),
                note="Ringede tilbage og svarede."), now)


def bring_to_life(session: Session, settings: Settings, cases: list[tuple[int, Youth]],
                  overdue: set[int], today: date, now: datetime) -> None:
    """The networks, meetings, consents, documents and inquiries of the demo's cases."""
    rng = random.Random(f"demo-cases-{today.year}")  # noqa: S311 (fake data, not secrets)
    for i, youth in cases:
        user = session.get(User, youth.coordinator_id or youth.child_caseworker_id)
        assert user is not None and youth.id is not None
        family = _network(session, user, youth, i, rng, today)
        if i in INQUIRIES:
            _inquiry(session, settings, user, youth, i, now)
        if i in overdue:
            pass
        elif youth.flagged_at is None or youth.status is YouthStatus.CLOSED:
            _not_applicable(session, user, youth, today)
            continue
        first = _step_due(session, youth, FIRST_MEETING_STEP_KEY)
        if first is not None and youth.flagged_at is not None:
            if first.due_on < today and i not in overdue:
                _first_meeting(session, settings, user, youth, family, first)
            elif first.due_on >= today and i % 2 == 0:
                day = _weekday(today + timedelta(days=3 + i % 9))
                meetings.plan(session, settings, user, youth.id, _meeting(day, 9 + i % 5),
                              _invited(family), now, today)
        step = _step_due(session, youth, HANDOVER_STEP_KEY)
        if step is not None and youth.flagged_at is not None and step.done_at is None:
            if step.due_on < today and i not in overdue:
                _handover(session, settings, user, youth, family, step.due_on, today)
            elif step.due_on < today + relativedelta(months=6):
                _documents_under_way(session, user, youth, today)
    session.flush()
