"""Test fixtures: a real database per test (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), the app built by create_app(test_settings), and helpers."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.cli import migrate
from app.clock import FrozenClock
from app.clock import now as now_on_clock
from app.clock import use as use_clock
from app.db import make_engine, new_session
from app.main import create_app
from app.models.user import Role, User
from app.services import auth
from app.settings import Environment, MailBackend, Settings

TEST_PASSWORD = "korrekt-hest-batteri"
CPH = ZoneInfo("Europe/Copenhagen")
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
KEEP_TABLES = {"alembic_version"}


def make_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": Environment.TEST,
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": "test-secret-key-" + "x" * 32,
        "scheduler_enabled": False,
        "mail_backend": MailBackend.FILE,
        "public_base_url": "http://testserver",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("template")
    url = f"sqlite:///{directory / 'template.db'}"
    migrate(make_settings(directory, url))
    return directory / "template.db"


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    schema = f"ovtest_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    migrate(make_settings(Path("/tmp"), url))
    _REFERENCE_ROWS[url] = _snapshot(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


_REFERENCE_ROWS: dict[str, dict[str, list[dict[str, object]]]] = {}


def _tables(conn) -> list[str]:  # type: ignore[no-untyped-def]
    rows = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    )
    return [row[0] for row in rows if row[0] not in KEEP_TABLES]


def _snapshot(url: str) -> dict[str, list[dict[str, object]]]:
    """The reference data the migrations load (e.g. the timeline template)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        data = {
            table: [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]
            for table in _tables(conn)
        }
    engine.dispose()
    return {table: rows for table, rows in data.items() if rows}


def _truncate_all(url: str) -> None:
    """A fresh database for the next test: empty tables, then the migrations' reference data."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = _tables(conn)
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        for table, rows in _REFERENCE_ROWS.get(url, {}).items():
            columns = list(rows[0])
            conn.execute(
                text(f"INSERT INTO {table} ({', '.join(columns)}) "
                     f"VALUES ({', '.join(':' + c for c in columns)})"),
                rows,
            )
            if "id" in columns:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                ))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "overgang.db")
        return f"sqlite:///{tmp_path / 'overgang.db'}"
    url: str = request.getfixturevalue("pg_schema_url")
    _truncate_all(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with new_session(engine) as session:
        yield session


@pytest.fixture(autouse=True)
def clock() -> Iterator[FrozenClock]:
    """The one clock, frozen for every test at the moment it starts (so that a real OpenID
    provider's tokens are current); a test moves it with `clock.set` or `clock.advance`. The
    app is built with it, and services the test calls directly read it too."""
    frozen = FrozenClock(datetime.now(UTC))
    with use_clock(frozen):
        yield frozen


@pytest.fixture
def today(clock: FrozenClock) -> date:
    """Today in Copenhagen on the test's clock (never the machine's date)."""
    return today_cph()


def today_cph() -> date:
    """Today in Copenhagen on the current clock (the test's frozen one)."""
    return now_on_clock().astimezone(CPH).date()


def at_copenhagen(day: date, hour: int = 10) -> datetime:
    """A moment on `day` in Copenhagen, for `clock.set`."""
    return datetime.combine(day, time(hour), CPH)


@pytest.fixture
def app(settings: Settings, clock: FrozenClock):  # type: ignore[no-untyped-def]
    return create_app(settings, clock=clock)


class _ClientAfterTheTestsWork(TestClient):
    """Services never commit: the test is the caller, and its unit of work (the `session`
    fixture) ends before each request it makes, as a real caller's would."""

    test_session: Session | None = None

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if self.test_session is not None:
            self.test_session.commit()
        return super().request(*args, **kwargs)


@pytest.fixture
def client(app, request: pytest.FixtureRequest) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with _ClientAfterTheTestsWork(app, follow_redirects=False) as test_client:
        if "session" in request.fixturenames:
            test_client.test_session = request.getfixturevalue("session")
        yield test_client


def make_user(
    session: Session, role: Role, username: str | None = None, full_name: str | None = None
) -> User:
    username = username or f"{role.value}-{uuid.uuid4().hex[:6]}"
    user = auth.create_user(
        session,
        username=username,
        full_name=full_name or username.replace("-", " ").title(),
        email=f"{username}@kommune.example",
        role=role,
        password=TEST_PASSWORD,
        phone="+45 12 34 56 78",
    )
    session.commit()
    return user


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = TEST_PASSWORD) -> str:
    """Logs in through the real form; returns a CSRF token for the new session."""
    page = client.get("/login")
    token = csrf_from(page.text if page.status_code == 200 else client.get("/profile").text)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/profile").text)


def message_text(message: EmailMessage) -> str:
    """Every header and every decoded part of an e-mail, for checking what it says; not the
    raw message, whose random MIME boundaries and Message-ID are digits that can happen to
    contain any four, and whose base64 parts hide what they carry."""
    return "\n".join(
        [f"{k}: {v}" for part in message.walk() for k, v in part.items()
         if k.lower() not in ("content-type", "message-id")]
        + [part.get_content() if part.get_content_maintype() == "text"
           else part.get_payload(decode=True).decode("utf-8")
           for part in message.walk() if not part.is_multipart()])
