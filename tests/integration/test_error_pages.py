"""Error pages when the database fails: a write that fails mid-request, and a database that
cannot be reached. The user always gets the friendly page (with a reference number for a
server error), never the bare "Internal Server Error"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.main import create_app
from app.models.user import Role
from tests.conftest import login, make_settings, make_user
from tests.smtp import free_port

REFERENCE = re.compile(r'<strong class="reference">([0-9A-F]{10})</strong>')
DANISH_ERROR = "Der opstod en fejl. Vores administratorer har fået besked."
UNAVAILABLE_DA = "Overgang kan ikke nå sin database lige nu"


@contextmanager
def refused_user_updates(engine: Engine) -> Iterator[None]:
    """A trigger that makes every UPDATE of an account fail in the database, as a
    constraint would: the flush fails and the session's objects are expired."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:
            conn.execute(text(
                "CREATE TRIGGER refuse_user_update BEFORE UPDATE ON app_user "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
        else:
            conn.execute(text(
                "CREATE FUNCTION refuse_user_update() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"))
            conn.execute(text(
                "CREATE TRIGGER refuse_user_update BEFORE UPDATE ON app_user "
                "FOR EACH ROW EXECUTE FUNCTION refuse_user_update()"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            if sqlite:
                conn.execute(text("DROP TRIGGER refuse_user_update"))
            else:
                conn.execute(text("DROP TRIGGER refuse_user_update ON app_user"))
                conn.execute(text("DROP FUNCTION refuse_user_update()"))


@pytest.fixture
def lenient_client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A client that gets the response the browser would get, even for a server error."""
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(("locale", "expected"), [
    ("da", DANISH_ERROR),
    ("en", "An error occurred. Our administrators have been told."),
])
def test_a_write_that_fails_in_the_database_gets_the_error_page_with_a_reference(
    lenient_client, session, engine, locale, expected, caplog
):
    user = make_user(session, Role.CHILD_CASEWORKER, "sara", "Sara Sørensen")
    user.locale = locale
    session.add(user)
    session.commit()
    token = login(lenient_client, "sara")

    with refused_user_updates(engine):
        other = "en" if locale == "da" else "da"
        response = lenient_client.post("/profile", data={"locale": other, "csrf_token": token})

    assert response.status_code == 500
    assert expected in response.text
    assert f'<html lang="{locale}">' in response.text
    [reference] = REFERENCE.findall(response.text)
    assert f"ref={reference}" in caplog.text  # the log line the administrator looks up
    assert "Sara Sørensen" in response.text  # the header still names who is logged in


# --- a database that cannot be reached ------------------------------------------------------


def _unreachable(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'no-such-directory' / 'overgang.db'}"
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/overgang"


@pytest.fixture
def down_client(backend: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path / "data", _unreachable(backend, tmp_path))
    application = create_app(settings)
    with TestClient(application, follow_redirects=False,
                    raise_server_exceptions=False) as client:
        yield client


def test_a_page_answers_503_with_retry_after_and_the_friendly_danish_page(down_client):
    down_client.cookies.set("overgang_session", "a-session-from-before-the-outage")
    response = down_client.get("/youths")

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("text/html")
    assert UNAVAILABLE_DA in response.text and '<html lang="da">' in response.text
    assert "Internal Server Error" not in response.text


def test_the_api_answers_503_as_json(down_client):
    response = down_client.get("/api/v1/youths", headers={"Authorization": "Bearer x"})

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert UNAVAILABLE_DA in response.json()["detail"]


def test_health_says_the_database_is_unreachable(down_client):
    response = down_client.get("/health")

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.json() == {"status": "database unreachable"}



def test_the_favicon_is_served_without_a_login(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
