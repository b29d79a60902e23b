"""Management review (ledelsestilsyn): the points, the seeded fair draw, the prefill rules
and the yearly report. Pure: no I/O, no clock.

Sources: Nordfyn's strategy (action E) reviews at least 10 cases a year in each of the
children's and adult areas, documenting how the citizen was involved, and reports the result
yearly to the political committees; Frederikssund draws five random cases a month and reviews
them against a fixed template (documentation of the steps, citizen involvement, reasons).

The draw ranks every eligible case by SHA-256 of the seed and its id and takes the first:
random to anyone without the seed, the same again for anyone with it, and a case's chance
does not depend on the order the cases were found in.

Prefill rules take plain facts and the day they are judged for (`as_of`): the end of the
sample's period, or the review day when that comes first. They reuse the app's own rules:
step statuses (domain.timeline), the consent rule (domain.consent.handover_decision), the
agreed frequency of status updates (domain.communication) and the inquiry due time counted in
working hours (domain.working_time, stored on the inquiry when it is logged).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from fractions import Fraction
from math import floor
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.domain.communication import next_update_due
from app.domain.consent import ConsentFacts, ShownDate, eighteenth_birthday, handover_decision
from app.domain.timeline import Offset, StepStatus, due_date, step_status
from app.domain.validation import FieldError, MultilineText, OptionalInt, empty_to_none
from app.domain.youth import YouthData
from app.i18n import N_, Msg
from app.models.review import PointResult, ReviewArea, ReviewPoint
from app.models.youth import Channel, Frequency, YouthStatus

YEARLY_TARGET = 10  # Nordfyn: at least 10 cases a year in each area
DEFAULT_SIZE = 10
MAX_SIZE = 50
MAX_SEED = 32  # the column's length
FIRST_MEETING_AGE = Offset(17, 0)

AREA_LABELS = {
    ReviewArea.CHILDREN: N_("Children's area"),
    ReviewArea.TRANSITION: N_("In transition"),
    ReviewArea.ADULTS: N_("Adult area"),
}
AREA_HINTS = {
    ReviewArea.CHILDREN: N_("Active cases that have not entered the transition."),
    ReviewArea.TRANSITION: N_("Active cases that have entered the transition and are not yet "
                              "transferred."),
    ReviewArea.ADULTS: N_("Cases transferred to the adult department."),
}
RESULT_LABELS = {
    PointResult.MET: N_("Met"),
    PointResult.NOT_MET: N_("Not met"),
    PointResult.NOT_RELEVANT: N_("Not relevant"),
}
POINT_LABELS = {
    ReviewPoint.TIMELINE_ON_TIME: N_("The timeline's steps were done on time"),
    ReviewPoint.CONSENT_BEFORE_HANDOVER: N_("Consent was in place before each document was "
                                            "handed over"),
    ReviewPoint.FIRST_MEETING_BY_17: N_("The first coordination meeting was held by the age "
                                        "of 17"),
    ReviewPoint.COMMUNICATION_AGREEMENT: N_("The communication agreement is noted in the case"),
    ReviewPoint.STATUS_UPDATES_ON_TIME: N_("Status updates were given as agreed"),
    ReviewPoint.INQUIRIES_IN_TIME: N_("Inquiries were answered within 48 hours on working "
                                      "days"),
    ReviewPoint.YOUTH_SAY_IN_COORDINATOR: N_("The young person had a say in the choice of "
                                             "coordinating caseworker"),
    ReviewPoint.CITIZEN_INVOLVEMENT: N_("The case documents how the young person and the "
                                        "family were involved"),
    ReviewPoint.CASE_NOTES: N_("Case notes, language and written reasons are in order"),
}
POINT_HINTS = {
    ReviewPoint.TIMELINE_ON_TIME: N_("Each step due by the day reviewed was done by its due "
                                     "date."),
    ReviewPoint.CONSENT_BEFORE_HANDOVER: N_("A consent recorded before the handover covered "
                                            "the document and the adult department."),
    ReviewPoint.FIRST_MEETING_BY_17: N_("The young person, the family and both departments "
                                        "met by the 17th birthday."),
    ReviewPoint.COMMUNICATION_AGREEMENT: N_("How and how often the young person and the family "
                                            "want news (Nordfyn A5)."),
    ReviewPoint.STATUS_UPDATES_ON_TIME: N_("News given as often as the agreement says."),
    ReviewPoint.INQUIRIES_IN_TIME: N_("Acknowledged or answered within 48 hours, weekends and "
                                      "holidays not counted (Nordfyn A4, A5)."),
    ReviewPoint.YOUTH_SAY_IN_COORDINATOR: N_("DH/KL recommendation 7."),
    ReviewPoint.CITIZEN_INVOLVEMENT: N_("The young person's wishes and situation are the "
                                        "starting point, and the case shows how (Nordfyn A2)."),
    ReviewPoint.CASE_NOTES: N_("The duty to take notes, plain language, and reasons in the "
                               "decisions (Nordfyn A5)."),
}
JUDGED_ONLY = frozenset({ReviewPoint.CITIZEN_INVOLVEMENT, ReviewPoint.CASE_NOTES})


# --- the draw --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """What the draw needs to know about a case."""

    id: int
    status: YouthStatus
    transition_started_on: date | None
    birth_date: date
    last_changed_on: date


def area_of(case: Candidate) -> ReviewArea:
    """Transferred cases are the adult area's; cases that have not entered the transition the
    children's; the others are in transition. A closed case that had entered the transition
    counts as the adult area's when the young person was 18 when it last changed."""
    if case.status is YouthStatus.TRANSFERRED:
        return ReviewArea.ADULTS
    if case.transition_started_on is None:
        return ReviewArea.CHILDREN
    if (case.status is YouthStatus.CLOSED
            and case.last_changed_on >= eighteenth_birthday(case.birth_date)):
        return ReviewArea.ADULTS
    return ReviewArea.TRANSITION


def population(candidates: Iterable[Candidate], area: ReviewArea, *, include_closed: bool,
               include_reviewed: bool, reviewed_this_year: Iterable[int]) -> list[int]:
    """The ids the draw chooses from, sorted: the area's cases, without closed cases and
    without those already reviewed this year unless asked."""
    reviewed = set() if include_reviewed else set(reviewed_this_year)
    return sorted(
        c.id for c in candidates
        if area_of(c) is area and c.id not in reviewed
        and (include_closed or c.status is not YouthStatus.CLOSED)
    )


def _rank(seed: str, case_id: int) -> bytes:
    return hashlib.sha256(f"{seed}:{case_id}".encode()).digest()


def draw(population: Iterable[int], size: int, seed: str) -> list[int]:
    """`size` ids (or all of them, when there are fewer), in the order drawn."""
    return sorted(set(population), key=lambda case_id: (_rank(seed, case_id), case_id))[:size]


def _seed(value: str | None) -> str | None:
    if value is not None and not (len(value) <= MAX_SEED and value.isascii()
                                  and value.replace("-", "").isalnum()):
        raise FieldError(N_("A seed is at most %(max)s letters, digits and hyphens."),
                         max=MAX_SEED)
    return value


def _size(value: int) -> int:
    if not 1 <= value <= MAX_SIZE:
        raise FieldError(N_("Choose a number from 1 to %(max)s."), max=MAX_SIZE)
    return value


class SampleData(BaseModel):
    """A draw as the form sends it."""

    model_config = ConfigDict(hide_input_in_errors=True)

    area: ReviewArea
    period_start: date
    period_end: date
    size: Annotated[int, AfterValidator(_size)] = DEFAULT_SIZE
    seed: Annotated[str | None, BeforeValidator(empty_to_none), AfterValidator(_seed)] = None
    include_reviewed: bool = False
    include_closed: bool = False

    @model_validator(mode="after")
    def _period(self) -> SampleData:
        if self.period_end < self.period_start:
            raise FieldError(N_("The period cannot end before it starts."), field="period_end")
        if self.period_end.year != self.period_start.year:
            raise FieldError(N_("A period lies within one calendar year, so that it counts in "
                                "one yearly report."), field="period_end")
        return self

    def check(self, today: date) -> None:
        if self.period_start > today:
            raise FieldError(N_("The period cannot start in the future."), field="period_start")


# --- prefill rules ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Prefill:
    """What the app found for a point: a result (None: the reviewer judges) and why."""

    result: PointResult | None
    detail: Msg


@dataclass(frozen=True)
class StepFacts:
    name: str
    due_on: date
    done_on: date | None
    not_applicable: bool = False


@dataclass(frozen=True)
class HandoverFacts:
    document_type_id: int
    name: str
    handed_over_on: date


@dataclass(frozen=True)
class RecordedConsent:
    """A consent and the day it was recorded (a consent recorded after a handover did not
    allow it, whatever date it says it was given)."""

    facts: ConsentFacts
    recorded_on: date


@dataclass(frozen=True)
class InquiryFacts:
    received_at: datetime
    due_at: datetime
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class AgreementFacts:
    channel: Channel
    frequency: Frequency
    needs_noted: bool
    bisidder_offered: bool


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def timeline_on_time(steps: Sequence[StepFacts], as_of: date) -> Prefill:
    """Met when every step due by `as_of` (not marked not applicable) was done by its due
    date; a step still open after its due date is late (its status is overdue)."""
    checked, late = 0, []
    for step in steps:
        done = step.done_on is not None and step.done_on <= as_of
        status = step_status(step.due_on, as_of, done=done, not_applicable=step.not_applicable)
        if status not in (StepStatus.DONE, StepStatus.OVERDUE) or step.due_on > as_of:
            continue  # not applicable, not yet due, or due on the day itself and still open
        checked += 1
        if status is StepStatus.OVERDUE or (step.done_on is not None
                                            and step.done_on > step.due_on):
            late.append(step.name)
    day = ShownDate(as_of)
    if not checked:
        return Prefill(PointResult.NOT_RELEVANT, Msg(N_("No step was due by %(date)s."), date=day))
    if not late:
        return Prefill(PointResult.MET, Msg(
            N_("All %(n)s steps due by %(date)s were done on time."), n=checked, date=day))
    return Prefill(PointResult.NOT_MET, Msg(
        N_("%(late)s of %(n)s steps due by %(date)s were late: %(names)s."),
        late=len(late), n=checked, date=day, names=_names(late)))


def consent_before_handover(birth_date: date, consents: Sequence[RecordedConsent],
                            handovers: Sequence[HandoverFacts], as_of: date) -> Prefill:
    """Met when each document handed over by `as_of` was covered, on the day it was handed
    over, by a consent recorded by then (the consent rule decides what covers it)."""
    done = [h for h in handovers if h.handed_over_on <= as_of]
    if not done:
        return Prefill(PointResult.NOT_RELEVANT, Msg(
            N_("No document was handed over by %(date)s."), date=ShownDate(as_of)))
    missing = [
        h.name for h in done
        if not handover_decision([c.facts for c in consents if c.recorded_on <= h.handed_over_on],
                                 h.document_type_id, h.name, birth_date, h.handed_over_on)
    ]
    if not missing:
        return Prefill(PointResult.MET, Msg(
            N_("%(n)s documents were handed over, each covered by a consent recorded before."),
            n=len(done)))
    return Prefill(PointResult.NOT_MET, Msg(
        N_("Handed over without a consent recorded before that covered it: %(names)s."),
        names=_names(missing)))


def first_meeting_by_17(birth_date: date, held_on: date | None, as_of: date) -> Prefill:
    """Met when the first coordination meeting was held on or before the 17th birthday."""
    deadline = ShownDate(due_date(birth_date, FIRST_MEETING_AGE))
    if held_on is not None and held_on <= as_of:
        if held_on <= deadline.value:
            return Prefill(PointResult.MET, Msg(
                N_("The first coordination meeting was held on %(date)s, by the 17th birthday "
                   "on %(deadline)s."), date=ShownDate(held_on), deadline=deadline))
        return Prefill(PointResult.NOT_MET, Msg(
            N_("The first coordination meeting was held on %(date)s, after the 17th birthday "
               "on %(deadline)s."), date=ShownDate(held_on), deadline=deadline))
    if as_of > deadline.value:
        return Prefill(PointResult.NOT_MET, Msg(
            N_("No coordination meeting had been held by the 17th birthday on %(deadline)s."),
            deadline=deadline))
    return Prefill(PointResult.NOT_RELEVANT, Msg(
        N_("The young person turns 17 on %(deadline)s."), deadline=deadline))


def _new_record_agreement() -> tuple[Channel, Frequency]:
    fields = YouthData.model_fields
    return fields["comm_channel"].default, fields["comm_frequency"].default


def agreement_recorded(agreement: AgreementFacts) -> Prefill:
    """Met when the agreement differs from what every new record starts with: the channel,
    the frequency, a need noted or a bisidder offered. Otherwise it may never have been
    agreed; the reviewer checks the case."""
    changed = ((agreement.channel, agreement.frequency) != _new_record_agreement()
               or agreement.needs_noted or agreement.bisidder_offered)
    if changed:
        return Prefill(PointResult.MET, Msg(N_("The communication agreement has been filled in.")))
    return Prefill(PointResult.NOT_MET, Msg(N_(
        "The communication agreement has the values every new record starts with (Digital "
        "Post, when something changes). Check in the case that it was agreed with the young "
        "person and the family.")))


def status_updates_on_time(frequency: Frequency, since: date, given: Sequence[date],
                           as_of: date, *, active: bool) -> Prefill:
    """Met when each status update came by the day the agreed frequency made it due (counted
    from the one before, or from the case's creation), and, for an active case, the next one
    is not overdue on `as_of`."""
    if next_update_due(frequency, since) is None:
        return Prefill(PointResult.NOT_RELEVANT, Msg(N_(
            "The agreement is news when something changes; there is no fixed frequency.")))
    checked, late, first_late = 0, 0, None
    for day in sorted(d for d in given if d <= as_of):
        due = next_update_due(frequency, since)
        checked += 1
        if due is not None and day > due:
            late, first_late = late + 1, first_late or due
        since = max(since, day)
    due = next_update_due(frequency, since)
    if active and due is not None and due < as_of:
        checked, late, first_late = checked + 1, late + 1, first_late or due
    if not checked:
        return Prefill(PointResult.NOT_RELEVANT, Msg(
            N_("No status update was due by %(date)s."), date=ShownDate(as_of)))
    if first_late is None:
        return Prefill(PointResult.MET, Msg(
            N_("%(n)s status updates were given, each on time."), n=checked))
    return Prefill(PointResult.NOT_MET, Msg(
        N_("%(late)s of %(n)s status updates came late or are missing; the first was due "
           "%(date)s."), late=late, n=checked, date=ShownDate(first_late)))


def inquiries_in_time(inquiries: Sequence[InquiryFacts], as_of: date, tz: tzinfo) -> Prefill:
    """Met when every inquiry that was due by the end of `as_of` was acknowledged or answered
    by its due time (48 working hours, stored when it was logged)."""
    until = datetime.combine(as_of + timedelta(days=1), time(), tz)
    checked = late = 0
    for inquiry in inquiries:
        if inquiry.received_at >= until:
            continue
        acknowledged = inquiry.acknowledged_at
        if acknowledged is not None and acknowledged >= until:
            acknowledged = None
        if acknowledged is None and inquiry.due_at >= until:
            continue  # not yet due
        checked += 1
        if acknowledged is None or acknowledged > inquiry.due_at:
            late += 1
    if not checked:
        return Prefill(PointResult.NOT_RELEVANT, Msg(
            N_("No inquiry was due for an answer by %(date)s."), date=ShownDate(as_of)))
    if not late:
        return Prefill(PointResult.MET, Msg(N_(
            "All %(n)s inquiries were acknowledged or answered within 48 working hours."),
            n=checked))
    return Prefill(PointResult.NOT_MET, Msg(N_(
        "%(late)s of %(n)s inquiries were not acknowledged or answered within 48 working "
        "hours."), late=late, n=checked))


def youth_say(had_say: bool, coordinator_chosen: bool) -> Prefill:
    if not coordinator_chosen:
        return Prefill(PointResult.NOT_RELEVANT, Msg(
            N_("No coordinating caseworker has been chosen yet.")))
    if had_say:
        return Prefill(PointResult.MET, Msg(
            N_("The record notes that the young person had a say in the choice.")))
    return Prefill(PointResult.NOT_MET, Msg(
        N_("The record does not note that the young person had a say in the choice.")))


@dataclass(frozen=True)
class CaseFacts:
    """Everything the prefill rules read about one case."""

    birth_date: date
    created_on: date
    active: bool
    steps: Sequence[StepFacts]
    consents: Sequence[RecordedConsent]
    handovers: Sequence[HandoverFacts]
    first_meeting_on: date | None
    agreement: AgreementFacts
    status_updates: Sequence[date]
    inquiries: Sequence[InquiryFacts]
    youth_had_say: bool
    coordinator_chosen: bool


def prefill_day(period_end: date, today: date) -> date:
    """The day a case is judged for: the end of the period, or today when that comes first."""
    return min(period_end, today)


def prefill(case: CaseFacts, as_of: date, tz: tzinfo) -> dict[ReviewPoint, Prefill]:
    """Every point, in the form's order: the app's finding, or None for the reviewer."""
    judged = Prefill(None, Msg(N_("The reviewer judges this from the case.")))
    found = {
        ReviewPoint.TIMELINE_ON_TIME: timeline_on_time(case.steps, as_of),
        ReviewPoint.CONSENT_BEFORE_HANDOVER: consent_before_handover(
            case.birth_date, case.consents, case.handovers, as_of),
        ReviewPoint.FIRST_MEETING_BY_17: first_meeting_by_17(
            case.birth_date, case.first_meeting_on, as_of),
        ReviewPoint.COMMUNICATION_AGREEMENT: agreement_recorded(case.agreement),
        ReviewPoint.STATUS_UPDATES_ON_TIME: status_updates_on_time(
            case.agreement.frequency, case.created_on, case.status_updates, as_of,
            active=case.active),
        ReviewPoint.INQUIRIES_IN_TIME: inquiries_in_time(case.inquiries, as_of, tz),
        ReviewPoint.YOUTH_SAY_IN_COORDINATOR: youth_say(case.youth_had_say,
                                                        case.coordinator_chosen),
    }
    return {point: found.get(point, judged) for point in ReviewPoint}


# --- the review form -------------------------------------------------------------------------

class AnswerData(BaseModel):
    """The reviewer's judgement of one point."""

    model_config = ConfigDict(hide_input_in_errors=True)

    judgement: PointResult
    note: Annotated[MultilineText, Field(max_length=1000)] = ""


def answer_problem(found: PointResult | None, answer: AnswerData) -> Msg | None:
    """A judgement that differs from what the app found needs a note saying why."""
    if found is not None and answer.judgement is not found and not answer.note:
        return Msg(N_("Say why your judgement differs from what the app found."))
    return None


OptionalDate = Annotated[date | None, BeforeValidator(empty_to_none)]


class ReviewData(BaseModel):
    """The rest of the review form: findings and the follow-up action for the caseworker."""

    model_config = ConfigDict(hide_input_in_errors=True)

    findings: Annotated[MultilineText, Field(max_length=2000)] = ""
    follow_up_text: Annotated[MultilineText, Field(max_length=500)] = ""
    follow_up_owner_id: OptionalInt = None
    follow_up_due_on: OptionalDate = None

    @model_validator(mode="after")
    def _follow_up(self) -> ReviewData:
        if not self.follow_up_text:
            self.follow_up_owner_id = self.follow_up_due_on = None
            return self
        if self.follow_up_owner_id is None:
            raise FieldError(N_("Choose the caseworker who follows up."),
                             field="follow_up_owner_id")
        if self.follow_up_due_on is None:
            raise FieldError(N_("Give a date for the follow-up."), field="follow_up_due_on")
        return self

    def check(self, today: date, owners: Iterable[int]) -> None:
        if self.follow_up_owner_id is not None and self.follow_up_owner_id not in set(owners):
            raise FieldError(N_("Choose one of the case's caseworkers."),
                             field="follow_up_owner_id")
        if self.follow_up_due_on is not None and self.follow_up_due_on < today:
            raise FieldError(N_("The follow-up cannot be due in the past."),
                             field="follow_up_due_on")


# --- the yearly report -----------------------------------------------------------------------

class FindingsData(BaseModel):
    """What the coordinator writes about one area for the yearly report."""

    model_config = ConfigDict(hide_input_in_errors=True)

    area: ReviewArea
    text: Annotated[MultilineText, Field(max_length=4000)] = ""


@dataclass(frozen=True)
class ReviewRecord:
    """A finished review as the report counts it."""

    area: ReviewArea
    year: int
    judgements: Mapping[ReviewPoint, PointResult]


def _half_up(value: Fraction) -> int:
    """Rounded to the nearest whole number, halves away from zero (as counted by hand)."""
    return floor(value + Fraction(1, 2)) if value >= 0 else -floor(-value + Fraction(1, 2))


@dataclass(frozen=True)
class PointFigures:
    point: ReviewPoint
    met: int
    not_met: int
    not_relevant: int
    last_met: int
    last_not_met: int

    @property
    def judged(self) -> int:
        """Cases where the point applied (not relevant ones are left out of the share)."""
        return self.met + self.not_met

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.met, self.judged) if self.judged else None

    @property
    def last_share(self) -> Fraction | None:
        judged = self.last_met + self.last_not_met
        return Fraction(self.last_met, judged) if judged else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else _half_up(100 * self.share)

    @property
    def last_percent(self) -> int | None:
        return None if self.last_share is None else _half_up(100 * self.last_share)

    @property
    def trend(self) -> int | None:
        """The change from last year's share, in percentage points."""
        if self.share is None or self.last_share is None:
            return None
        return _half_up(100 * (self.share - self.last_share))


@dataclass(frozen=True)
class AreaReport:
    area: ReviewArea
    year: int
    reviewed: int
    last_reviewed: int
    points: list[PointFigures]

    @property
    def below_target(self) -> bool:
        return self.reviewed < YEARLY_TARGET


def _count(records: Sequence[ReviewRecord], point: ReviewPoint, result: PointResult) -> int:
    return sum(1 for r in records if r.judgements.get(point) is result)


def yearly_report(records: Iterable[ReviewRecord], year: int) -> list[AreaReport]:
    """Per area: the reviews of `year`, each point's share met and its change since the year
    before."""
    rows = list(records)
    reports = []
    for area in ReviewArea:
        this = [r for r in rows if r.area is area and r.year == year]
        last = [r for r in rows if r.area is area and r.year == year - 1]
        points = [
            PointFigures(point, _count(this, point, PointResult.MET),
                         _count(this, point, PointResult.NOT_MET),
                         _count(this, point, PointResult.NOT_RELEVANT),
                         _count(last, point, PointResult.MET),
                         _count(last, point, PointResult.NOT_MET))
            for point in ReviewPoint
        ]
        reports.append(AreaReport(area, year, len(this), len(last), points))
    return reports
