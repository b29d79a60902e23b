"""Management review rules: the seeded fair draw, each prefilled point with facts that meet
and miss it, the form's rules and the yearly report's figures. No database."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from app.domain import review as rules
from app.domain.consent import ConsentFacts
from app.domain.validation import FieldError
from app.models.handover import GiverRole, Purpose, Recipient
from app.models.review import PointResult, ReviewArea, ReviewPoint
from app.models.youth import Channel, Frequency, YouthStatus

CPH = ZoneInfo("Europe/Copenhagen")
MET, NOT_MET, NOT_RELEVANT = PointResult.MET, PointResult.NOT_MET, PointResult.NOT_RELEVANT
BIRTH = date(2008, 3, 10)  # 17 on 10 March 2025, 18 on 10 March 2026


# --- the draw --------------------------------------------------------------------------------

def _case(case_id: int, status: YouthStatus = YouthStatus.ACTIVE,
          started: date | None = date(2024, 9, 10), changed: date = date(2025, 1, 2),
          born: date = BIRTH) -> rules.Candidate:
    return rules.Candidate(case_id, status, started, born, changed)


def test_the_area_follows_the_status_and_the_transition():
    assert rules.area_of(_case(1, started=None)) is ReviewArea.CHILDREN
    assert rules.area_of(_case(2)) is ReviewArea.TRANSITION
    assert rules.area_of(_case(3, YouthStatus.TRANSFERRED)) is ReviewArea.ADULTS
    # Closed: where the case stood when it last changed.
    assert rules.area_of(_case(4, YouthStatus.CLOSED, started=None)) is ReviewArea.CHILDREN
    assert rules.area_of(_case(5, YouthStatus.CLOSED, changed=date(2026, 3, 9))) \
        is ReviewArea.TRANSITION
    assert rules.area_of(_case(6, YouthStatus.CLOSED, changed=date(2026, 3, 10))) \
        is ReviewArea.ADULTS


def test_the_population_leaves_out_closed_cases_and_those_reviewed_this_year_unless_asked():
    cases = [_case(1), _case(2), _case(3, YouthStatus.CLOSED), _case(4, started=None),
             _case(5, YouthStatus.TRANSFERRED)]
    area = ReviewArea.TRANSITION

    def population(**flags: bool) -> list[int]:
        return rules.population(cases, area, reviewed_this_year={2}, **flags)

    assert population(include_closed=False, include_reviewed=False) == [1]
    assert population(include_closed=True, include_reviewed=False) == [1, 3]
    assert population(include_closed=False, include_reviewed=True) == [1, 2]
    assert population(include_closed=True, include_reviewed=True) == [1, 2, 3]


def test_the_draw_is_the_same_again_with_the_seed_whatever_order_the_cases_come_in():
    ids = list(range(1, 201))
    first = rules.draw(ids, 10, "a1b2c3")
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    assert rules.draw(shuffled, 10, "a1b2c3") == first
    assert len(set(first)) == 10 and set(first) <= set(ids)
    assert rules.draw(ids, 10, "another-seed") != first


def test_the_draw_takes_everyone_when_fewer_cases_than_asked_for():
    assert sorted(rules.draw([5, 3, 9], 10, "x")) == [3, 5, 9]
    assert rules.draw([], 10, "x") == []


def test_the_draw_gives_every_case_the_same_chance():
    """Over 3,000 fixed seeds, each of 10 cases is drawn in 3 of 10 draws: 900 times
    expected; a spread beyond 800 to 1,000 would mean the draw favours some ids."""
    counts: Counter[int] = Counter()
    for n in range(3000):
        counts.update(rules.draw(range(1, 11), 3, f"seed-{n}"))
    assert set(counts) == set(range(1, 11))
    assert all(800 < count < 1000 for count in counts.values()), counts


def test_a_sample_covers_one_calendar_year_not_in_the_future_and_up_to_50_cases():
    base = {"area": "transition", "period_start": "2025-03-01", "period_end": "2025-03-31"}
    data = rules.SampleData.model_validate({**base, "size": "5", "seed": ""})
    assert (data.size, data.seed, data.include_closed) == (5, None, False)
    with pytest.raises(FieldError):
        data.check(date(2025, 2, 28))
    data.check(date(2025, 3, 1))
    for bad in ({"period_end": "2025-02-28"}, {"period_end": "2026-01-10"}, {"size": "0"},
                {"size": "51"}, {"seed": "æble"}, {"seed": "a b"}, {"area": "elsewhere"}):
        with pytest.raises(ValidationError):
            rules.SampleData.model_validate({**base, **bad})


# --- prefill: the timeline -------------------------------------------------------------------

AS_OF = date(2025, 6, 30)


def _step(due: date, done: date | None = None, not_applicable: bool = False,
          name: str = "Trin") -> rules.StepFacts:
    return rules.StepFacts(name, due, done, not_applicable)


def test_timeline_met_when_every_step_due_was_done_by_its_due_date():
    steps = [_step(date(2024, 9, 10), date(2024, 9, 10)), _step(date(2025, 3, 10),
             date(2025, 3, 1)), _step(date(2025, 9, 10))]  # the last is not yet due
    found = rules.timeline_on_time(steps, AS_OF)
    assert found.result is MET
    assert found.detail.params["n"] == 2


def test_timeline_missed_by_a_step_done_after_its_due_date():
    steps = [_step(date(2024, 9, 10), date(2024, 9, 10)),
             _step(date(2025, 3, 10), date(2025, 3, 11), name="Første koordineringsmøde")]
    found = rules.timeline_on_time(steps, AS_OF)
    assert found.result is NOT_MET
    assert found.detail.params["names"] == "Første koordineringsmøde"


def test_timeline_missed_by_a_step_still_open_after_its_due_date():
    assert rules.timeline_on_time([_step(date(2025, 6, 29))], AS_OF).result is NOT_MET
    # Done after the day reviewed counts as open on that day.
    assert rules.timeline_on_time([_step(date(2025, 6, 1), date(2025, 7, 1))], AS_OF).result \
        is NOT_MET


def test_timeline_leaves_out_steps_not_applicable_or_due_that_very_day():
    steps = [_step(date(2025, 1, 1), not_applicable=True), _step(AS_OF)]
    assert rules.timeline_on_time(steps, AS_OF).result is NOT_RELEVANT


# --- prefill: consent before each handover ---------------------------------------------------

PPR, PLAN = 1, 2


def _consent(given: date, role: GiverRole = GiverRole.CUSTODY_HOLDER,
             documents: frozenset[int] = frozenset({PPR, PLAN}),
             recorded: date | None = None) -> rules.RecordedConsent:
    facts = ConsentFacts(1, role, "Anne Hansen", frozenset({Purpose.SHARE_WITH_ADULT}),
                         documents, frozenset({Recipient.ADULT_DEPARTMENT}), given)
    return rules.RecordedConsent(facts, recorded or given)


def _handed(on: date, document: int = PPR) -> rules.HandoverFacts:
    return rules.HandoverFacts(document, {PPR: "PPR-vurdering", PLAN: "Handleplan"}[document], on)


def test_consent_met_when_a_covering_consent_was_recorded_before_each_handover():
    found = rules.consent_before_handover(
        BIRTH, [_consent(date(2025, 1, 5))],
        [_handed(date(2025, 2, 1)), _handed(date(2025, 2, 1), PLAN)], AS_OF)
    assert found.result is MET
    assert found.detail.params == {"n": 2}


def test_consent_missed_when_recorded_after_the_handover_even_if_dated_before():
    late = _consent(date(2025, 1, 5), recorded=date(2025, 3, 1))
    found = rules.consent_before_handover(BIRTH, [late], [_handed(date(2025, 2, 1))], AS_OF)
    assert found.result is NOT_MET
    assert found.detail.params == {"names": "PPR-vurdering"}


def test_consent_missed_when_the_consent_does_not_cover_the_document():
    found = rules.consent_before_handover(
        BIRTH, [_consent(date(2025, 1, 5), documents=frozenset({PLAN}))],
        [_handed(date(2025, 2, 1))], AS_OF)
    assert found.result is NOT_MET


def test_consent_missed_when_a_parent_consented_and_the_handover_came_after_18():
    found = rules.consent_before_handover(
        BIRTH, [_consent(date(2025, 1, 5))], [_handed(date(2026, 3, 10))], date(2026, 4, 1))
    assert found.result is NOT_MET
    own = _consent(date(2026, 3, 10), role=GiverRole.YOUTH)
    assert rules.consent_before_handover(
        BIRTH, [own], [_handed(date(2026, 3, 10))], date(2026, 4, 1)).result is MET


def test_consent_not_relevant_before_any_handover():
    assert rules.consent_before_handover(
        BIRTH, [], [_handed(date(2025, 7, 1))], AS_OF).result is NOT_RELEVANT


# --- prefill: the first meeting by 17 --------------------------------------------------------

def test_first_meeting_met_on_the_17th_birthday_and_missed_the_day_after():
    assert rules.first_meeting_by_17(BIRTH, date(2025, 3, 10), AS_OF).result is MET
    assert rules.first_meeting_by_17(BIRTH, date(2025, 3, 11), AS_OF).result is NOT_MET


def test_first_meeting_missed_when_none_was_held_by_17_and_not_relevant_before():
    assert rules.first_meeting_by_17(BIRTH, None, AS_OF).result is NOT_MET
    assert rules.first_meeting_by_17(BIRTH, None, date(2025, 3, 10)).result is NOT_RELEVANT
    # Born 29 February: 17 on 28 February in a year that is not a leap year.
    assert rules.first_meeting_by_17(date(2008, 2, 29), date(2025, 2, 28), AS_OF).result is MET
    assert rules.first_meeting_by_17(date(2008, 2, 29), date(2025, 3, 1), AS_OF).result \
        is NOT_MET


# --- prefill: the communication agreement and status updates ---------------------------------

def test_agreement_met_when_it_differs_from_a_new_record_and_missed_when_it_does_not():
    blank = rules.AgreementFacts(Channel.DIGITAL_POST, Frequency.ON_CHANGE, False, False)
    assert rules.agreement_recorded(blank).result is NOT_MET
    for agreed in (rules.AgreementFacts(Channel.EMAIL, Frequency.ON_CHANGE, False, False),
                   rules.AgreementFacts(Channel.DIGITAL_POST, Frequency.MONTHLY, False, False),
                   rules.AgreementFacts(Channel.DIGITAL_POST, Frequency.ON_CHANGE, True, False),
                   rules.AgreementFacts(Channel.DIGITAL_POST, Frequency.ON_CHANGE, False, True)):
        assert rules.agreement_recorded(agreed).result is MET


CREATED = date(2025, 1, 15)


def test_status_updates_met_when_each_came_by_its_due_day():
    given = [date(2025, 2, 15), date(2025, 3, 10), date(2025, 4, 10), date(2025, 5, 10),
             date(2025, 6, 10)]
    found = rules.status_updates_on_time(Frequency.MONTHLY, CREATED, given, AS_OF, active=True)
    assert found.result is MET
    assert found.detail.params == {"n": 5}


def test_status_updates_missed_by_a_late_one_and_by_one_now_overdue():
    late = [date(2025, 2, 16), date(2025, 3, 10), date(2025, 4, 10), date(2025, 5, 10),
            date(2025, 6, 10)]
    found = rules.status_updates_on_time(Frequency.MONTHLY, CREATED, late, AS_OF, active=True)
    assert found.result is NOT_MET
    assert found.detail.params["late"] == 1
    assert found.detail.params["date"].value == date(2025, 2, 15)
    missing = [date(2025, 2, 15), date(2025, 3, 10), date(2025, 4, 10), date(2025, 5, 10)]
    assert rules.status_updates_on_time(Frequency.MONTHLY, CREATED, missing, AS_OF,
                                        active=True).result is NOT_MET
    # After the transfer the next one is the adult department's.
    assert rules.status_updates_on_time(Frequency.MONTHLY, CREATED, missing, AS_OF,
                                        active=False).result is MET


def test_status_updates_not_relevant_when_news_is_given_on_change_or_none_was_due():
    assert rules.status_updates_on_time(Frequency.ON_CHANGE, CREATED, [], AS_OF,
                                        active=True).result is NOT_RELEVANT
    assert rules.status_updates_on_time(Frequency.QUARTERLY, date(2025, 4, 1), [], AS_OF,
                                        active=True).result is NOT_RELEVANT


# --- prefill: inquiries within 48 working hours ----------------------------------------------

WEDNESDAY_2PM = datetime(2025, 6, 11, 14, 0, tzinfo=CPH)
FRIDAY_2PM = datetime(2025, 6, 13, 14, 0, tzinfo=CPH)


def _inquiry(acknowledged: datetime | None, received: datetime = WEDNESDAY_2PM,
             due: datetime = FRIDAY_2PM) -> rules.InquiryFacts:
    return rules.InquiryFacts(received, due, acknowledged)


def test_inquiries_met_when_acknowledged_by_the_due_time():
    found = rules.inquiries_in_time([_inquiry(FRIDAY_2PM)], AS_OF, CPH)
    assert found.result is MET


def test_inquiries_missed_when_acknowledged_late_or_never():
    late = FRIDAY_2PM + timedelta(minutes=1)
    assert rules.inquiries_in_time([_inquiry(late)], AS_OF, CPH).result is NOT_MET
    found = rules.inquiries_in_time([_inquiry(None), _inquiry(FRIDAY_2PM)], AS_OF, CPH)
    assert found.result is NOT_MET
    assert (found.detail.params["late"], found.detail.params["n"]) == (1, 2)


def test_inquiries_not_yet_due_or_received_later_are_left_out():
    due_tomorrow = _inquiry(None, received=datetime(2025, 6, 27, 10, tzinfo=CPH),
                            due=datetime(2025, 7, 1, 10, tzinfo=CPH))
    after = _inquiry(None, received=datetime(2025, 7, 2, 9, tzinfo=CPH),
                     due=datetime(2025, 7, 4, 9, tzinfo=CPH))
    assert rules.inquiries_in_time([due_tomorrow, after], AS_OF, CPH).result is NOT_RELEVANT
    # Due at 23:30 on the day reviewed and not acknowledged: late by the end of that day.
    due_tonight = _inquiry(None, due=datetime(2025, 6, 30, 21, 30, tzinfo=UTC))
    assert rules.inquiries_in_time([due_tonight], AS_OF, CPH).result is NOT_MET


def test_the_young_persons_say_in_the_choice_of_coordinator():
    assert rules.youth_say(True, True).result is MET
    assert rules.youth_say(False, True).result is NOT_MET
    assert rules.youth_say(False, False).result is NOT_RELEVANT


def test_every_point_is_on_the_form_and_the_judged_ones_are_left_to_the_reviewer():
    facts = rules.CaseFacts(
        birth_date=BIRTH, created_on=CREATED, active=True, steps=[], consents=[], handovers=[],
        first_meeting_on=None, agreement=rules.AgreementFacts(Channel.EMAIL,
                                                              Frequency.ON_CHANGE, False, False),
        status_updates=[], inquiries=[], youth_had_say=True, coordinator_chosen=True)
    found = rules.prefill(facts, AS_OF, CPH)
    assert list(found) == list(ReviewPoint)
    assert {p for p, f in found.items() if f.result is None} == rules.JUDGED_ONLY
    assert found[ReviewPoint.FIRST_MEETING_BY_17].result is NOT_MET


def test_the_day_judged_is_the_end_of_the_period_or_today_when_that_comes_first():
    assert rules.prefill_day(date(2025, 3, 31), date(2025, 5, 2)) == date(2025, 3, 31)
    assert rules.prefill_day(date(2025, 3, 31), date(2025, 3, 15)) == date(2025, 3, 15)


# --- the form --------------------------------------------------------------------------------

def test_a_judgement_other_than_the_finding_needs_a_note():
    differs = rules.AnswerData(judgement=MET)
    assert rules.answer_problem(NOT_MET, differs) is not None
    assert rules.answer_problem(NOT_MET, rules.AnswerData(judgement=MET, note="Aftalt pr. tlf."))\
        is None
    assert rules.answer_problem(MET, differs) is None
    assert rules.answer_problem(None, rules.AnswerData(judgement=NOT_MET)) is None


def test_a_follow_up_needs_a_caseworker_of_the_case_and_a_date_not_in_the_past():
    with pytest.raises(ValidationError):
        rules.ReviewData.model_validate({"follow_up_text": "Ring til mor", "follow_up_due_on":
                                         "2025-07-01"})
    with pytest.raises(ValidationError):
        rules.ReviewData.model_validate({"follow_up_text": "Ring til mor",
                                         "follow_up_owner_id": "4"})
    data = rules.ReviewData.model_validate({"follow_up_text": "Ring til mor",
                                            "follow_up_owner_id": "4",
                                            "follow_up_due_on": "2025-07-01"})
    data.check(date(2025, 7, 1), [3, 4])
    with pytest.raises(FieldError):
        data.check(date(2025, 7, 2), [3, 4])
    with pytest.raises(FieldError):
        data.check(date(2025, 7, 1), [3])
    empty = rules.ReviewData.model_validate({"follow_up_owner_id": "4",
                                             "follow_up_due_on": "2025-07-01"})
    assert (empty.follow_up_owner_id, empty.follow_up_due_on) == (None, None)


# --- the yearly report -----------------------------------------------------------------------

def _record(area: ReviewArea, year: int, **judged: PointResult) -> rules.ReviewRecord:
    return rules.ReviewRecord(area, year, {ReviewPoint(k): v for k, v in judged.items()})


def test_the_report_counts_per_area_and_point_and_the_change_since_last_year():
    t, c = ReviewArea.TRANSITION, ReviewArea.CHILDREN
    records = [
        _record(t, 2025, timeline_on_time=MET, case_notes=MET),
        _record(t, 2025, timeline_on_time=MET, case_notes=NOT_RELEVANT),
        _record(t, 2025, timeline_on_time=NOT_MET, case_notes=NOT_RELEVANT),
        _record(t, 2024, timeline_on_time=NOT_MET),
        _record(t, 2024, timeline_on_time=MET),
        _record(c, 2025, timeline_on_time=NOT_MET),
        _record(c, 2023, timeline_on_time=MET),  # two years back: not counted
    ]
    report = {a.area: a for a in rules.yearly_report(records, 2025)}
    transition = {p.point: p for p in report[t].points}
    timeline = transition[ReviewPoint.TIMELINE_ON_TIME]
    assert (report[t].reviewed, report[t].last_reviewed) == (3, 2)
    assert (timeline.met, timeline.not_met, timeline.not_relevant) == (2, 1, 0)
    assert timeline.share == Fraction(2, 3)
    assert (timeline.percent, timeline.last_percent, timeline.trend) == (67, 50, 17)
    notes = transition[ReviewPoint.CASE_NOTES]
    assert (notes.percent, notes.last_percent, notes.trend) == (100, None, None)
    children = {p.point: p for p in report[c].points}[ReviewPoint.TIMELINE_ON_TIME]
    assert (report[c].reviewed, report[c].last_reviewed, children.percent) == (1, 0, 0)
    assert report[ReviewArea.ADULTS].reviewed == 0
    assert all(a.below_target for a in report.values())


def test_shares_and_changes_round_halves_away_from_zero():
    up = rules.PointFigures(ReviewPoint.CASE_NOTES, 1, 7, 0, 0, 1)  # 12.5 % from 0 %
    assert (up.percent, up.trend) == (13, 13)
    down = rules.PointFigures(ReviewPoint.CASE_NOTES, 0, 1, 0, 1, 7)  # 0 % from 12.5 %
    assert (down.last_percent, down.trend) == (13, -13)

