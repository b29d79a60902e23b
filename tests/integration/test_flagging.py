from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from app.domain.youth import YouthData
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role
from app.models.youth import EventKind, SupportExpected, Youth, YouthEvent
from app.services import flagging, timeline, youths
from tests.conftest import make_user

TODAY = date(2026, 11, 23)


def _now(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)


def _youth(session, settings, actor, birth: date, n: int,
           support=SupportExpected.YES, created: date | None = None) -> Youth:
    data = YouthData(birth_date=birth, birth_date_reason="Test", first_name=f"Ung{n}",
                     last_name="Testesen", adult_support_expected=support,
                     child_caseworker_id=actor.id)
    youth = youths.create(session, settings, actor, data, TODAY)
    if created:
        youth.created_at = _now(created)
        session.add(youth)
        session.commit()
    return youth


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_the_flag_date_is_stored_from_the_birth_date(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    youth = _youth(session, settings, worker, date(2010, 8, 31), 1)
    assert youth.flag_due_on == date(2027, 2, 28)
    steps = timeline.steps_for(session, youth.id, TODAY)
    assert [s.step.key for s in steps][:2] == ["early_notice", "flag"]
    assert {s.row.due_on for s in steps if s.step.key == "cut_over"} == {date(2028, 8, 31)}


def test_the_job_run_twice_flags_each_young_person_once(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    make_user(session, Role.COORDINATOR)
    due = _youth(session, settings, worker, date(2010, 5, 23), 1)  # 16½ on 2026-11-23
    not_yet = _youth(session, settings, worker, date(2010, 5, 24), 2)
    first = flagging.run(session, settings, TODAY, _now(TODAY))
    second = flagging.run(session, settings, TODAY, _now(TODAY))
    assert (first.flagged, second.flagged) == (1, 0)
    session.expire_all()
    assert session.get(Youth, due.id).transition_started_on == TODAY
    assert session.get(Youth, not_yet.id).flagged_at is None
    # the intake, the children's caseworker and the coordinator are told, once each
    assert _count(session, OutboxMessage, OutboxMessage.youth_id == due.id) == 3
    assert _count(session, YouthEvent, YouthEvent.kind == EventKind.FLAGGED) == 1
    flag_step = session.exec(
        select(YouthStep).join(TimelineStep, col(TimelineStep.id) == YouthStep.step_id)
        .where(YouthStep.youth_id == due.id, TimelineStep.key == "flag")
    ).one()
    assert flag_step.done_at is not None


def test_no_message_about_a_flag_contains_a_name_or_cpr_number(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    data = YouthData(cpr="230510-4321", first_name="Hemmelig", last_name="Person",
                     adult_support_expected=SupportExpected.YES, child_caseworker_id=worker.id)
    youths.create(session, settings, worker, data, TODAY)
    flagging.run(session, settings, TODAY, _now(TODAY))
    for note in session.exec(select(OutboxMessage)):
        text = note.subject + note.body
        assert "Hemmelig" not in text and "4321" not in text and "230510" not in text
        assert "overgangen" in text  # Danish


def test_a_record_created_after_its_flag_date_is_flagged_late_on_the_next_run(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    youth = _youth(session, settings, worker, date(2009, 1, 10), 1, created=TODAY)
    result = flagging.run(session, settings, TODAY, _now(TODAY))
    assert result.flagged == 1 and result.late == 1
    session.expire_all()
    assert session.get(Youth, youth.id).flag_late is True


def test_not_assessed_is_flagged_for_assessment_and_no_is_not_flagged(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    unsure = _youth(session, settings, worker, date(2010, 1, 1), 1,
                    support=SupportExpected.NOT_ASSESSED)
    no = _youth(session, settings, worker, date(2010, 1, 1), 2, support=SupportExpected.NO)
    flagging.run(session, settings, TODAY, _now(TODAY))
    session.expire_all()
    assert session.get(Youth, unsure.id).flag_for_assessment is True
    assert session.get(Youth, no.id).flagged_at is None


def test_a_birth_date_correction_moves_the_due_dates(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    youth = _youth(session, settings, worker, date(2010, 8, 31), 1)
    data = YouthData.model_validate({**youths.as_data(youth), "birth_date": date(2010, 9, 30)})
    youths.update(session, settings, worker, youth.id, data, TODAY)
    session.expire_all()
    assert session.get(Youth, youth.id).flag_due_on == date(2027, 3, 30)
    dues = {s.step.key: s.row.due_on for s in timeline.steps_for(session, youth.id, TODAY)}
    assert dues["flag"] == date(2027, 3, 30) and dues["first_meeting"] == date(2027, 9, 30)


def _run_flagging(url: str, data_dir: str) -> int:
    from app.db import make_engine, unit_of_work
    from tests.conftest import make_settings

    settings = make_settings(__import__("pathlib").Path(data_dir), url)
    engine = make_engine(settings)
    with unit_of_work(engine) as session:
        result = flagging.run(session, settings, TODAY, _now(TODAY))
    engine.dispose()
    return result.flagged


def test_two_processes_at_once_flag_each_young_person_exactly_once(session, settings, engine):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    for n in range(300):
        _youth(session, settings, worker, date(2009, 1, 1) + timedelta(days=n), n)
    session.commit()
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        counts = pool.starmap(
            _run_flagging, [(settings.effective_database_url, str(settings.data_dir))] * 2
        )
    assert sum(counts) == 300
    assert _count(session, YouthEvent, YouthEvent.kind == EventKind.FLAGGED) == 300
    assert _count(session, OutboxMessage) == 300 * 2  # intake + caseworker, no doubles


def test_two_run_jobs_commands_at_once_flag_each_young_person_exactly_once(session, settings):
    """`overgang run-jobs` started twice at the same moment: on PostgreSQL the advisory
    lock and the conditional UPDATE, on SQLite the conditional UPDATE, keep it to one flag."""
    worker = make_user(session, Role.CHILD_CASEWORKER)
    make_user(session, Role.COORDINATOR)
    ids = {_youth(session, settings, worker, date(2009, 1, 1) + timedelta(days=n), n).id
           for n in range(200)}
    session.commit()
    env = {
        **os.environ, "DATABASE_URL": settings.effective_database_url,
        "DATA_DIR": str(settings.data_dir), "SECRET_KEY": settings.secret_key,
        "ENVIRONMENT": "test",
    }
    command = [sys.executable, "-m", "app.cli", "run-jobs", "--today", TODAY.isoformat()]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=180) for process in processes]

    assert [p.returncode for p in processes] == [0, 0], outputs
    counts = [re.search(r"^flagging: (\d+) flagged|^flagging: None$", out, re.MULTILINE)
              for out, _err in outputs]
    assert all(counts), outputs  # each either flagged some or found the job locked
    assert sum(int(m.group(1) or 0) for m in counts if m) == len(ids)
    session.expire_all()
    flagged = session.exec(
        select(YouthEvent.youth_id).where(YouthEvent.kind == EventKind.FLAGGED)
    ).all()
    assert sorted(flagged) == sorted(ids)  # every one, and none twice
    # the intake, the children's caseworker and the coordinator, once each
    assert _count(session, OutboxMessage, OutboxMessage.kind == OutboxKind.FLAGGED) == len(ids) * 3
    assert _count(session, Youth, col(Youth.flagged_at).is_(None)) == 0


def test_a_new_template_step_offset_recomputes_every_due_date(session, settings):
    from app.domain.timeline import Offset

    worker = make_user(session, Role.CHILD_CASEWORKER)
    youth = _youth(session, settings, worker, date(2010, 8, 31), 1)
    step = session.exec(select(TimelineStep).where(TimelineStep.key == "follow_up")).one()
    timeline.save_template_step(
        session, settings, step, name=step.name, description=step.description,
        offset=Offset(18, 6), department=step.department, completion=step.completion,
    )
    dues = {s.step.key: s.row.due_on for s in timeline.steps_for(session, youth.id, TODAY)}
    assert dues["follow_up"] == date(2029, 2, 28)


def test_a_duplicate_template_offset_is_refused(session, settings):
    from app.domain.timeline import Offset
    from app.domain.validation import FieldError

    step = session.exec(select(TimelineStep).where(TimelineStep.key == "follow_up")).one()
    with pytest.raises(FieldError):
        timeline.save_template_step(
            session, settings, step, name=step.name, description="",
            offset=Offset(18, 0), department=step.department, completion=step.completion,
        )


def test_completing_a_step_of_someone_out_of_reach_is_refused(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER)
    adult = make_user(session, Role.ADULT_CASEWORKER)
    youth = _youth(session, settings, worker, date(2010, 8, 31), 1)
    row = timeline.steps_for(session, youth.id, TODAY)[0].row
    with pytest.raises(timeline.StepNotFoundError):
        timeline.complete(session, adult, row.id)
    session.execute(update(Youth).values(transition_started_on=TODAY))
    session.commit()
    assert timeline.complete(session, adult, row.id).done_by_id == adult.id
