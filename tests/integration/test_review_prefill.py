"""The review form is prefilled from the case's own rows: one young person whose rows meet
every rule, one whose rows miss each, read through the service as a coordinator sees them."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session, select

from app.domain import inquiry as inquiry_rules
from app.models.inquiry import Inquiry, InquirySender
from app.models.letter import StatusUpdate
from app.models.review import PointResult, ReviewArea, ReviewPoint
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, User
from app.models.youth import Channel, Frequency, Youth
from app.services import review
from app.settings import Settings
from tests.conftest import make_user
from tests.integration import review_data as data

TODAY = date(2026, 6, 15)
PERIOD = (date(2026, 1, 1), date(2026, 1, 31))  # judged for 31 January 2026
BORN = date(2008, 3, 10)  # 17 on 10 March 2025


def _steps(session: Session, settings: Settings, youth: Youth, late: set[str]) -> None:
    """Every step due by the period's end done on its due date, or a week late for `late`."""
    for row, key in session.exec(
        select(YouthStep, TimelineStep.key).join(TimelineStep).where(YouthStep.youth_id == youth.id)
    ):
        if row.due_on <= PERIOD[1]:
            done = row.due_on.toordinal() + (7 if key in late else 0)
            row.done_at = data.at(settings, date.fromordinal(done))
            session.add(row)


def _inquiry(session: Session, settings: Settings, youth: Youth, acknowledged: datetime) -> None:
    received = datetime.combine(date(2025, 11, 12), time(14), settings.tz)  # a Wednesday
    due = inquiry_rules.due_at(received, frozenset(), settings.tz)  # Friday 14:00
    session.add(Inquiry(youth_id=youth.id or 0, received_at=received, due_at=due,
                        channel=Channel.PHONE, sender_kind=InquirySender.FAMILY,
                        summary="Mor spørger til næste møde.", acknowledged_at=acknowledged))


def _meets_every_rule(session: Session, settings: Settings, coordinator: User,
                      worker: User) -> Youth:
    youth = data.make_youth(session, settings, coordinator, "Opfylder", born=BORN,
                            child_caseworker_id=worker.id, coordinator_id=worker.id,
                            youth_had_say=True, comm_channel=Channel.EMAIL,
                            comm_frequency=Frequency.MONTHLY)
    _steps(session, settings, youth, late=set())
    kind = data.document_type(session).id or 0
    data.consent(session, settings, youth, kind, given=date(2025, 6, 1), recorded=date(2025, 6, 1))
    data.handed_over(session, settings, youth, kind, date(2025, 8, 1))
    data.meeting_held(session, settings, youth, worker, date(2025, 3, 1))
    youth.created_at = data.at(settings, date(2025, 10, 1))
    for day in (date(2025, 10, 25), date(2025, 11, 20), date(2025, 12, 20), date(2026, 1, 15)):
        session.add(StatusUpdate(youth_id=youth.id or 0, given_at=data.at(settings, day),
                                 channel=Channel.PHONE))
    _inquiry(session, settings, youth, datetime.combine(date(2025, 11, 13), time(9), settings.tz))
    session.add(youth)
    session.commit()
    return youth


def _misses_each_rule(session: Session, settings: Settings, coordinator: User,
                      worker: User) -> Youth:
    youth = data.make_youth(session, settings, coordinator, "Mangler", born=BORN,
                            child_caseworker_id=worker.id, coordinator_id=worker.id,
                            youth_had_say=False, comm_frequency=Frequency.MONTHLY)
    _steps(session, settings, youth, late={"first_meeting"})  # done 17 March 2025: too late
    kind = data.document_type(session).id or 0
    # Dated before the handover, but recorded in the app a month after it.
    data.consent(session, settings, youth, kind, given=date(2025, 6, 1), recorded=date(2025, 9, 1))
    data.handed_over(session, settings, youth, kind, date(2025, 8, 1))
    youth.created_at = data.at(settings, date(2025, 10, 1))
    for day in (date(2025, 11, 5), date(2025, 12, 1)):  # the first came four days late
        session.add(StatusUpdate(youth_id=youth.id or 0, given_at=data.at(settings, day),
                                 channel=Channel.PHONE))
    _inquiry(session, settings, youth, datetime.combine(date(2025, 11, 17), time(9), settings.tz))
    session.add(youth)
    session.commit()
    return youth


def _prefill(session: Session, settings: Settings, user: User, case_id: int
             ) -> dict[ReviewPoint, PointResult | None]:
    view = review.review_view(session, settings, user, case_id, TODAY)
    assert view.as_of == PERIOD[1]
    return {p.point: p.prefill for p in view.points}


def test_the_prefilled_points_meet_and_miss_each_rule_from_the_case_rows(
    session: Session, settings: Settings
) -> None:
    coordinator = make_user(session, Role.COORDINATOR)
    worker = make_user(session, Role.CHILD_CASEWORKER)
    meets = _meets_every_rule(session, settings, coordinator, worker)
    misses = _misses_each_rule(session, settings, coordinator, worker)
    blank = data.make_youth(session, settings, coordinator, "Blank", born=BORN)
    cases = data.draw_all(session, settings, coordinator, ReviewArea.TRANSITION, TODAY,
                          start=PERIOD[0], end=PERIOD[1])

    met, not_met = PointResult.MET, PointResult.NOT_MET
    assert _prefill(session, settings, coordinator, cases[meets.id or 0].id or 0) == {
        ReviewPoint.TIMELINE_ON_TIME: met,
        ReviewPoint.CONSENT_BEFORE_HANDOVER: met,
        ReviewPoint.FIRST_MEETING_BY_17: met,
        ReviewPoint.COMMUNICATION_AGREEMENT: met,
        ReviewPoint.STATUS_UPDATES_ON_TIME: met,
        ReviewPoint.INQUIRIES_IN_TIME: met,
        ReviewPoint.YOUTH_SAY_IN_COORDINATOR: met,
        ReviewPoint.CITIZEN_INVOLVEMENT: None,
        ReviewPoint.CASE_NOTES: None,
    }
    assert _prefill(session, settings, coordinator, cases[misses.id or 0].id or 0) == {
        ReviewPoint.TIMELINE_ON_TIME: not_met,
        ReviewPoint.CONSENT_BEFORE_HANDOVER: not_met,
        ReviewPoint.FIRST_MEETING_BY_17: not_met,
        ReviewPoint.COMMUNICATION_AGREEMENT: met,  # a monthly agreement is noted
        ReviewPoint.STATUS_UPDATES_ON_TIME: not_met,
        ReviewPoint.INQUIRIES_IN_TIME: not_met,
        ReviewPoint.YOUTH_SAY_IN_COORDINATOR: not_met,
        ReviewPoint.CITIZEN_INVOLVEMENT: None,
        ReviewPoint.CASE_NOTES: None,
    }
    found = _prefill(session, settings, coordinator, cases[blank.id or 0].id or 0)
    assert found[ReviewPoint.COMMUNICATION_AGREEMENT] is not_met  # as every new record starts
    assert found[ReviewPoint.STATUS_UPDATES_ON_TIME] is PointResult.NOT_RELEVANT
    assert found[ReviewPoint.CONSENT_BEFORE_HANDOVER] is PointResult.NOT_RELEVANT
    assert found[ReviewPoint.INQUIRIES_IN_TIME] is PointResult.NOT_RELEVANT
    assert found[ReviewPoint.YOUTH_SAY_IN_COORDINATOR] is PointResult.NOT_RELEVANT
    assert found[ReviewPoint.TIMELINE_ON_TIME] is not_met  # nothing done on its steps


def test_what_the_app_found_is_kept_with_the_review_when_the_case_changes_later(
    session: Session, settings: Settings
) -> None:
    coordinator = make_user(session, Role.COORDINATOR)
    worker = make_user(session, Role.CHILD_CASEWORKER)
    youth = data.make_youth(session, settings, coordinator, "Senere", born=BORN,
                            child_caseworker_id=worker.id, coordinator_id=worker.id)
    case = data.draw_all(session, settings, coordinator, ReviewArea.TRANSITION, TODAY,
                         start=PERIOD[0], end=PERIOD[1])[youth.id or 0]
    data.judge(session, settings, coordinator, case, TODAY)
    youth.youth_had_say = True
    session.add(youth)
    session.commit()
    found = _prefill(session, settings, coordinator, case.id or 0)
    assert found[ReviewPoint.YOUTH_SAY_IN_COORDINATOR] is PointResult.NOT_MET
