"""The audit log is append-only in the database itself: an existing row cannot be written
over by an insert, neither with SQLite's INSERT OR REPLACE nor with an upsert."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from app.models.audit import AuditAction
from app.services import audit

COLUMNS = "id, at, user_id, action, object_type, object_id, youth_id, client_addr, detail"
FORGED = ("VALUES (:id, CURRENT_TIMESTAMP, NULL, 'login', '', '', NULL, '', 'forged')")


def _one_row(session: Session) -> tuple[object, ...]:
    audit.record(session, AuditAction.LOGIN_FAILED, user_id=None, detail="username=anna")
    session.commit()
    return tuple(session.execute(text("SELECT * FROM audit_event")).one())


def _overwrites(dialect: str) -> list[str]:
    upsert = (f"INSERT INTO audit_event ({COLUMNS}) {FORGED} "
              "ON CONFLICT (id) DO UPDATE SET detail = excluded.detail, action = excluded.action")
    if dialect == "sqlite":
        return [f"INSERT OR REPLACE INTO audit_event ({COLUMNS}) {FORGED}",
                f"REPLACE INTO audit_event ({COLUMNS}) {FORGED}", upsert]
    return [upsert]


def test_an_insert_over_an_existing_audit_row_is_refused_and_the_row_is_unchanged(
    session: Session, engine: Engine
) -> None:
    row = _one_row(session)
    for statement in _overwrites(engine.dialect.name):
        with engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(statement), {"id": row[0]})
            conn.commit()
    assert [tuple(r) for r in session.execute(text("SELECT * FROM audit_event"))] == [row]

