"""Rows for the management review tests: young people in each area, and reviews saved through
the service with chosen judgements."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from app.domain import review as rules
from app.domain.youth import YouthData
from app.models.handover import (
    Consent,
    ConsentMethod,
    DocumentStatus,
    DocumentType,
    GiverRole,
    HandoverDocument,
)
from app.models.meeting import Meeting, MeetingKind, MeetingStatus, PlaceKind
from app.models.review import PointResult, ReviewArea, ReviewPoint, SampledCase
from app.models.user import User
from app.models.youth import Youth, YouthStatus
from app.services import review, youths
from app.settings import Settings

CREATED = date(2024, 1, 10)


def at(settings: Settings, day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), settings.tz)


def make_youth(session: Session, settings: Settings, actor: User, name: str, *,
               area: ReviewArea = ReviewArea.TRANSITION, born: date = date(2008, 3, 10),
               status: YouthStatus | None = None, **values: object) -> Youth:
    data = YouthData(first_name=name, last_name="Tilsyn", birth_date=born,
                     birth_date_reason="Ingen CPR-nummer endnu", **values)  # type: ignore[arg-type]
    youth = youths.create(session, settings, actor, data, date(2026, 1, 5))
    youth.created_at = at(settings, CREATED)
    if area is not ReviewArea.CHILDREN:
        youth.transition_started_on = date(2024, 9, 10)
    if area is ReviewArea.ADULTS:
        youth.status = YouthStatus.TRANSFERRED
    if status is not None:
        youth.status = status
    session.add(youth)
    session.commit()
    return youth


def draw_all(session: Session, settings: Settings, user: User, area: ReviewArea,
             today: date, *, start: date, end: date, seed: str = "proeve",
             include_reviewed: bool = False) -> dict[int, SampledCase]:
    """Draws every case in the area; the sampled cases by young person."""
    data = rules.SampleData(area=area, period_start=start, period_end=end,
                            size=rules.MAX_SIZE, seed=seed, include_reviewed=include_reviewed)
    sample = review.draw_sample(session, settings, user, data, today)
    cases = session.exec(select(SampledCase).where(SampledCase.sample_id == sample.id))
    return {c.youth_id: c for c in cases}


def judge(session: Session, settings: Settings, user: User, case: SampledCase, today: date,
          default: PointResult = PointResult.MET, **judged: PointResult) -> None:
    """Saves a review with `default` for every point but those named; each with a note, so a
    judgement may differ from what the app found."""
    answers = {p: rules.AnswerData(judgement=judged.get(p.value, default), note="Set i sagen")
               for p in ReviewPoint}
    review.save_review(session, settings, user, case.id or 0, answers, rules.ReviewData(), today)


def document_type(session: Session) -> DocumentType:
    found = session.exec(select(DocumentType).order_by(DocumentType.position)).first()
    assert found is not None
    return found


def consent(session: Session, settings: Settings, youth: Youth, type_id: int, *,
            given: date, recorded: date) -> None:
    session.add(Consent(
        youth_id=youth.id or 0, giver_role=GiverRole.CUSTODY_HOLDER, giver_name="Anne Tilsyn",
        purposes=["share_with_adult_department"], document_type_ids=[type_id],
        recipients=["adult_department"], method=ConsentMethod.WRITTEN, given_on=given,
        created_at=at(settings, recorded)))


def handed_over(session: Session, settings: Settings, youth: Youth, type_id: int,
                day: date) -> None:
    session.add(HandoverDocument(youth_id=youth.id or 0, document_type_id=type_id,
                                 status=DocumentStatus.HANDED_OVER,
                                 handed_over_at=at(settings, day)))


def meeting_held(session: Session, settings: Settings, youth: Youth, organiser: User,
                 day: date) -> None:
    starts = at(settings, day, 13)
    session.add(Meeting(uid=str(uuid.uuid4()), youth_id=youth.id or 0,
                        kind=MeetingKind.COORDINATION, status=MeetingStatus.HELD,
                        starts_at=starts, ends_at=starts + timedelta(hours=1),
                        place_kind=PlaceKind.HOME, organiser_id=organiser.id or 0,
                        held_at=starts.astimezone(UTC)))
