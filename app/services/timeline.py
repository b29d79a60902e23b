"""Each young person's timeline: due dates, statuses, completing steps, "My tasks"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, func, update
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from app.domain.timeline import (
    DUE_SOON_DAYS,
    FLAG_STEP_KEY,
    Offset,
    StepStatus,
    check_offsets_unique,
    due_date,
    step_status,
)
from app.domain.undo import undo_problem
from app.domain.validation import FieldError
from app.i18n import N_, Msg
from app.models.audit import AuditAction
from app.models.base import utcnow
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import User
from app.models.youth import EventKind, Youth, YouthEvent
from app.services import audit
from app.services.access import assigned_to, youth_access
from app.settings import Settings

RECOMPUTE_CHUNK = 2000


def flag_offset(settings: Settings) -> Offset:
    return Offset(settings.flag_age_years, settings.flag_age_months)


def step_offset(step: TimelineStep, settings: Settings) -> Offset:
    """The flag step always follows the configured flag age."""
    if step.key == FLAG_STEP_KEY:
        return flag_offset(settings)
    return Offset(step.offset_years, step.offset_months)


def template(session: Session) -> list[TimelineStep]:
    stmt = select(TimelineStep).order_by(
        col(TimelineStep.offset_years), col(TimelineStep.offset_months)
    )
    return list(session.exec(stmt))


def template_step(session: Session, step_id: int) -> TimelineStep | None:
    return session.get(TimelineStep, step_id)


def flag_date(settings: Settings, birth_date: date) -> date:
    """The day someone born on `birth_date` is due for flagging."""
    return due_date(birth_date, flag_offset(settings))


def due_dates(settings: Settings, birth_date: date, steps: list[TimelineStep]) -> dict[int, date]:
    """Each template step's due date (by step id) for someone born on `birth_date`."""
    return {step.id: due_date(birth_date, step_offset(step, settings))
            for step in steps if step.id is not None}


def sync_youth(session: Session, settings: Settings, youth: Youth,
               steps: list[TimelineStep] | None = None, *, refresh: bool = True) -> None:
    """Stores the flag date and every step's due date; call after the birth date changes.
    `refresh=False` leaves `next_open_due_on` to the caller (see `refresh_next_open_due`)."""
    assert youth.id is not None
    youth.flag_due_on = flag_date(settings, youth.birth_date)
    session.add(youth)
    existing = {
        s.step_id: s for s in session.exec(select(YouthStep).where(YouthStep.youth_id == youth.id))
    }
    template_steps = steps if steps is not None else template(session)
    for step_id, due in due_dates(settings, youth.birth_date, template_steps).items():
        row = existing.get(step_id)
        if row is None:
            session.add(YouthStep(youth_id=youth.id, step_id=step_id, due_on=due))
        elif row.due_on != due:
            row.due_on = due
            session.add(row)
    if refresh:
        refresh_next_open_due(session, [youth.id])


# A step still to be done: neither done nor marked not applicable.
OPEN_STEP = (col(YouthStep.done_at).is_(None), col(YouthStep.not_applicable_reason) == "")


def next_open_steps(session: Session, youth_ids: Iterable[int]) -> dict[int, tuple[str, date]]:
    """(step name, due date) of each young person's next open step, the one due on the stored
    `Youth.next_open_due_on`: one query for a page of young people (by id)."""
    ids = sorted(set(youth_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(col(YouthStep.youth_id), col(TimelineStep.name), col(YouthStep.due_on))
        .join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .join(Youth, col(Youth.id) == YouthStep.youth_id)
        .where(col(YouthStep.youth_id).in_(ids), *OPEN_STEP,
               col(YouthStep.due_on) == Youth.next_open_due_on)
        .order_by(col(YouthStep.youth_id), col(TimelineStep.offset_years),
                  col(TimelineStep.offset_months), col(YouthStep.id))
    ).all()
    found: dict[int, tuple[str, date]] = {}
    for youth_id, name, due_on in rows:
        found.setdefault(int(youth_id), (name, due_on))
    return found


def refresh_next_open_due(session: Session, youth_ids: Iterable[int]) -> None:
    """Recomputes Youth.next_open_due_on, the earliest due date among open steps, for
    `youth_ids`; every change to a young person's steps ends with this call."""
    ids = list(youth_ids)
    if not ids:
        return
    session.flush()
    earliest = (
        select(func.min(YouthStep.due_on))
        .where(col(YouthStep.youth_id) == Youth.id, *OPEN_STEP)
        .scalar_subquery()
    )
    for start in range(0, len(ids), RECOMPUTE_CHUNK):
        session.execute(
            update(Youth).where(col(Youth.id).in_(ids[start:start + RECOMPUTE_CHUNK]))
            .values(next_open_due_on=earliest)
            .execution_options(synchronize_session=False)
        )
    for youth in session.identity_map.values():
        if isinstance(youth, Youth) and youth.id in ids:
            session.expire(youth, ["next_open_due_on"])


def recompute_all(session: Session, settings: Settings) -> int:
    """After a template or flag-age change: every young person's due dates, in chunks."""
    steps = template(session)
    last_id, count = 0, 0
    while True:
        batch = list(session.exec(
            select(Youth).where(col(Youth.id) > last_id).order_by(col(Youth.id))
            .limit(RECOMPUTE_CHUNK)
        ))
        if not batch:
            return count
        for youth in batch:
            sync_youth(session, settings, youth, steps, refresh=False)
        refresh_next_open_due(session, [y.id for y in batch if y.id is not None])
        session.flush()
        count += len(batch)
        last_id = batch[-1].id or last_id


@dataclass(frozen=True)
class StepView:
    row: YouthStep
    step: TimelineStep
    status: StepStatus


def steps_for(session: Session, youth_id: int, today: date) -> list[StepView]:
    stmt = (
        select(YouthStep, TimelineStep)
        .join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(YouthStep.youth_id == youth_id)
        .order_by(col(YouthStep.due_on))
    )
    return [_view(row, step, today) for row, step in session.exec(stmt)]


def _view(row: YouthStep, step: TimelineStep, today: date) -> StepView:
    status = step_status(row.due_on, today, done=row.done_at is not None,
                         not_applicable=bool(row.not_applicable_reason))
    return StepView(row, step, status)


class StepNotFoundError(Exception):
    pass


def _visible_step(session: Session, user: User, youth_step_id: int) -> tuple[YouthStep, Youth]:
    found = session.exec(
        select(YouthStep, Youth).join(Youth, col(Youth.id) == YouthStep.youth_id)
        .where(YouthStep.id == youth_step_id, youth_access(user))
    ).first()
    if found is None:
        raise StepNotFoundError()
    return found


def _event(session: Session, youth_id: int, user: User | None, kind: EventKind,
           detail: str) -> None:
    session.add(YouthEvent(youth_id=youth_id, actor_id=user.id if user else None, kind=kind,
                           detail=detail[:500]))


def complete(session: Session, user: User, youth_step_id: int) -> YouthStep:
    row, youth = _visible_step(session, user, youth_step_id)
    if row.done_at is None:
        row.done_at, row.done_by_id = utcnow(), user.id
        row.not_applicable_reason, row.not_applicable_by_id = "", None
        session.add(row)
        _event(session, youth.id or 0, user, EventKind.STEP_DONE, _step_name(session, row))
        refresh_next_open_due(session, [row.youth_id])
        session.flush()
    return row


def reopen(session: Session, user: User, youth_step_id: int) -> YouthStep:
    row, youth = _visible_step(session, user, youth_step_id)
    if row.done_at is not None or row.not_applicable_reason:
        row.done_at = row.done_by_id = None
        row.not_applicable_reason, row.not_applicable_by_id = "", None
        session.add(row)
        _event(session, youth.id or 0, user, EventKind.STEP_REOPENED, _step_name(session, row))
        refresh_next_open_due(session, [row.youth_id])
        session.flush()
    return row


class UndoRefusedError(Exception):
    def __init__(self, reason: Msg) -> None:
        super().__init__(reason.msgid)
        self.reason = reason


def undo_complete(session: Session, user: User, youth_step_id: int, done_at: datetime,
                  now: datetime) -> YouthStep:
    """Reopens a step marked as done at `done_at`: only shortly after and only if the step
    has not changed since (`domain.undo`). Recorded in the history and the audit log."""
    row, youth = _visible_step(session, user, youth_step_id)
    session.refresh(row, with_for_update=True)
    problem = undo_problem(row.done_at, done_at, now)
    if problem is not None:
        raise UndoRefusedError(problem)
    row.done_at = row.done_by_id = None
    session.add(row)
    _event(session, youth.id or 0, user, EventKind.STEP_REOPENED, _step_name(session, row))
    audit.record(session, AuditAction.UPDATE, user_id=user.id, object_type="youth_step",
                 object_id=row.id, youth_id=youth.id, detail="done -> open (undo)")
    refresh_next_open_due(session, [row.youth_id])
    session.flush()
    return row


def not_applicable(session: Session, user: User, youth_step_id: int, reason: str) -> YouthStep:
    row, youth = _visible_step(session, user, youth_step_id)
    row.not_applicable_reason, row.not_applicable_by_id = reason, user.id
    row.done_at = row.done_by_id = None
    session.add(row)
    _event(session, youth.id or 0, user, EventKind.STEP_NOT_APPLICABLE,
           f"{_step_name(session, row)}: {reason}")
    refresh_next_open_due(session, [row.youth_id])
    session.flush()
    return row


def complete_by_event(session: Session, youth_ids: Iterable[int], step_key: str) -> None:
    """Marks an event-driven step done (flagging, the first meeting); caller commits."""
    step = session.exec(select(TimelineStep).where(TimelineStep.key == step_key)).first()
    ids = list(youth_ids)
    if step is None or not ids:
        return
    session.execute(
        update(YouthStep)
        .where(col(YouthStep.youth_id).in_(ids), col(YouthStep.step_id) == step.id,
               col(YouthStep.done_at).is_(None))
        .values(done_at=utcnow())
    )
    refresh_next_open_due(session, ids)


def get_step(session: Session, user: User, youth_step_id: int) -> YouthStep:
    """A young person's step the user may see."""
    return _visible_step(session, user, youth_step_id)[0]


def step_name(session: Session, row: YouthStep) -> str:
    return _step_name(session, row)


def _step_name(session: Session, row: YouthStep) -> str:
    step = session.get(TimelineStep, row.step_id)
    return step.name if step else ""


@dataclass(frozen=True)
class Task:
    youth: Youth
    view: StepView


def my_tasks(session: Session, user: User, today: date, limit: int = 200) -> list[Task]:
    """Due and overdue steps of the young people the user is assigned to, the most urgent
    first.

    The young people are found first (a few hundred at most, through the caseworker
    indexes): asked in one query, a planner may walk all steps in due order looking for
    theirs, the whole table for someone with none."""
    mine = list(session.exec(select(Youth.id).where(*_mine(user))))
    if not mine:
        return []
    stmt = (
        select(YouthStep, TimelineStep, Youth)
        .join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .join(Youth, col(Youth.id) == YouthStep.youth_id)
        .options(load_only(*(getattr(Youth, name) for name in ("first_name", "last_name"))))
        .where(
            *_open_and_due(today),
            col(YouthStep.youth_id).in_(
                bindparam(None, sorted(i for i in mine if i is not None), expanding=True,
                          literal_execute=True, type_=Integer)),
        )
        .order_by(col(YouthStep.due_on), col(YouthStep.id))
        .limit(limit)
    )
    return [Task(youth, _view(row, step, today)) for row, step, youth in session.exec(stmt)]


def _mine(user: User) -> tuple[Any, ...]:
    return assigned_to(user), youth_access(user)


def _open_and_due(today: date) -> tuple[Any, ...]:
    """The steps "My tasks" lists: open, and due within DUE_SOON_DAYS or overdue."""
    return (col(YouthStep.done_at).is_(None), col(YouthStep.not_applicable_reason) == "",
            col(YouthStep.due_on) <= today + timedelta(days=DUE_SOON_DAYS))


def my_tasks_count(user: User, today: date) -> Any:
    """A SELECT of how many steps `my_tasks` has in all (for a count beside the list)."""
    return (select(func.count()).select_from(YouthStep)
            .where(*_open_and_due(today),
                   col(YouthStep.youth_id).in_(select(Youth.id).where(*_mine(user)))))


def overdue_filter(today: date) -> Any:
    """A WHERE clause: the young person has an open step whose due date has passed."""
    return col(Youth.next_open_due_on) < today


def save_template_step(
    session: Session, settings: Settings, step: TimelineStep, *, name: str, description: str,
    offset: Offset, department: Any, completion: Any,
) -> TimelineStep:
    others = [Offset(s.offset_years, s.offset_months) for s in template(session)
              if s.id != step.id]
    check_offsets_unique([*others, offset])
    if step.key == FLAG_STEP_KEY and offset != flag_offset(settings):
        raise FieldError(N_("The flag step follows the FLAG_AGE setting."), field="offset")
    is_new = step.id is None
    changed = (step.offset_years, step.offset_months) != (offset.years, offset.months)
    step.name, step.description = name, description
    step.offset_years, step.offset_months = offset.years, offset.months
    step.department, step.completion = department, completion
    session.add(step)
    session.flush()
    if changed or is_new:
        recompute_all(session, settings)
    return step
