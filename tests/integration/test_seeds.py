from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from sqlmodel import col, func, select

from app.clock import now as clock_now
from app.domain.cpr import cpr_lookup_hash, parse_cpr
from app.domain.timeline import FIRST_MEETING_STEP_KEY, HANDOVER_STEP_KEY
from app.domain.youth import AgeBand, birth_date_range
from app.models.handover import DocumentStatus, DocumentType, HandoverDocument
from app.models.inquiry import Inquiry
from app.models.letter import StatusUpdate
from app.models.meeting import Meeting, MeetingKind, MeetingStatus
from app.models.network import NetworkMember
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, User
from app.models.youth import (
    EventKind,
    Frequency,
    SupportExpected,
    Youth,
    YouthEvent,
    YouthStatus,
)
from app.services import letters
from bench import generate as bench
from seeds import data, demo
from tests.conftest import login


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _in_band(birth: date, band: AgeBand, today: date) -> bool:
    after, on_or_before = birth_date_range(band, today)
    return (after is None or birth > after) and (on_or_before is None or birth <= on_or_before)


# Today, plus days where calendar arithmetic is awkward (leap day, month ends).
DAYS = [None, date(2028, 2, 29), date(2027, 8, 31), date(2026, 3, 1)]


@pytest.mark.parametrize("today", DAYS, ids=["today", "leap-day", "31-aug", "1-mar"])
def test_the_demo_loads_40_young_people_across_every_age_band(settings, session, capsys, today):
    today = today or clock_now().astimezone(settings.tz).date()
    assert demo.main(settings, if_empty=True, today=today) == 0

    users = session.exec(select(User)).all()
    assert len(users) == 8
    roles = [u.role for u in users]
    assert roles.count(Role.CHILD_CASEWORKER) == 3 and roles.count(Role.ADULT_CASEWORKER) == 3
    assert roles.count(Role.COORDINATOR) == 1 and roles.count(Role.ADMIN) == 1
    assert all(u.email.endswith("@" + data.EMAIL_DOMAIN) and u.phone for u in users)
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out
    assert all(u.username in out for u in demo.DEMO_USERS)

    youths = session.exec(select(Youth)).all()
    assert len(youths) == 40
    events = session.exec(select(YouthEvent)).all()
    assert [e.kind for e in events].count(EventKind.CREATED) == 40
    assert {EventKind.CREATED, EventKind.FLAGGED, EventKind.NETWORK_MEMBER_ADDED,
            EventKind.MEETING_PLANNED, EventKind.MEETING_HELD, EventKind.CONSENT_RECORDED,
            EventKind.DOCUMENT_HANDED_OVER, EventKind.INQUIRY_RECEIVED,
            EventKind.INQUIRY_ANSWERED} <= {e.kind for e in events}
    # As a register in use: whoever has passed the flag date is flagged (but the one case
    # registered late, which the start-up job flags), past steps are mostly done, and a few
    # cases show overdue steps.
    flagged = [y for y in youths if y.flagged_at is not None]
    assert len(flagged) == [e.kind for e in events].count(EventKind.FLAGGED) > 10
    assert all(not y.flag_late for y in flagged)
    overdue = [y for y in youths if y.next_open_due_on and y.next_open_due_on < today]
    assert 3 <= len(overdue) <= len(demo.WITH_OVERDUE_STEP) + len(demo.REGISTERED_LATE)
    # Families with an agreed frequency have had news lately; a few are due for more.
    latest = {u.youth_id: u.given_at for u in session.exec(select(StatusUpdate)).all()}
    agreed = [y for y in youths if y.comm_frequency is not Frequency.ON_CHANGE
              and y.status is YouthStatus.ACTIVE]
    assert set(latest) <= {y.id for y in agreed}  # all but a case registered only now
    assert len(latest) >= len(agreed) - len(demo.REGISTERED_LATE) > 0
    due = [y for y in agreed if letters.update_due_on(y, latest.get(y.id), settings) <= today]
    assert 1 <= len(due) < len(agreed) / 2
    with_cpr = [y for y in youths if y.cpr]
    assert len(with_cpr) == 39
    for youth in with_cpr:
        assert parse_cpr(youth.cpr).birth_date == youth.birth_date
        assert youth.cpr_hash == cpr_lookup_hash(youth.cpr, settings.key)
    [no_cpr] = [y for y in youths if not y.cpr]
    assert no_cpr.cpr_hash is None and no_cpr.birth_date_reason

    ages = [relativedelta(today, y.birth_date).years for y in youths]
    assert min(ages) == 14 and max(ages) == 19
    for band in AgeBand:
        assert any(_in_band(y.birth_date, band, today) for y in youths), band

    adults = [y for y in youths if _in_band(y.birth_date, AgeBand.ADULT, today)]
    transferred = [y for y in adults if y.status is YouthStatus.TRANSFERRED]
    assert 2 <= len(transferred) <= 3
    [closed] = [y for y in youths if y.status is YouthStatus.CLOSED]
    assert closed.closed_reason
    assert all(y.child_caseworker_id for y in youths)
    assert all(y.buddy_id != y.coordinator_id for y in youths if y.coordinator_id)
    supports = [y.adult_support_expected for y in youths]
    assert supports.count(SupportExpected.YES) > 20
    assert SupportExpected.NO in supports and SupportExpected.NOT_ASSESSED in supports
    assert any(y.plain_language for y in youths) and any(y.sign_language for y in youths)
    assert any(y.interpreter_language for y in youths)
    assert any(y.bisidder_offered for y in youths)


def test_the_demo_cases_obey_the_rules_the_app_enforces(settings, session):
    """Every young person has a network; a step that an event closes is done exactly when
    its event happened (a coordination meeting held with minutes, every required document
    handed over under a consent); there are meetings ahead and inquiries still open."""
    today = clock_now().astimezone(settings.tz).date()
    assert demo.main(settings, if_empty=True, today=today) == 0
    youths = session.exec(select(Youth)).all()
    members = session.exec(select(NetworkMember)).all()
    assert {m.youth_id for m in members} == {y.id for y in youths}
    steps = session.exec(select(YouthStep, TimelineStep).join(
        TimelineStep, col(TimelineStep.id) == col(YouthStep.step_id))).all()
    held = {m.youth_id: m for m in session.exec(select(Meeting).where(
        Meeting.status == MeetingStatus.HELD, Meeting.kind == MeetingKind.COORDINATION))}
    documents = session.exec(select(HandoverDocument, DocumentType).join(
        DocumentType, col(DocumentType.id) == col(HandoverDocument.document_type_id))).all()
    first_done = handed_done = 0
    for row, step in steps:
        if step.key == FIRST_MEETING_STEP_KEY:
            meeting = held.get(row.youth_id)
            assert (row.done_at is not None) == (meeting is not None), row.youth_id
            if meeting is not None:
                first_done += 1
                assert meeting.minutes and meeting.held_at is not None
                assert row.done_at is not None and row.done_at >= meeting.starts_at
        if step.key == HANDOVER_STEP_KEY and row.done_at is not None:
            handed_done += 1
            required = [d for d, t in documents if d.youth_id == row.youth_id and t.required]
            assert required and all(d.status is DocumentStatus.HANDED_OVER
                                    and d.handed_over_consent_id for d in required)
    assert first_done >= 5 and handed_done >= 3
    ahead = session.exec(select(Meeting).where(Meeting.status == MeetingStatus.PLANNED)).all()
    assert ahead and all(m.starts_at > clock_now() for m in ahead)
    assert any(i.answered_at is None for i in session.exec(select(Inquiry)))
    assert any(i.answered_at is not None for i in session.exec(select(Inquiry)))


def test_a_second_run_with_if_empty_loads_nothing_but_prints_the_logins(settings, session, capsys):
    assert demo.main(settings, if_empty=True) == 0
    capsys.readouterr()
    assert demo.main(settings, if_empty=True) == 0
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out and "indlæses ikke" in out
    assert _count(session, User) == 8
    assert _count(session, Youth) == 40


def test_without_if_empty_it_refuses_to_load_over_existing_demo_users(settings, session):
    assert demo.main(settings, if_empty=False) == 0
    assert demo.main(settings, if_empty=False) == 1
    assert _count(session, Youth) == 40


def test_the_generator_creates_n_young_people_with_valid_unique_cpr_numbers(
    settings, engine, session
):
    today = date(2026, 11, 23)
    bench.generate(engine, settings, 1000, today=today, seed=7)

    rows = session.exec(select(Youth)).all()
    assert len(rows) == 1000
    assert len({y.cpr_hash for y in rows}) == 1000
    for youth in rows:
        assert parse_cpr(youth.cpr).birth_date == youth.birth_date
        assert youth.cpr_hash == cpr_lookup_hash(youth.cpr, settings.key)
        assert 13 <= relativedelta(today, youth.birth_date).years <= 20
        assert youth.created_at.tzinfo is not None
    assert _count(session, YouthEvent) == 1000
    assert _count(session, User) == sum(bench.staff_counts(1000).values()) == 8
    active = sum(y.status is YouthStatus.ACTIVE for y in rows)
    assert 700 <= active <= 900
    # As after the daily job: everyone it would flag is flagged, nobody else.
    for youth in rows:
        due = (youth.flag_due_on <= today and youth.status is YouthStatus.ACTIVE
               and youth.adult_support_expected is not SupportExpected.NO)
        if due:
            assert youth.flagged_at is not None and youth.transition_started_on is not None
    started = sum(y.transition_started_on is not None for y in rows)
    assert 400 <= started <= 600
    # A step row per template step, and the earliest open due date kept on the record.
    steps = session.exec(select(YouthStep)).all()
    assert len(steps) == 1000 * _count(session, TimelineStep)
    open_due: dict[int, date] = {}
    for step in steps:
        if step.done_at is None and not step.not_applicable_reason:
            open_due[step.youth_id] = min(step.due_on, open_due.get(step.youth_id, step.due_on))
    assert {y.id: y.next_open_due_on for y in rows} == {
        y.id: open_due.get(y.id) for y in rows
    }
    # The young people in the transition have network members and handover documents.
    in_transition = {y.id for y in rows if y.transition_started_on is not None}
    members = session.exec(select(NetworkMember)).all()
    assert {m.youth_id for m in members} == in_transition
    documents = session.exec(select(HandoverDocument)).all()
    assert {d.youth_id for d in documents} == in_transition


def test_the_generator_refuses_a_register_that_is_not_empty(settings, engine):
    bench.generate(engine, settings, 10, today=date(2026, 11, 23))
    with pytest.raises(RuntimeError, match="already has 10"):
        bench.generate(engine, settings, 10, today=date(2026, 11, 23))


@pytest.mark.parametrize(
    ("birth", "expected_digit"),
    [(date(2009, 1, 1), "4"), (date(2036, 12, 31), "4"), (date(2037, 1, 1), "5"),
     (date(1999, 6, 30), "4"), (date(1920, 2, 29), "0")],
)
def test_fictitious_cpr_numbers_encode_their_birth_date(birth, expected_digit):
    cpr = data.fictitious_cpr(birth, 123)
    assert cpr[6] == expected_digit
    assert parse_cpr(cpr).birth_date == birth
    assert parse_cpr(data.fictitious_cpr(birth, data.serials_per_date(birth.year) - 1))
    with pytest.raises(ValueError):
        data.fictitious_cpr(birth, data.serials_per_date(birth.year))


def test_every_demo_young_persons_page_has_at_most_one_primary_action(settings, session, client):
    """One primary button per page (DKFDS): the young person's page holds every section, so
    each section's own actions are secondary there, whatever state the case is in. The
    demo's cases cover the states (consents, documents covered or not, meetings, network)."""
    assert demo.main(settings, if_empty=True) == 0
    login(client, "birgitte", demo.DEMO_PASSWORD)
    ids = session.exec(select(Youth.id)).all()
    assert len(ids) == 40
    crowded = {}
    for youth_id in ids:
        for path in (f"/youths/{youth_id}", f"/youths/{youth_id}/handover",
                     f"/youths/{youth_id}/network"):
            page = client.get(path)
            assert page.status_code == 200, path
            if page.text.count("button-primary") > 1:
                crowded[path] = page.text.count("button-primary")
    assert crowded == {}
