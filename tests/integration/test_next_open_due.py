"""Youth.next_open_due_on, the stored earliest due date among open steps that the
"overdue" filter compares with today, follows every change to a young person's steps."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from app.domain.youth import YouthData
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, User
from app.models.youth import SupportExpected, Youth
from app.services import flagging, timeline, youths
from app.settings import Settings
from tests.conftest import make_user

BORN = date(2010, 1, 15)
CREATED_ON = date(2026, 3, 2)


def _youth(session: Session, settings: Settings, actor: User) -> Youth:
    data = YouthData(birth_date=BORN, birth_date_reason="Test", first_name="Ida",
                     last_name="Dato", adult_support_expected=SupportExpected.YES)
    return youths.create(session, settings, actor, data, CREATED_ON)


def _open_steps(session: Session, youth: Youth) -> list[YouthStep]:
    rows = session.exec(
        select(YouthStep).where(YouthStep.youth_id == youth.id).order_by(col(YouthStep.due_on))
    ).all()
    return [r for r in rows if r.done_at is None and not r.not_applicable_reason]


def _stored(session: Session, youth: Youth) -> date | None:
    session.expire_all()
    found = session.get(Youth, youth.id)
    assert found is not None
    return found.next_open_due_on


def test_completing_reopening_and_skipping_steps_move_the_stored_date(
    session: Session, settings: Settings
) -> None:
    user = make_user(session, Role.COORDINATOR)
    youth = _youth(session, settings, user)
    first, second = _open_steps(session, youth)[:2]
    assert first.due_on < second.due_on
    assert _stored(session, youth) == first.due_on

    timeline.complete(session, user, first.id or 0)
    assert _stored(session, youth) == second.due_on

    timeline.not_applicable(session, user, second.id or 0, "Ikke relevant her")
    assert _stored(session, youth) == _open_steps(session, youth)[0].due_on

    timeline.reopen(session, user, first.id or 0)
    assert _stored(session, youth) == first.due_on


def test_the_flagging_job_and_a_birth_date_correction_keep_it_right(
    session: Session, settings: Settings
) -> None:
    user = make_user(session, Role.COORDINATOR)
    youth = _youth(session, settings, user)
    flag_step = session.exec(
        select(YouthStep).join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(YouthStep.youth_id == youth.id, TimelineStep.key == "flag")
    ).one()
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    flagging.run(session, settings, now.date(), now)
    assert _stored(session, youth) == _open_steps(session, youth)[0].due_on
    assert flag_step.id not in {s.id for s in _open_steps(session, youth)}

    # A corrected birth date a year later moves every due date, and the stored one with it.
    data = YouthData.model_validate({**youths.as_data(youth), "birth_date": date(2011, 1, 15)})
    youths.update(session, settings, user, youth.id or 0, data, CREATED_ON)
    assert _stored(session, youth) == _open_steps(session, youth)[0].due_on


def test_the_overdue_filter_uses_the_stored_date(session: Session, settings: Settings) -> None:
    user = make_user(session, Role.COORDINATOR)
    youth = _youth(session, settings, user)
    earliest = _open_steps(session, youth)[0].due_on
    listed = youths.list_youths(session, user, youths.YouthFilters(overdue=True), earliest)
    assert listed.total == 0  # due today is not overdue yet
    listed = youths.list_youths(
        session, user, youths.YouthFilters(overdue=True), date.fromordinal(earliest.toordinal() + 1)
    )
    assert [y.id for y in listed.rows] == [youth.id]
