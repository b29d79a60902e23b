"""Citizens log in to the family's page through OpenID Connect as a MitID broker offers it,
against the real OpenID provider the tests start (tests/oidc): the CPR number arrives in a
claim, is matched through its keyed hash and is kept nowhere in clear."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from sqlmodel import Session, col, select

from app.domain.cpr import cpr_lookup_hash
from app.domain.principal import ActorKind
from app.domain.youth import YouthData
from app.main import create_app
from app.models.audit import AuditAction, AuditEvent
from app.models.family import CitizenSession
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.user import Role
from app.services import youths
from app.settings import Settings
from tests.conftest import make_settings, make_user, today_cph
from tests.live import serve
from tests.oidc.provider import OpenIdProvider, start_provider, through_provider

ULLA_CPR = "0101089995"  # the provider's "borger": 18 since 1 January 2026
METTE_CPR = "1505754321"  # the provider's "forælder"
CHILD_CPR = "0101124561"  # Mette's son, born 2012


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def app_port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def provider_process(tmp_path_factory: pytest.TempPathFactory, app_port: int
                     ) -> Iterator[OpenIdProvider]:
    redirect = f"http://127.0.0.1:{app_port}/borger/login/callback"
    with start_provider(tmp_path_factory.mktemp("oidc-citizen"), _free_port(),
                        [redirect]) as provider:
        yield provider


@pytest.fixture
def provider(provider_process: OpenIdProvider) -> OpenIdProvider:
    provider_process.reset()
    return provider_process


@pytest.fixture
def family_settings(database_url: str, tmp_path: Path, provider: OpenIdProvider,
                    app_port: int) -> Settings:
    return make_settings(tmp_path, database_url, public_base_url=f"http://127.0.0.1:{app_port}",
                         **provider.citizen_settings())


@pytest.fixture
def live(family_settings: Settings, app_port: int) -> Iterator[str]:
    with serve(create_app(family_settings), port=app_port) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as client:
        yield client


def mitid_login(browser: httpx.Client, live: str, issuer: str, login: str, *,
                cancel: bool = False) -> httpx.Response:
    """A citizen who clicks "Log ind med MitID" and logs in at the broker as `login`."""
    page = browser.get(live + "/borger/login")
    assert "Log ind med MitID" in page.text
    start = browser.get(live + "/borger/login/start")
    assert start.is_redirect and start.headers["location"].startswith(issuer), start.text
    back = through_provider(browser, start.headers["location"], issuer, login, cancel=cancel)
    response = browser.get(back)
    while response.is_redirect:
        response = browser.get(urljoin(str(response.url), response.headers["location"]))
    return response


def _register(session: Session, settings: Settings) -> tuple[int, int]:
    worker = make_user(session, Role.CHILD_CASEWORKER, "lars", "Lars Bech Nielsen")
    ulla = youths.create(session, settings, worker, YouthData(
        cpr=ULLA_CPR, first_name="Ulla", last_name="Ung", coordinator_id=worker.id),
        today_cph())
    child = youths.create(session, settings, worker, YouthData(
        cpr=CHILD_CPR, first_name="Oskar", last_name="Mor"), today_cph())
    mette = Person(kind=PersonKind.PRIVATE, name="Mette Mor",
                   cpr_hash=cpr_lookup_hash(METTE_CPR, settings.key))
    session.add(mette)
    session.flush()
    session.add(NetworkMember(youth_id=child.id or 0, person_id=mette.id or 0,
                              sector=Sector.FAMILY, role=NetworkRole.MOTHER,
                              custody_holder=True))
    session.commit()
    return ulla.id or 0, child.id or 0


def test_the_young_person_logs_in_with_mitid_and_sees_their_own_page(
        live, provider, browser, session, family_settings):
    ulla_id, child_id = _register(session, family_settings)
    page = mitid_login(browser, live, provider.issuer, "borger")
    assert urlsplit(str(page.url)).path == f"/borger/unge/{ulla_id}"
    assert "Din side" in page.text and "Ulla" in page.text
    assert browser.get(live + f"/borger/unge/{child_id}").status_code == 404
    assert browser.get(live + "/youths").status_code == 404  # no staff page for a citizen
    for value in browser.cookies.values():
        assert ULLA_CPR not in value
    session.expire_all()
    [row] = session.exec(select(CitizenSession)).all()
    assert row.cpr_hash == cpr_lookup_hash(ULLA_CPR, family_settings.key)
    logins = session.exec(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN)).all()
    assert [(r.actor_kind, r.user_id) for r in logins] == [(ActorKind.CITIZEN, None)]
    reads = session.exec(select(AuditEvent).where(AuditEvent.youth_id == ulla_id,
                                                  AuditEvent.action == AuditAction.READ)).all()
    assert reads and all(r.actor_kind == ActorKind.CITIZEN for r in reads)


def test_a_parent_logs_in_and_sees_the_child_in_their_custody(
        live, provider, browser, session, family_settings):
    ulla_id, child_id = _register(session, family_settings)
    page = mitid_login(browser, live, provider.issuer, "forælder")
    assert urlsplit(str(page.url)).path == f"/borger/unge/{child_id}"
    assert "Siden om Oskar" in page.text
    assert browser.get(live + f"/borger/unge/{ulla_id}").status_code == 404


def test_logging_out_ends_the_session(live, provider, browser, session, family_settings):
    ulla_id, _child_id = _register(session, family_settings)
    page = mitid_login(browser, live, provider.issuer, "borger")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    out = browser.post(live + "/borger/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/borger/login"
    again = browser.get(live + f"/borger/unge/{ulla_id}")
    assert again.status_code == 303 and again.headers["location"].startswith("/borger/login")
    session.expire_all()
    assert session.exec(select(CitizenSession)).all() == []
    assert session.exec(select(AuditEvent).where(
        AuditEvent.action == AuditAction.LOGOUT, col(AuditEvent.actor_ref) != "")).all()


def test_an_identity_without_a_cpr_number_gets_no_session(
        live, provider, browser, session, family_settings):
    page = mitid_login(browser, live, provider.issuer, "bo")  # a member of staff: no CPR claim
    assert urlsplit(str(page.url)).path == "/borger/login"
    assert "MitID sagde ikke, hvem du er" in page.text
    session.expire_all()
    assert session.exec(select(CitizenSession)).all() == []


def test_a_cancelled_login_says_so_in_danish(live, provider, browser, session):
    page = mitid_login(browser, live, provider.issuer, "borger", cancel=True)
    assert urlsplit(str(page.url)).path == "/borger/login"
    assert "Login med MitID blev afbrudt." in page.text
