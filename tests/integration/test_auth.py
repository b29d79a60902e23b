from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from app.clock import now as clock_now
from app.models.audit import AuditAction, AuditEvent
from app.models.user import Role, UserSession
from app.services import auth
from tests.conftest import TEST_PASSWORD, csrf_from, login, make_user


def test_it_logs_in_with_the_right_password_and_gives_a_new_session_id(client, session):
    user = make_user(session, Role.CHILD_CASEWORKER, "anna")
    login(client, "anna")
    first = client.cookies.get("overgang_session")
    login(client, "anna")  # logging in again replaces the session, never reuses it
    second = client.cookies.get("overgang_session")
    assert first and second and first != second
    assert client.get("/").status_code == 200
    rows = session.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert [row.id for row in rows] == [auth.token_digest(second)]  # only the digest is stored


def test_the_session_cookie_is_httponly_and_samesite_lax(client, session):
    make_user(session, Role.COORDINATOR, "bo")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "bo", "password": TEST_PASSWORD, "csrf_token": token}
    )
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("overgang_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the test server is plain http


def test_a_wrong_password_is_refused_in_danish_and_keeps_the_username(client, session):
    make_user(session, Role.COORDINATOR, "carl")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "carl", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Forkert brugernavn eller adgangskode" in response.text
    assert 'value="carl"' in response.text
    failed = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
    ).all()
    assert len(failed) == 1


def test_a_session_ends_after_30_idle_minutes(session, settings):
    user = make_user(session, Role.COORDINATOR)
    token = auth.open_session(session, settings, user)
    session.commit()
    later = clock_now() + timedelta(minutes=settings.session_idle_minutes, seconds=1)
    state, found, _ = auth.resolve_session(session, settings, token, now=later)
    assert state is auth.SessionState.EXPIRED and found is None
    assert session.get(UserSession, auth.token_digest(token)) is None


def test_a_session_ends_at_its_absolute_lifetime_even_when_active(session, settings):
    user = make_user(session, Role.COORDINATOR)
    token = auth.open_session(session, settings, user)
    session.commit()
    now = clock_now()
    for minutes in range(0, settings.session_absolute_hours * 60, 20):
        state, _, _ = auth.resolve_session(
            session, settings, token, now=now + timedelta(minutes=minutes)
        )
        assert state is auth.SessionState.VALID
    end = now + timedelta(hours=settings.session_absolute_hours, minutes=1)
    state, _, _ = auth.resolve_session(session, settings, token, now=end)
    assert state is auth.SessionState.EXPIRED


def test_an_expired_session_sends_the_user_to_login_with_a_message(client, session):
    user = make_user(session, Role.COORDINATOR, "frida")
    login(client, "frida")
    hour_ago = clock_now() - timedelta(hours=1)
    session.exec(  # type: ignore[call-overload]
        text("UPDATE user_session SET last_seen_at = :t WHERE user_id = :u"),
        params={"t": hour_ago.replace(tzinfo=None)
                if session.get_bind().dialect.name == "sqlite" else hour_ago,
                "u": user.id},
    )
    session.commit()
    response = client.get("/profile")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?expired=1")
    page = client.get(response.headers["location"])
    assert "Din session er udløbet" in page.text


def test_logout_ends_the_session(client, session):
    make_user(session, Role.COORDINATOR, "gitte")
    token = login(client, "gitte")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/profile").status_code == 303
    assert session.exec(select(UserSession)).all() == []


def test_a_deactivated_user_cannot_log_in(client, session):
    user = make_user(session, Role.COORDINATOR, "hans")
    user.is_active = False
    session.add(user)
    session.commit()
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "hans", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400


def test_api_tokens_authenticate_and_a_revoked_token_does_not(client, session):
    user = make_user(session, Role.COORDINATOR, "ida")
    token = auth.issue_api_token(session, user, "test")
    assert client.get("/profile", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    wrong = client.get("/profile", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 303 and wrong.headers["location"].startswith("/login")


def test_the_next_parameter_cannot_send_the_user_to_another_site(client, session):
    make_user(session, Role.COORDINATOR, "jens")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "jens", "password": TEST_PASSWORD, "csrf_token": token,
              "next": "//evil.example/"},
    )
    assert response.headers["location"] == "/"
