"""The database refuses an enum value the code does not know (a CHECK constraint on every enum
column), and migration 0017 adds those constraints to a database with rows in it, keeping the
rows, their references and the audit log's append-only triggers (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path

import pytest
from alembic import command as alembic_command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import SQLModel

from app.cli import alembic_config, migrate
from app.db import make_engine, new_session
from app.domain.meeting import MeetingData
from app.domain.youth import YouthData
from app.models.base import StrEnumType, enum_check_name
from app.models.meeting import MeetingKind, PlaceKind
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.user import Role
from app.services import meetings, youths
from tests.conftest import PG_URL, make_settings, make_user

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def _enum_columns() -> list[tuple[str, str, type[StrEnum]]]:
    return sorted(((table.name, column.name, column.type.enum_cls)
                   for table in SQLModel.metadata.tables.values() for column in table.columns
                   if isinstance(column.type, StrEnumType)), key=lambda t: (t[0], t[1]))


def test_every_enum_column_has_its_check_and_an_unknown_value_is_refused(engine, session):
    inspector = inspect(engine)
    missing, narrow = [], []
    for table, column, enum_cls in _enum_columns():
        checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        sql = checks.get(enum_check_name(table, column))
        if sql is None:
            missing.append(f"{table}.{column}")
            continue
        # A value added to the enum needs a migration that widens the column's constraint.
        narrow += [f"{table}.{column}: {v.value}" for v in enum_cls if f"'{v.value}'" not in sql]
    assert missing == []
    assert narrow == []
    user = make_user(session, Role.CHILD_CASEWORKER, "mette")
    session.commit()
    for sql in ("UPDATE app_user SET role = 'boss' WHERE id = :id",
                "UPDATE app_user SET role = 'ADMIN' WHERE id = :id"):  # a name, not a value
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(sql), {"id": user.id})
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET role = 'admin' WHERE id = :id"), {"id": user.id})


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    schema = f"ovmig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _case_at_0016(settings) -> tuple[int, int, int]:
    """A young person with a caseworker, a network member and a meeting, in a database taken
    back to 0016 (written by today's code at the head, then downgraded: rows written by
    today's models into the 0016 schema would need its columns); the invitee's role stored
    the old way."""
    migrate(settings)
    engine = make_engine(settings)
    with new_session(engine) as session:
        worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
        youth = youths.create(session, settings, worker, YouthData(
            cpr="120309-4321", first_name="Freja", last_name="Holm",
            child_caseworker_id=worker.id), TODAY)
        person = Person(kind=PersonKind.PROFESSIONAL, name="Pia Berg", email="pia@ppr.dk")
        session.add(person)
        session.flush()
        member = NetworkMember(youth_id=youth.id, person_id=person.id,
                               sector=Sector.PROFESSIONALS, ring=2,
                               role=NetworkRole.PPR_PSYCHOLOGIST, invited_to_meetings=True)
        session.add(member)
        session.flush()
        data = MeetingData(kind=MeetingKind.COORDINATION, day=date(2026, 3, 20),
                           start_time=time(10), end_time=time(11),
                           place_kind=PlaceKind.TOWN_HALL, place_detail="Lokale 2",
                           agenda="Bolig")
        meeting = meetings.plan(session, settings, worker, youth.id, data,
                                [meetings.Choice(f"m{member.id}")], NOW, TODAY)
        session.commit()
        ids = (youth.id, worker.id, meeting.id)
    engine.dispose()
    alembic_command.downgrade(alembic_config(settings), "0016")  # type: ignore[arg-type]
    engine = make_engine(settings)
    with engine.begin() as conn:
        conn.execute(text("UPDATE meeting_invitee SET role_label = 'ppr psychologist'"))
    engine.dispose()
    assert None not in ids
    return ids  # type: ignore[return-value]


def test_the_migration_adds_the_checks_to_a_database_with_rows(empty_url, tmp_path):
    settings = make_settings(tmp_path, empty_url)
    youth_id, worker_id, meeting_id = _case_at_0016(settings)
    migrate(settings)
    engine = make_engine(settings)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT role_label FROM meeting_invitee")).scalar_one() == (
            "PPR psychologist")
        assert conn.execute(text("SELECT count(*) FROM youth_event WHERE youth_id = :y"),
                            {"y": youth_id}).scalar_one() >= 1
        assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one() >= 1
        assert conn.execute(text("SELECT youth_id FROM meeting WHERE id = :m"),
                            {"m": meeting_id}).scalar_one() == youth_id
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the check
        conn.execute(text("UPDATE youth SET status = 'gone' WHERE id = :y"), {"y": youth_id})
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the references still hold
        conn.execute(text("DELETE FROM app_user WHERE id = :u"), {"u": worker_id})
    with pytest.raises(DBAPIError), engine.begin() as conn:  # the audit log is append-only
        conn.execute(text("UPDATE audit_event SET detail = 'x'"))
    engine.dispose()

    alembic_command.downgrade(alembic_config(settings), "0016")  # type: ignore[arg-type]
    engine = make_engine(settings)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT role_label FROM meeting_invitee")).scalar_one() == (
            "ppr psychologist")
        conn.execute(text("UPDATE youth SET status = 'gone' WHERE id = :y"), {"y": youth_id})
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET detail = 'x'"))
    engine.dispose()


def test_the_migration_stops_on_a_value_outside_its_enum_and_names_it(empty_url, tmp_path):
    settings = make_settings(tmp_path, empty_url)
    youth_id, _worker_id, _meeting_id = _case_at_0016(settings)
    engine = make_engine(settings)
    with engine.begin() as conn:
        conn.execute(text("UPDATE youth SET status = 'gone' WHERE id = :y"), {"y": youth_id})
    engine.dispose()
    with pytest.raises(RuntimeError, match=r"youth\.status: gone"):
        migrate(settings)
    engine = make_engine(settings)
    with engine.connect() as conn:  # nothing changed
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            "0016")
        assert conn.execute(text("SELECT status FROM youth")).scalar_one() == "gone"
    engine.dispose()
