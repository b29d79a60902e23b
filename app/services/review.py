"""Management review (ledelsestilsyn): drawing samples, reviewing the sampled cases with the
points prefilled from the case's own rows, the follow-up for the caseworker, and the
yearly report.

Coordinators and administrators draw and review (the routes check the role); a caseworker
reads the finished reviews of the cases they are assigned to. Every read of a sample, a
review or the report writes an audit row: a review's by the path's scope (deps.youth_scope,
with the young person's id), the others here.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.domain import review as rules
from app.domain.spreadsheet import safe_cell
from app.domain.timeline import FIRST_MEETING_STEP_KEY
from app.domain.validation import FieldError
from app.i18n import N_, Msg, gettext
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.handover import DocumentType, HandoverDocument
from app.models.letter import StatusUpdate
from app.models.meeting import Meeting, MeetingKind, MeetingStatus
from app.models.review import (
    PointResult,
    ReviewAnswer,
    ReviewArea,
    ReviewEvent,
    ReviewEventKind,
    ReviewFinding,
    ReviewFollowUp,
    ReviewPoint,
    ReviewSample,
    ReviewStatus,
    SampledCase,
)
from app.models.user import Role, User
from app.models.youth import Youth, YouthStatus
from app.services import audit, handover, inquiries, timeline, youths
from app.services.access import assigned_to, youth_access
from app.services.youths import ValidationFailedError
from app.settings import Settings

REVIEWERS = (Role.COORDINATOR, Role.ADMIN)


class ReviewNotFoundError(Exception):
    pass


class ReviewForbiddenError(Exception):
    pass


def _event(session: Session, sample_id: int, user: User | None, kind: ReviewEventKind,
           case_id: int | None = None, detail: str = "") -> None:
    session.add(ReviewEvent(sample_id=sample_id, case_id=case_id, kind=kind, detail=detail[:500],
                            actor_id=user.id if user else None))


# --- drawing a sample ------------------------------------------------------------------------

def _candidates(session: Session, settings: Settings, area: ReviewArea) -> list[rules.Candidate]:
    """The cases that may belong to `area` (the domain decides exactly which do)."""
    stmt = sa_select(col(Youth.id), col(Youth.status), col(Youth.transition_started_on),
                     col(Youth.birth_date), col(Youth.updated_at))
    if area is ReviewArea.CHILDREN:
        stmt = stmt.where(col(Youth.transition_started_on).is_(None),
                          col(Youth.status) != YouthStatus.TRANSFERRED)
    else:
        stmt = stmt.where(col(Youth.transition_started_on).is_not(None)
                          | (col(Youth.status) == YouthStatus.TRANSFERRED))
    return [rules.Candidate(yid, status, started, born, changed.astimezone(settings.tz).date())
            for yid, status, started, born, changed in session.execute(stmt)]


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def reviewed_this_year(session: Session, year: int) -> set[int]:
    """Young people in any sample whose period lies in `year`."""
    first, last = _year_bounds(year)
    return set(session.exec(
        select(SampledCase.youth_id)
        .join(ReviewSample, col(ReviewSample.id) == SampledCase.sample_id)
        .where(col(ReviewSample.period_start) >= first, col(ReviewSample.period_start) <= last)
    ))


def draw_sample(session: Session, settings: Settings, user: User, data: rules.SampleData,
                today: date) -> ReviewSample:
    """Draws and keeps a sample; raises FieldError (nothing saved) when no case can be drawn."""
    data.check(today)
    chosen_from = rules.population(
        _candidates(session, settings, data.area), data.area,
        include_closed=data.include_closed, include_reviewed=data.include_reviewed,
        reviewed_this_year=reviewed_this_year(session, data.period_start.year))
    if not chosen_from:
        raise FieldError(N_("No case in this area can be drawn. Cases already reviewed this "
                            "year and closed cases are left out unless you include them."),
                         field="area")
    seed = data.seed or secrets.token_hex(8)
    sample = ReviewSample(
        area=data.area, period_start=data.period_start, period_end=data.period_end,
        size=data.size, seed=seed, include_reviewed=data.include_reviewed,
        include_closed=data.include_closed, population=chosen_from, created_by_id=user.id)
    session.add(sample)
    session.flush()
    assert sample.id is not None
    drawn = rules.draw(chosen_from, data.size, seed)
    for position, youth_id in enumerate(drawn, start=1):
        session.add(SampledCase(sample_id=sample.id, youth_id=youth_id, position=position))
    _event(session, sample.id, user, ReviewEventKind.SAMPLE_DRAWN,
           detail=f"drawn={len(drawn)} of={len(chosen_from)}")
    audit.record(session, AuditAction.CREATE, user_id=user.id, object_type="review_sample",
                 object_id=sample.id, detail=f"area={data.area.value} drawn={len(drawn)}")
    session.flush()
    return sample


@dataclass(frozen=True)
class SampleRow:
    sample: ReviewSample
    drawn: int
    reviewed: int


def samples(session: Session, limit: int = 100) -> list[SampleRow]:
    """The latest samples with how many of their cases have been reviewed."""
    reviewed = func.sum(case((col(SampledCase.status) == ReviewStatus.REVIEWED, 1), else_=0))
    counts = {
        sample_id: (int(drawn), int(done or 0))
        for sample_id, drawn, done in session.execute(
            select(SampledCase.sample_id, func.count(), reviewed)
            .group_by(col(SampledCase.sample_id)))
    }
    rows = session.exec(select(ReviewSample).order_by(col(ReviewSample.created_at).desc(),
                                                      col(ReviewSample.id).desc()).limit(limit))
    return [SampleRow(s, *counts.get(s.id or 0, (0, 0))) for s in rows]


@dataclass(frozen=True)
class SampleView:
    sample: ReviewSample
    cases: list[tuple[SampledCase, Youth]]
    drawn_by: User | None


def get_sample(session: Session, user: User, sample_id: int, client_addr: str = ""
               ) -> SampleView:
    sample = session.get(ReviewSample, sample_id)
    if sample is None:
        raise ReviewNotFoundError()
    cases = [(c, y) for c, y in session.exec(
        select(SampledCase, Youth).join(Youth, col(Youth.id) == SampledCase.youth_id)
        .where(SampledCase.sample_id == sample_id).order_by(col(SampledCase.position)))]
    audit.record(session, AuditAction.READ, user_id=user.id, object_type="review_sample",
                 object_id=sample_id, client_addr=client_addr, detail=f"rows={len(cases)}")
    session.flush()
    drawn_by = session.get(User, sample.created_by_id) if sample.created_by_id else None
    return SampleView(sample, cases, drawn_by)


# --- the facts a review is prefilled from ---------------------------------------------------

def _day(value: datetime | None, settings: Settings) -> date | None:
    return None if value is None else value.astimezone(settings.tz).date()


def _first_meeting_on(session: Session, settings: Settings, youth_id: int,
                      steps: list[timeline.StepView]) -> date | None:
    """The earliest of: the first-meeting step marked done, a coordination meeting held."""
    held = session.exec(
        select(func.min(Meeting.starts_at))
        .where(Meeting.youth_id == youth_id, Meeting.status == MeetingStatus.HELD,
               Meeting.kind == MeetingKind.COORDINATION)
    ).one()
    days = [_day(v.row.done_at, settings) for v in steps if v.step.key == FIRST_MEETING_STEP_KEY]
    days.append(_day(held, settings))
    known = [d for d in days if d is not None]
    return min(known) if known else None


def case_facts(session: Session, settings: Settings, youth: Youth, today: date
               ) -> rules.CaseFacts:
    assert youth.id is not None
    steps = timeline.steps_for(session, youth.id, today)
    handed = session.exec(
        select(HandoverDocument, DocumentType)
        .join(DocumentType, col(DocumentType.id) == HandoverDocument.document_type_id)
        .where(HandoverDocument.youth_id == youth.id,
               col(HandoverDocument.handed_over_at).is_not(None)))
    updates = session.exec(select(StatusUpdate.given_at).where(StatusUpdate.youth_id == youth.id))
    return rules.CaseFacts(
        birth_date=youth.birth_date,
        created_on=_day(youth.created_at, settings) or today,
        active=youth.status is YouthStatus.ACTIVE,
        steps=[rules.StepFacts(v.step.name, v.row.due_on, _day(v.row.done_at, settings),
                               bool(v.row.not_applicable_reason)) for v in steps],
        consents=[rules.RecordedConsent(handover.facts(c), _day(c.created_at, settings) or today)
                  for c in handover.consents(session, youth)],
        handovers=[rules.HandoverFacts(doc_type.id or 0, doc_type.name,
                                       _day(doc.handed_over_at, settings) or today)
                   for doc, doc_type in handed],
        first_meeting_on=_first_meeting_on(session, settings, youth.id, steps),
        agreement=rules.AgreementFacts(
            youth.comm_channel, youth.comm_frequency,
            needs_noted=bool(youth.plain_language or youth.interpreter_language
                             or youth.sign_language or youth.other_needs),
            bisidder_offered=youth.bisidder_offered),
        status_updates=[d for d in (_day(g, settings) for g in updates) if d is not None],
        inquiries=[rules.InquiryFacts(i.received_at, i.due_at, i.acknowledged_at)
                   for i in inquiries.for_youth(session, youth.id)],
        youth_had_say=youth.youth_had_say,
        coordinator_chosen=youth.coordinator_id is not None,
    )


# --- a review --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointView:
    point: ReviewPoint
    prefill: PointResult | None
    detail: str
    judgement: PointResult | None
    note: str


@dataclass(frozen=True)
class ReviewView:
    case: SampledCase
    sample: ReviewSample
    youth: Youth
    as_of: date
    points: list[PointView]
    follow_up: ReviewFollowUp | None
    caseworkers: list[User]
    reviewer: User | None


def _caseworkers(session: Session, youth: Youth) -> list[User]:
    ids = [youth.child_caseworker_id, youth.adult_caseworker_id, youth.coordinator_id,
           youth.buddy_id]
    people = youths.users_by_id(session, set(ids))
    return [people[i] for i in dict.fromkeys(ids) if i in people and people[i].is_active]


def _load_case(session: Session, user: User, case_id: int
               ) -> tuple[SampledCase, ReviewSample, Youth]:
    """The case, its sample and young person, if `user` may read its review: reviewers
    always, a caseworker assigned to the case once it has been reviewed."""
    found = session.exec(
        select(SampledCase, ReviewSample, Youth)
        .join(ReviewSample, col(ReviewSample.id) == SampledCase.sample_id)
        .join(Youth, col(Youth.id) == SampledCase.youth_id)
        .where(SampledCase.id == case_id)).first()
    if found is None:
        raise ReviewNotFoundError()
    sampled, sample, youth = found
    if user.role in REVIEWERS and user.is_active:
        return sampled, sample, youth
    own = session.exec(select(Youth.id).where(Youth.id == youth.id, assigned_to(user),
                                              youth_access(user))).first()
    if own is None or sampled.status is not ReviewStatus.REVIEWED:
        raise ReviewForbiddenError()
    return sampled, sample, youth


def _answers(session: Session, case_id: int) -> dict[ReviewPoint, ReviewAnswer]:
    return {a.point: a for a in session.exec(
        select(ReviewAnswer).where(ReviewAnswer.case_id == case_id))}


def _follow_up(session: Session, case_id: int) -> ReviewFollowUp | None:
    return session.exec(select(ReviewFollowUp).where(ReviewFollowUp.case_id == case_id)).first()


def _points(session: Session, settings: Settings, sampled: SampledCase, youth: Youth,
            as_of: date, today: date) -> list[PointView]:
    """The stored answers of a reviewed case; for one not yet reviewed, what the app finds
    now (suggested as the judgement)."""
    stored = _answers(session, sampled.id or 0)
    if stored:
        return [PointView(p, a.prefill, a.prefill_detail, a.judgement, a.note)
                for p, a in ((p, stored[p]) for p in ReviewPoint if p in stored)]
    found = rules.prefill(case_facts(session, settings, youth, today), as_of, settings.tz)
    return [PointView(p, f.result, str(f.detail), f.result, "") for p, f in found.items()]


def review_view(session: Session, settings: Settings, user: User, case_id: int, today: date
                ) -> ReviewView:
    """A review (or, before it is done, the form prefilled), access-checked. A page's read is
    audit-logged by the path's scope (deps.youth_scope: `case_id` names the young person)."""
    sampled, sample, youth = _load_case(session, user, case_id)
    as_of = sampled.as_of or rules.prefill_day(sample.period_end, today)
    return ReviewView(
        sampled, sample, youth, as_of, _points(session, settings, sampled, youth, as_of, today),
        _follow_up(session, case_id), _caseworkers(session, youth),
        session.get(User, sampled.reviewer_id) if sampled.reviewer_id else None)




def answer_errors(view: ReviewView, answers: Mapping[ReviewPoint, rules.AnswerData]
                  ) -> dict[str, Msg]:
    """A note is needed where the judgement differs from what the app found; by field."""
    errors: dict[str, Msg] = {}
    for point in view.points:
        answer = answers.get(point.point)
        problem = None if answer is None else rules.answer_problem(point.prefill, answer)
        if problem is not None:
            errors[f"note_{point.point.value}"] = problem
    return errors


def _check(view: ReviewView, answers: Mapping[ReviewPoint, rules.AnswerData],
           data: rules.ReviewData, today: date) -> dict[str, Msg]:
    errors = answer_errors(view, answers)
    try:
        data.check(today, [u.id for u in view.caseworkers if u.id is not None])
    except FieldError as exc:
        errors[exc.field or "__all__"] = exc.msg
    if view.follow_up is not None and view.follow_up.done_at is None and not data.follow_up_text:
        errors["follow_up_text"] = Msg(N_("A follow-up that has been set cannot be removed; the "
                                          "caseworker marks it as done."))
    return errors


def save_review(session: Session, settings: Settings, user: User, case_id: int,
                answers: Mapping[ReviewPoint, rules.AnswerData], data: rules.ReviewData,
                today: date, client_addr: str = "") -> SampledCase:
    """Saves the reviewer's judgements (and, the first time, what the app found); raises
    ValidationFailedError with Danish messages by field, and then nothing is saved."""
    view = review_view(session, settings, user, case_id, today)
    errors = _check(view, answers, data, today)
    if errors:
        raise ValidationFailedError(errors)
    sampled, first_time = view.case, view.case.status is ReviewStatus.PENDING
    stored = _answers(session, case_id)
    for point in view.points:
        row = stored.get(point.point) or ReviewAnswer(
            case_id=case_id, point=point.point, prefill=point.prefill,
            prefill_detail=point.detail[:1000], judgement=answers[point.point].judgement)
        row.judgement, row.note = answers[point.point].judgement, answers[point.point].note
        session.add(row)
    now = utcnow()
    sampled.status, sampled.as_of, sampled.findings, sampled.updated_at = (
        ReviewStatus.REVIEWED, view.as_of, data.findings, now)
    if first_time:
        sampled.reviewed_at, sampled.reviewer_id = now, user.id
    session.add(sampled)
    _event(session, sampled.sample_id, user,
           ReviewEventKind.REVIEWED if first_time else ReviewEventKind.REVIEW_CHANGED, case_id)
    _save_follow_up(session, user, view, data)
    audit.record(session, AuditAction.CREATE if first_time else AuditAction.UPDATE,
                 user_id=user.id, object_type="review", object_id=case_id,
                 youth_id=view.youth.id, client_addr=client_addr)
    session.flush()
    return sampled


def _save_follow_up(session: Session, user: User, view: ReviewView,
                    data: rules.ReviewData) -> None:
    row = view.follow_up
    if (not data.follow_up_text or data.follow_up_owner_id is None
            or data.follow_up_due_on is None or (row is not None and row.done_at is not None)):
        return
    if row is None:
        row = ReviewFollowUp(case_id=view.case.id or 0, youth_id=view.youth.id or 0,
                             owner_id=data.follow_up_owner_id, text=data.follow_up_text,
                             due_on=data.follow_up_due_on, created_by_id=user.id)
        _event(session, view.sample.id or 0, user, ReviewEventKind.FOLLOW_UP_SET, view.case.id)
    row.owner_id, row.text, row.due_on = (data.follow_up_owner_id, data.follow_up_text,
                                          data.follow_up_due_on)
    session.add(row)


# --- follow-ups and the caseworker's view -----------------------------------------------------

def follow_ups_for(session: Session, user: User) -> list[tuple[ReviewFollowUp, Youth]]:
    """The user's open follow-ups from reviews, for "My tasks"."""
    return [(f, y) for f, y in session.exec(
        select(ReviewFollowUp, Youth).join(Youth, col(Youth.id) == ReviewFollowUp.youth_id)
        .where(ReviewFollowUp.owner_id == user.id, col(ReviewFollowUp.done_at).is_(None),
               youth_access(user))
        .order_by(col(ReviewFollowUp.due_on), col(ReviewFollowUp.id)))]


def complete_follow_up(session: Session, user: User, follow_up_id: int,
                       client_addr: str = "") -> ReviewFollowUp:
    """Marks a follow-up done: its caseworker, or a coordinator or administrator."""
    row = session.get(ReviewFollowUp, follow_up_id)
    if row is None:
        raise ReviewNotFoundError()
    if row.owner_id != user.id and user.role not in REVIEWERS:
        raise ReviewForbiddenError()
    youths.get_visible(session, user, row.youth_id)
    if row.done_at is None:
        row.done_at, row.done_by_id = utcnow(), user.id
        session.add(row)
        sampled = session.get(SampledCase, row.case_id)
        _event(session, sampled.sample_id if sampled else 0, user,
               ReviewEventKind.FOLLOW_UP_DONE, row.case_id)
        audit.record(session, AuditAction.UPDATE, user_id=user.id,
                     object_type="review_follow_up", object_id=follow_up_id,
                     youth_id=row.youth_id, client_addr=client_addr)
        session.flush()
    return row


def _own_reviews_query(user: User) -> Any:
    return (select(SampledCase, ReviewSample, Youth)
            .join(ReviewSample, col(ReviewSample.id) == SampledCase.sample_id)
            .join(Youth, col(Youth.id) == SampledCase.youth_id)
            .where(SampledCase.status == ReviewStatus.REVIEWED, assigned_to(user),
                   youth_access(user)))


def has_own_reviews(session: Session, user: User) -> bool:
    return session.exec(_own_reviews_query(user).limit(1)).first() is not None


def own_reviews(session: Session, user: User, client_addr: str = "", limit: int = 200
                ) -> list[tuple[SampledCase, ReviewSample, Youth]]:
    """The finished reviews of the cases the user is assigned to, newest first."""
    rows = [(c, s, y) for c, s, y in session.exec(
        _own_reviews_query(user).order_by(col(SampledCase.reviewed_at).desc()).limit(limit))]
    audit.record(session, AuditAction.READ, user_id=user.id, object_type="review_list",
                 client_addr=client_addr, detail=f"rows={len(rows)}")
    session.flush()
    return rows


# --- the yearly report -----------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    year: int
    areas: list[rules.AreaReport]
    findings: dict[ReviewArea, str]


def _records(session: Session, years: Iterable[int]) -> list[rules.ReviewRecord]:
    wanted = sorted(years)
    first, last = _year_bounds(wanted[0])[0], _year_bounds(wanted[-1])[1]
    judgements: dict[int, dict[ReviewPoint, PointResult]] = {}
    cases: dict[int, tuple[ReviewArea, int]] = {}
    for answer, area, period_start in session.execute(
        sa_select(ReviewAnswer, col(ReviewSample.area), col(ReviewSample.period_start))
        .join(SampledCase, col(SampledCase.id) == ReviewAnswer.case_id)
        .join(ReviewSample, col(ReviewSample.id) == SampledCase.sample_id)
        .where(col(SampledCase.status) == ReviewStatus.REVIEWED,
               col(ReviewSample.period_start) >= first, col(ReviewSample.period_start) <= last)
    ):
        cases[answer.case_id] = (area, period_start.year)
        judgements.setdefault(answer.case_id, {})[answer.point] = answer.judgement
    return [rules.ReviewRecord(area, year, judgements[case_id])
            for case_id, (area, year) in cases.items()]


def report(session: Session, user: User, year: int, client_addr: str = "") -> Report:
    findings = {f.area: f.text for f in session.exec(
        select(ReviewFinding).where(ReviewFinding.year == year))}
    result = Report(year, rules.yearly_report(_records(session, (year - 1, year)), year),
                    findings)
    audit.record(session, AuditAction.READ, user_id=user.id, object_type="review_report",
                 object_id=year, client_addr=client_addr)
    session.flush()
    return result


def save_findings(session: Session, user: User, year: int, area: ReviewArea, text: str,
                  client_addr: str = "") -> ReviewFinding:
    row = session.exec(select(ReviewFinding).where(ReviewFinding.year == year,
                                                   ReviewFinding.area == area)).first()
    row = row or ReviewFinding(year=year, area=area)
    row.text, row.updated_at, row.updated_by_id = text, utcnow(), user.id
    session.add(row)
    audit.record(session, AuditAction.UPDATE, user_id=user.id, object_type="review_finding",
                 object_id=f"{year}-{area.value}", client_addr=client_addr)
    session.flush()
    return row


def _percent(value: int | None) -> str:
    return "" if value is None else str(value)


def export_csv(session: Session, user: User, result: Report, client_addr: str = "") -> bytes:
    """The report as a file Danish Excel opens (UTF-8 with BOM, semicolons); every text cell
    is written so that a spreadsheet never runs it as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    cell = safe_cell
    writer.writerow([cell(gettext(h)) for h in (
        N_("Area"), N_("Point"), N_("Reviewed"), N_("Met"), N_("Not met"), N_("Not relevant"),
        N_("Share met (%)"), N_("Last year (%)"), N_("Change (percentage points)"))])
    for area in result.areas:
        for p in area.points:
            writer.writerow([cell(gettext(rules.AREA_LABELS[area.area])),
                             cell(gettext(rules.POINT_LABELS[p.point])), area.reviewed,
                             p.met, p.not_met, p.not_relevant, _percent(p.percent),
                             _percent(p.last_percent), _percent(p.trend)])
    writer.writerow([])
    writer.writerow([cell(gettext(N_("Area"))), cell(gettext(N_("Findings")))])
    for area in result.areas:
        writer.writerow([cell(gettext(rules.AREA_LABELS[area.area])),
                         cell(result.findings.get(area.area, ""))])
    audit.record(session, AuditAction.EXPORT, user_id=user.id, object_type="review_report",
                 object_id=result.year, client_addr=client_addr)
    session.flush()
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_years(session: Session, today: date) -> list[int]:
    """The years with samples, and this year."""
    starts = session.execute(sa_select(col(ReviewSample.period_start))).scalars()
    return sorted({d.year for d in starts} | {today.year}, reverse=True)

