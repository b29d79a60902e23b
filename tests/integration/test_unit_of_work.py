"""The unit of work's writes left for its commit (app/db.at_commit): a read's audit row."""

from __future__ import annotations

from sqlmodel import select

from app.db import at_commit, finish, new_session
from app.models.audit import AuditAction, AuditEvent
from app.services import audit


def _read_row(session) -> None:
    audit.record(session, AuditAction.READ, object_type="overview", detail="at commit")


def _rows(engine) -> list[AuditEvent]:
    with new_session(engine) as other:
        return list(other.exec(select(AuditEvent).where(AuditEvent.detail == "at commit")))


def test_a_write_left_for_the_commit_is_not_made_before_it(engine):
    with new_session(engine) as session:
        at_commit(session, _read_row)
        session.flush()
        assert session.exec(select(AuditEvent)).all() == []
        finish(session, success=True)
    assert len(_rows(engine)) == 1


def test_a_write_left_for_the_commit_is_dropped_when_the_unit_of_work_fails(engine):
    with new_session(engine) as session:
        at_commit(session, _read_row)
        finish(session, success=False)
    assert _rows(engine) == []
