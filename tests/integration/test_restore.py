"""Restoring a SQLite backup after an unclean stop, and refusing to serve a damaged file.

A writer process is killed with SIGKILL in the middle of its writes, leaving a `-wal` file;
copying a backup over the database beside that file is how the README's old procedure
corrupted it. `overgang restore` runs in its own process, as an operator runs it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from app import sqlite_file
from app.domain.youth import YouthData
from app.models.user import Role
from app.services import youths
from app.settings import Settings
from tests.conftest import make_user
from tests.smtp import free_port

TABLES = ("youth", "youth_step", "youth_event", "audit_event", "app_user")
WRITER = """
from datetime import date
from sqlmodel import select
from app.db import make_engine, unit_of_work
from app.domain.youth import YouthData
from app.models.user import User
from app.services import youths
from app.settings import load_settings

settings = load_settings()
engine = make_engine(settings)
for i in range(1_000_000):
    with unit_of_work(engine) as session:  # one record, one unit of work, as the pages do
        user = session.exec(select(User)).first()
        youths.create(session, settings, user, YouthData(
            birth_date=date(2009, 1, 1), birth_date_reason="Test", first_name=f"Skriver{i}",
            last_name="Testesen"), date(2026, 3, 2))
    print(i, flush=True)
"""


@pytest.fixture
def sqlite_only(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the restore command is for SQLite; PostgreSQL uses pg_restore")


@pytest.fixture
def database(sqlite_only, settings: Settings, session, engine: Engine) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """The test's database file with a few young people, and no connection left open."""
    user = make_user(session, Role.CHILD_CASEWORKER, "sara")
    for n in range(12):
        youths.create(session, settings, user, YouthData(
            birth_date=date(2010, 1, 1 + n), birth_date_reason="Test", first_name=f"Ung{n}",
            last_name="Testesen"), date(2026, 3, 2))
    session.close()
    engine.dispose()
    path = sqlite_file.database_path(settings)
    assert path is not None
    yield path


def _env(settings: Settings) -> dict[str, str]:
    return {"DATABASE_URL": settings.effective_database_url, "DATA_DIR": str(settings.data_dir),
            "SECRET_KEY": settings.secret_key, "ENVIRONMENT": "test",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _overgang(settings: Settings, *args: str,
              timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=_env(settings),
                          capture_output=True, text=True, timeout=timeout)


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in TABLES}
    finally:
        conn.close()


def _backup(path: Path, backup: Path) -> None:
    """What `sqlite3 overgang.db ".backup backup.db"` does while the app runs."""
    source, target = sqlite3.connect(path), sqlite3.connect(backup)
    source.backup(target)
    target.close()
    source.close()


def test_restore_after_a_kill_9_gives_the_backup_intact(database, settings, tmp_path):
    backup = tmp_path / "backup.db"
    _backup(database, backup)
    expected = _counts(backup)
    writer = subprocess.Popen([sys.executable, "-c", WRITER], env=_env(settings),
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        for line in writer.stdout:  # enough writes for SQLite to checkpoint the log
            if int(line) >= 300:
                break
        refused = _overgang(settings, "restore", str(backup), "--force")
        assert refused.returncode == 1 and "is in use" in refused.stdout
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    wal = Path(f"{database}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the unclean stop left its log

    restored = _overgang(settings, "restore", str(backup), "--force")

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "integrity check ok" in restored.stdout
    assert not wal.exists()
    assert sqlite_file.integrity_problems(database) == []
    assert _counts(database) == expected


def _damage(path: Path) -> None:
    """Overwrites the start of the youth table's root page, as a torn write would."""
    conn = sqlite3.connect(path)
    root, page_size = conn.execute(
        "SELECT rootpage, (SELECT page_size FROM pragma_page_size()) FROM sqlite_master "
        "WHERE name = 'youth'").fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 64)


def test_restore_refuses_a_damaged_backup_and_leaves_the_database_as_it_was(
        database, settings, tmp_path):
    backup = tmp_path / "backup.db"
    _backup(database, backup)
    _damage(backup)
    before = _counts(database)

    refused = _overgang(settings, "restore", str(backup), "--force")

    assert refused.returncode == 1
    assert "failed the integrity check" in refused.stdout
    assert "Nothing was restored" in refused.stdout
    assert _counts(database) == before and sqlite_file.integrity_problems(database) == []


def test_restore_needs_force_to_replace_the_database(database, settings, tmp_path):
    backup = tmp_path / "backup.db"
    _backup(database, backup)
    refused = _overgang(settings, "restore", str(backup))
    assert refused.returncode == 1 and "--force" in refused.stdout


def test_serve_refuses_to_start_on_a_damaged_database(database, settings):
    _damage(database)

    refused = _overgang(settings, "serve", "--no-scheduler", "--port", str(free_port()),
                        timeout=30)

    assert refused.returncode == 1
    assert "failed its integrity check" in refused.stdout
    assert "overgang restore" in refused.stdout


def test_health_tells_the_integrity_check_passed_at_start_up(database, settings):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--no-scheduler", "--port", str(port)],
        env=_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        health = None
        for _ in range(300):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None and health.status_code == 200
        assert health.json() == {"status": "ok", "integrity": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)
