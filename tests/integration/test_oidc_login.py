"""Staff login through OpenID Connect against a real OpenID provider (tests/oidc: the npm
package oidc-provider run by node), the app served by uvicorn and driven over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.clock import now as clock_now
from app.main import create_app
from app.models.audit import AuditAction, AuditEvent
from app.models.user import Role, User, UserSession
from app.services import auth, oidc
from app.settings import Settings
from tests.conftest import TEST_PASSWORD, make_settings, make_user
from tests.live import serve
from tests.oidc.provider import (
    CPR_CLAIM,
    OpenIdProvider,
    log_in,
    start_provider,
    through_provider,
)

NO_ACCESS = "Dit login giver ikke adgang til Overgang"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def app_port() -> int:
    """The port every test serves the app on: the provider knows its redirect URI."""
    return _free_port()


@pytest.fixture(scope="session")
def provider_process(
    tmp_path_factory: pytest.TempPathFactory, app_port: int
) -> Iterator[OpenIdProvider]:
    redirect_uri = f"http://127.0.0.1:{app_port}/login/oidc/callback"
    with start_provider(tmp_path_factory.mktemp("oidc"), _free_port(), redirect_uri) as provider:
        yield provider


@pytest.fixture
def provider(provider_process: OpenIdProvider) -> OpenIdProvider:
    provider_process.reset()
    return provider_process


@pytest.fixture
def oidc_settings(
    database_url: str, tmp_path: Path, provider: OpenIdProvider, app_port: int
) -> Settings:
    return make_settings(tmp_path, database_url, public_base_url=f"http://127.0.0.1:{app_port}",
                         **provider.app_settings())


@pytest.fixture
def live(oidc_settings: Settings, app_port: int) -> Iterator[str]:
    with serve(create_app(oidc_settings), port=app_port) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as client:
        yield client


def _user(session: Session, username: str) -> User | None:
    session.expire_all()
    return session.exec(select(User).where(User.username == username)).first()


def _audit(session: Session, action: AuditAction) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                             .order_by(col(AuditEvent.id))))


def test_a_coordinator_logs_in_and_lands_on_the_start_page(live, provider, browser, session):
    page = log_in(browser, live, provider.issuer, "kirsten")

    assert str(page.url) == live + "/"
    assert "Velkommen, Kirsten Koordinator" in page.text
    user = _user(session, "kirsten@kommune.example")
    assert user is not None
    assert (user.role, user.full_name, user.email) == (
        Role.COORDINATOR, "Kirsten Koordinator", "kirsten@kommune.example")
    assert user.password_hash == auth.NO_PASSWORD
    assert browser.get(live + "/reviews/new").status_code == 200  # a coordinator's page
    [created] = _audit(session, AuditAction.CREATE)
    assert (created.user_id, created.object_type, created.detail) == (user.id, "user", "oidc")
    [login] = _audit(session, AuditAction.LOGIN)
    assert (login.user_id, login.detail) == (user.id, "oidc")


def test_the_role_follows_the_groups_at_every_login(live, provider, browser, session):
    log_in(browser, live, provider.issuer, "kirsten")
    provider.set_claims("kirsten", groups=["overgang-boern"])

    page = log_in(browser, live, provider.issuer, "kirsten")

    assert str(page.url) == live + "/"
    user = _user(session, "kirsten@kommune.example")
    assert user is not None and user.role is Role.CHILD_CASEWORKER
    assert browser.get(live + "/reviews/new").status_code == 403
    [changed] = _audit(session, AuditAction.UPDATE)
    assert changed.detail == "oidc role coordinator -> child_caseworker"
    assert len(_audit(session, AuditAction.LOGIN)) == 2


def test_no_mapped_group_is_refused_in_danish(live, provider, browser, session):
    page = log_in(browser, live, provider.issuer, "ingen")

    assert urlsplit(str(page.url)).path == "/login"
    assert NO_ACCESS in page.text
    assert _user(session, "ingen@kommune.example") is None
    assert browser.get(live + "/", follow_redirects=False).status_code == 303  # no session
    [failed] = _audit(session, AuditAction.LOGIN_FAILED)
    assert failed.detail == "oidc no_role username=ingen@kommune.example"
    assert _audit(session, AuditAction.LOGIN) == []


def test_a_login_without_a_username_is_refused(live, provider, browser, session):
    page = log_in(browser, live, provider.issuer, "borger")  # a citizen: name and CPR only

    assert "Kommunens login sendte ikke dit brugernavn med" in page.text
    assert session.exec(select(User)).all() == []
    [failed] = _audit(session, AuditAction.LOGIN_FAILED)
    assert failed.detail == "oidc no_username"


def test_a_tampered_state_is_refused(live, provider, browser, session):
    page = log_in(browser, live, provider.issuer, "kirsten",
                  callback=lambda url: url.replace("state=", "state=x", 1))

    assert "Svaret fra kommunens login passede ikke til dette login" in page.text
    assert _user(session, "kirsten@kommune.example") is None
    assert browser.get(live + "/", follow_redirects=False).status_code == 303
    [failed] = _audit(session, AuditAction.LOGIN_FAILED)
    assert (failed.user_id, failed.detail) == (None, "oidc state")


def test_a_deactivated_account_stays_out(live, provider, session):
    with httpx.Client(timeout=20) as first:
        log_in(first, live, provider.issuer, "kirsten")
    user = _user(session, "kirsten@kommune.example")
    assert user is not None
    user.is_active = False
    session.add(user)
    session.commit()

    with httpx.Client(timeout=20) as browser:
        page = log_in(browser, live, provider.issuer, "kirsten")
        assert browser.get(live + "/", follow_redirects=False).status_code == 303

    assert "Din bruger i Overgang er deaktiveret" in page.text
    [failed] = _audit(session, AuditAction.LOGIN_FAILED)
    assert (failed.user_id, failed.detail) == (
        user.id, "oidc deactivated username=kirsten@kommune.example")


def test_cancelling_at_the_provider_says_so(live, provider, browser, session):
    page = log_in(browser, live, provider.issuer, "kirsten", cancel=True)

    assert "Login blev afbrudt eller afvist i kommunens login" in page.text
    assert _user(session, "kirsten@kommune.example") is None
    [failed] = _audit(session, AuditAction.LOGIN_FAILED)
    assert failed.detail == "oidc denied"


def test_the_page_asked_for_is_kept_and_only_a_local_one(live, provider):
    with httpx.Client(timeout=20) as browser:
        page = log_in(browser, live, provider.issuer, "kirsten", next="/youths?page=2")
    assert str(page.url) == live + "/youths?page=2"

    with httpx.Client(timeout=20) as browser:
        page = log_in(browser, live, provider.issuer, "kirsten", next="//evil.example/x")
    assert str(page.url) == live + "/"


def test_the_login_replaces_the_session_the_browser_had(live, provider, browser, session):
    make_user(session, Role.ADMIN, username="anne")
    login_page = browser.get(live + "/login")
    csrf = login_page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    browser.post(live + "/login", data={"username": "anne", "password": TEST_PASSWORD,
                                        "csrf_token": csrf})
    before = browser.cookies.get("overgang_session")
    assert before

    log_in(browser, live, provider.issuer, "kirsten")

    after = browser.cookies.get("overgang_session")
    assert after and after != before
    user = _user(session, "kirsten@kommune.example")
    assert user is not None
    rows = session.exec(select(UserSession)).all()
    assert [(row.id, row.user_id) for row in rows] == [(auth.token_digest(after), user.id)]


def test_an_account_with_the_username_is_that_person(live, provider, browser, session):
    """The username claim names the account: one the administrator made with the name the
    municipality's login uses is the same person's, and keeps its id and history."""
    existing = make_user(session, Role.ADULT_CASEWORKER, username="bo@kommune.example")

    log_in(browser, live, provider.issuer, "bo")

    user = _user(session, "bo@kommune.example")
    assert user is not None and user.id == existing.id
    assert user.role is Role.CHILD_CASEWORKER
    assert user.full_name == "Bo Børnesagsbehandler"


def test_an_account_is_never_matched_by_email(live, provider, browser, session):
    """E-mail addresses are neither unique in the app nor checked by every provider, so the
    same address does not make someone else's account theirs."""
    other = make_user(session, Role.ADMIN, username="kirsten-admin")
    other.email = "kirsten@kommune.example"
    session.add(other)
    session.commit()

    log_in(browser, live, provider.issuer, "kirsten")

    new = _user(session, "kirsten@kommune.example")
    assert new is not None and new.id != other.id and new.role is Role.COORDINATOR
    old = _user(session, "kirsten-admin")
    assert old is not None and old.role is Role.ADMIN


def _code_for(settings: Settings, provider: OpenIdProvider, login: str) -> tuple[
        oidc.Started, dict[str, str]]:
    """A flow begun by the client and the provider's answer to it."""
    started = oidc.begin(settings, "/", clock_now())
    with httpx.Client(timeout=20) as browser:
        back = through_provider(browser, started.url, provider.issuer, login)
    return started, {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}


def test_the_provider_issues_a_citizen_with_a_cpr_number(oidc_settings, provider):
    """The citizens' login will use the same provider: it hands out the CPR number as a
    claim, and the client's flow (state, PKCE, nonce, ID token, userinfo) brings it back."""
    settings = oidc_settings.model_copy(update={"oidc_scopes": "openid profile cpr"})
    started, answer = _code_for(settings, provider, "borger")

    finished = oidc.finish(settings, answer, started.flow, clock_now())

    assert finished.claims["sub"] == "borger"
    assert finished.claims[CPR_CLAIM] == "0101089995"
    assert finished.claims["name"] == "Ulla Ung"


def test_a_code_is_redeemed_only_with_its_own_pkce_verifier(oidc_settings, provider):
    """A code taken from another browser's login does not work with this browser's flow."""
    _, stolen = _code_for(oidc_settings, provider, "kirsten")
    mine = oidc.begin(oidc_settings, "/", clock_now())
    my_state = parse_qs(urlsplit(mine.url).query)["state"][0]

    with pytest.raises(oidc.LoginFailedError) as refused:
        oidc.finish(oidc_settings, stolen | {"state": my_state}, mine.flow, clock_now())
    assert (refused.value.failure, refused.value.detail) == (
        oidc.Failure.PROVIDER, "invalid_grant")


def test_an_id_token_for_another_nonce_is_refused(oidc_settings, provider):
    started, answer = _code_for(oidc_settings, provider, "kirsten")
    flow = oidc._unseal(oidc_settings, started.flow, clock_now())
    replayed = oidc._seal(oidc_settings, flow | {"nonce": "another"}, clock_now())

    with pytest.raises(oidc.LoginFailedError) as refused:
        oidc.finish(oidc_settings, answer, replayed, clock_now())
    assert (refused.value.failure, refused.value.detail) == (
        oidc.Failure.PROVIDER, "id_token invalid_claim")


def test_an_issuer_other_than_the_discovery_document_names_is_refused(oidc_settings, provider):
    settings = oidc_settings.model_copy(update={"oidc_issuer": provider.issuer + "/"})
    with pytest.raises(oidc.LoginFailedError) as refused:
        oidc.begin(settings, "/", clock_now())
    assert refused.value.failure is oidc.Failure.PROVIDER


def test_a_flow_older_than_ten_minutes_has_expired(oidc_settings, provider):
    now = clock_now()
    started = oidc.begin(oidc_settings, "/", now)
    state = parse_qs(urlsplit(started.url).query)["state"][0]

    with pytest.raises(oidc.LoginFailedError) as refused:
        oidc.finish(oidc_settings, {"state": state, "code": "x"}, started.flow,
                    now + timedelta(minutes=11))
    assert refused.value.failure is oidc.Failure.EXPIRED


# Without the provider: what the app says when the flow cannot even start or come back.

@pytest.fixture
def unreachable_settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(tmp_path, database_url, oidc_issuer=f"http://127.0.0.1:{_free_port()}",
                         oidc_client_id="overgang", oidc_role_map={"g": "coordinator"})


def test_an_unreachable_provider_gives_a_danish_message(unreachable_settings):
    with TestClient(create_app(unreachable_settings), follow_redirects=False) as client:
        start = client.get("/login/oidc")
        assert start.status_code == 303
        assert start.headers["location"] == "/login?oidc=unavailable"
        page = client.get(start.headers["location"])
    assert page.status_code == 200
    assert "Der er ikke forbindelse til kommunens login lige nu" in page.text


def test_a_callback_without_a_started_login_has_expired(unreachable_settings, session):
    with TestClient(create_app(unreachable_settings), follow_redirects=False) as client:
        back = client.get("/login/oidc/callback?state=abc&code=def")
        assert back.headers["location"] == "/login?oidc=expired"
        page = client.get(back.headers["location"])
    assert "Login tog for lang tid eller blev startet i et andet vindue" in page.text
    [failed] = _audit(session, AuditAction.LOGIN_FAILED)
    assert failed.detail == "oidc expired"


def test_the_login_page_offers_the_municipality_login_when_configured(
    unreachable_settings, settings
):
    with TestClient(create_app(unreachable_settings)) as client:
        page = client.get("/login?next=/youths")
        assert "Log ind med kommunens login" in page.text
        assert 'href="/login/oidc?next=%2Fyouths"' in page.text
        assert 'name="password"' in page.text  # the password form stays
    with TestClient(create_app(settings), follow_redirects=False) as client:
        assert "Log ind med kommunens login" not in client.get("/login").text
        assert client.get("/login/oidc").status_code == 404
        assert client.get("/login/oidc/callback").status_code == 404
