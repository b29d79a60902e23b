"""Failed logins slow down the account at the address that fails, with growing waits the
page states in Danish, and never lock out the right password from an address that has not
failed: not after failures elsewhere, not for colleagues behind the same address."""

from __future__ import annotations

import math
from datetime import timedelta

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.clock import now as clock_now
from app.models.user import LoginThrottle, Role
from app.services import housekeeping
from app.settings import Settings
from tests.conftest import TEST_PASSWORD, csrf_from, make_user

TOWN_HALL = "192.0.2.10"


def _at(app: FastAPI, address: str) -> TestClient:
    """A browser at a client address of its own."""
    return TestClient(app, follow_redirects=False, client=(address, 50000))


def _try(client: TestClient, username: str, password: str = "forkert") -> httpx.Response:
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def _pairs(session: Session) -> list[LoginThrottle]:
    session.expire_all()
    return list(session.exec(
        select(LoginThrottle).where(col(LoginThrottle.key).startswith("pair:"))).all())


def _let_time_pass(session: Session, by: timedelta) -> None:
    for row in _pairs(session):
        row.last_failed_at -= by
        session.add(row)
    session.commit()


def test_after_five_failures_the_address_waits_a_minute_and_is_told_so(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    make_user(session, Role.COORDINATOR, "dorte")
    browser = _at(app, TOWN_HALL)
    for _ in range(settings.login_failures_before_delay):
        assert _try(browser, "dorte").status_code == 400
    response = _try(browser, "dorte", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Prøv igen om 1 minut." in response.text
    assert 0 < int(response.headers["retry-after"]) <= 60
    [pair] = _pairs(session)
    assert pair.failures == settings.login_failures_before_delay  # waiting is not a failure
    assert all("dorte" not in row.key for row in session.exec(select(LoginThrottle)))


def test_each_further_failure_doubles_the_wait_up_to_the_cap(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    make_user(session, Role.COORDINATOR, "dorte")
    browser = _at(app, TOWN_HALL)
    for _ in range(settings.login_failures_before_delay):
        _try(browser, "dorte")
    shown = []
    for _ in range(6):
        waiting = _try(browser, "dorte")
        assert waiting.status_code == 429
        shown.append(math.ceil(int(waiting.headers["retry-after"]) / 60))
        assert f"Prøv igen om {shown[-1]} minut" in waiting.text
        _let_time_pass(session, timedelta(minutes=shown[-1]))
        assert _try(browser, "dorte").status_code == 400  # the wait is over: one more try
    assert shown == [1, 2, 4, 8, 15, 15]
    _let_time_pass(session, timedelta(minutes=15))
    assert _try(browser, "dorte", TEST_PASSWORD).status_code == 303  # never locked for good


def test_the_right_password_from_a_new_address_works_after_failures_elsewhere(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    make_user(session, Role.COORDINATOR, "erik")
    attacker = _at(app, "198.51.100.7")
    for _ in range(settings.login_account_failures + 2):
        _try(attacker, "erik")
    assert _try(attacker, "erik", TEST_PASSWORD).status_code == 429
    assert _try(_at(app, TOWN_HALL), "erik", TEST_PASSWORD).status_code == 303


def test_failures_for_other_accounts_do_not_hold_back_a_colleague_at_the_same_address(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    make_user(session, Role.COORDINATOR, "grete")
    sprayer = _at(app, TOWN_HALL)
    for i in range(settings.login_address_failures + 5):
        assert _try(sprayer, f"bruger{i}").status_code == 400
    # The address is now suspect: a name that has failed from here waits from now on ...
    assert _try(sprayer, "bruger0").status_code == 429
    # ... but a colleague who has not failed here logs in at once.
    assert _try(_at(app, TOWN_HALL), "grete", TEST_PASSWORD).status_code == 303


def test_a_guess_spread_over_many_addresses_slows_those_addresses_but_not_a_new_one(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    make_user(session, Role.COORDINATOR, "hanne")
    addresses = [f"203.0.113.{n}" for n in range(settings.login_account_failures)]
    for address in addresses:
        assert _try(_at(app, address), "hanne").status_code == 400
    again = _try(_at(app, addresses[0]), "hanne", TEST_PASSWORD)
    assert again.status_code == 429 and "Prøv igen om 1 minut." in again.text
    assert _try(_at(app, TOWN_HALL), "hanne", TEST_PASSWORD).status_code == 303


def test_housekeeping_keeps_a_pair_count_for_a_day_and_then_forgets_it(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    browser = _at(app, TOWN_HALL)
    for _ in range(settings.login_failures_before_delay):
        _try(browser, "ingen")
    now = clock_now()
    housekeeping.purge_expired(session, settings, now + timedelta(hours=1))
    assert [row.failures for row in _pairs(session)] == [settings.login_failures_before_delay]
    assert len(session.exec(select(LoginThrottle)).all()) == 1  # the windowed counts are gone
    housekeeping.purge_expired(session, settings, now + timedelta(hours=25))
    assert _pairs(session) == []
