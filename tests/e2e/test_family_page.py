"""The family's page in a real browser, logged in through the test OpenID provider as a MitID
broker: a young person over 18, and a parent before and after the young person's 18th
birthday (the parent loses access on the birthday unless the young person shares the page).
Keyboard only, at 390 px wide, axe on every page of ours, and the Content-Security-Policy."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.cli import migrate
from app.clock import FrozenClock
from app.db import make_engine, unit_of_work
from app.domain.cpr import cpr_lookup_hash
from app.domain.youth import YouthData
from app.main import create_app
from app.models.meeting import Meeting, MeetingInvitee, MeetingKind, PlaceKind
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.user import Role
from app.services import auth, youths
from tests.conftest import TEST_PASSWORD, make_settings
from tests.e2e.conftest import run_axe
from tests.live import serve
from tests.oidc.provider import CPR_CLAIM, OpenIdProvider, start_provider

ULLA_CPR = "0101089995"  # the provider's "borger", 18 since 1 January 2026
METTE_CPR = "1505754321"  # the provider's "forælder"
MOBILE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FamilyApp:
    url: str
    provider: OpenIdProvider
    clock: FrozenClock
    ulla_id: int
    freja_id: int


def _freja_cpr(birthday: datetime) -> str:
    """A CPR number of someone who turns 18 on `birthday` (7th digit 4: born 2000-2036)."""
    born = birthday.date().replace(year=birthday.year - 18)
    return f"{born:%d%m%y}4123"


@pytest.fixture(scope="module")
def family_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FamilyApp]:
    port = _free_port()
    directory: Path = tmp_path_factory.mktemp("e2e-family")
    redirect_uri = f"http://127.0.0.1:{port}/borger/login/callback"
    # The app's clock starts now (the provider's tokens are current) and is moved to Freja's
    # 18th birthday during the journey; sessions last long enough to live through that day.
    clock = FrozenClock(datetime.now(UTC))
    tomorrow = clock.now() + timedelta(days=1)
    with start_provider(directory, _free_port(), redirect_uri) as provider:
        settings = make_settings(directory, f"sqlite:///{directory / 'overgang.db'}",
                                 public_base_url=f"http://127.0.0.1:{port}",
                                 session_idle_minutes=3 * 24 * 60, session_absolute_hours=72,
                                 **provider.citizen_settings())
        migrate(settings)
        freja_cpr = _freja_cpr(tomorrow)
        with unit_of_work(make_engine(settings)) as session:
            lars = auth.create_user(session, username="lars", full_name="Lars Bech Nielsen",
                                    email="lars@kommune.example", role=Role.CHILD_CASEWORKER,
                                    password=TEST_PASSWORD, phone="72 36 42 20")
            today = clock.now().date()
            ulla = youths.create(session, settings, lars, YouthData(
                cpr=ULLA_CPR, first_name="Ulla", last_name="Ung", coordinator_id=lars.id),
                today)
            freja = youths.create(session, settings, lars, YouthData(
                cpr=freja_cpr, first_name="Freja", last_name="Mor", coordinator_id=lars.id),
                today)
            mette = Person(kind=PersonKind.PRIVATE, name="Mette Mor",
                           cpr_hash=cpr_lookup_hash(METTE_CPR, settings.key))
            session.add(mette)
            session.flush()
            session.add(NetworkMember(youth_id=freja.id or 0, person_id=mette.id or 0,
                                      sector=Sector.FAMILY, ring=1, role=NetworkRole.MOTHER,
                                      custody_holder=True, youth_agreed=True))
            start = clock.now() + timedelta(days=5)
            meeting = Meeting(uid="5a0e7c1e-2222-4c5e-9a1b-000000000001", youth_id=ulla.id or 0,
                              kind=MeetingKind.COORDINATION, starts_at=start,
                              ends_at=start + timedelta(hours=1),
                              place_kind=PlaceKind.TOWN_HALL, place_detail="Mødelokale 2",
                              organiser_id=lars.id or 0)
            session.add(meeting)
            session.flush()
            session.add(MeetingInvitee(meeting_id=meeting.id or 0, name="Ulla Ung"))
            ids = (ulla.id or 0, freja.id or 0)
        provider.set_claims("freja", name="Freja Mor", **{CPR_CLAIM: freja_cpr})
        with serve(create_app(settings, clock=clock), port=port) as url:
            yield FamilyApp(url, provider, clock, *ids)


class Visits:
    """A browser context at 390 px that remembers every page of ours it showed and checks
    them with axe, and collects Content-Security-Policy errors."""

    def __init__(self, browser, app: FamilyApp) -> None:  # type: ignore[no-untyped-def]
        self.browser, self.app = browser, app
        self.context = browser.new_context(base_url=app.url, locale="da-DK", viewport=MOBILE)
        self.page: Page = self.context.new_page()
        self.csp: list[str] = []
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.csp.append(m.text)
                     if m.location.get("url", "").startswith(app.url)
                     and ("Content Security Policy" in m.text or "Refused to" in m.text)
                     else None)

    def check(self) -> None:
        """axe on the page shown now, and nothing wider than the screen."""
        self.problems += [f"{self.page.url}: {v}" for v in run_axe(self.browser, self.page)]
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE["width"], (self.page.url, width)

    def close(self) -> None:
        self.context.close()
        assert self.csp == [], self.csp
        assert self.problems == [], "\n".join(self.problems)


def press_until(page: Page, name: str, *, limit: int = 120) -> None:
    """Tabs until the focused element's accessible text contains `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("(document.activeElement.innerText || document.activeElement"
                             ".value || document.activeElement.getAttribute('aria-label')"
                             " || '').trim()")
        if name in text:
            return
    raise AssertionError(f"{name!r} cannot be reached with the keyboard")


def mitid_login(visits: Visits, login: str) -> None:
    """Logs in at the broker; the app's clock is set to the moment the broker's tokens carry."""
    visits.app.clock.set(datetime.now(UTC))
    page = visits.page
    page.goto("/borger")
    assert "/borger/login" in page.url, page.url
    visits.check()
    press_until(page, "Log ind med MitID")
    page.keyboard.press("Enter")
    page.wait_for_url(visits.app.provider.issuer + "/interaction/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("hvad som helst")
    page.locator("button[type=submit]").click()
    page.wait_for_url(visits.app.url + "/borger/unge/**")


def test_a_young_person_over_18_answers_a_meeting_and_writes_to_the_caseworker(
        browser, family_app):
    visits = Visits(browser, family_app)
    page = visits.page
    try:
        mitid_login(visits, "borger")
        expect(page.get_by_role("heading", name="Din side", level=1)).to_be_visible()
        expect(page.get_by_text("Ulla fyldte 18 år den 1. januar 2026.")).to_be_visible()
        expect(page.get_by_text("Lars Bech Nielsen")).to_be_visible()
        visits.check()
        press_until(page, "Jeg kommer")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Tak. Vi har gemt dit svar.")).to_be_visible()
        expect(page.get_by_text("Dit svar: Kommer")).to_be_visible()
        press_until(page, "Din besked")  # the label's field: Tab lands in the text area
        page.get_by_label("Din besked").focus()
        page.keyboard.type("Hvem kommer til mødet?")
        press_until(page, "Send beskeden")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Din besked er sendt.")).to_be_visible()
        expect(page.get_by_text("Sendt. Vi har ikke læst den endnu")).to_be_visible()
        visits.check()
    finally:
        visits.close()


def test_a_parent_sees_the_page_until_the_birthday_and_again_when_the_young_person_shares(
        browser, family_app):
    parent, youth = Visits(browser, family_app), Visits(browser, family_app)
    page = parent.page
    freja_url = f"/borger/unge/{family_app.freja_id}"
    try:
        mitid_login(parent, "forælder")  # the day before Freja turns 18
        expect(page.get_by_role("heading", name="Siden om Freja", level=1)).to_be_visible()
        parent.check()
        mitid_login(youth, "freja")
        expect(youth.page.get_by_role("heading", name="Din side", level=1)).to_be_visible()

        family_app.clock.advance(timedelta(days=1))  # Freja's 18th birthday
        response = page.goto(freja_url)
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="Siden findes ikke")).to_be_visible()

        youth.page.goto(freja_url + "#samtykker")
        expect(youth.page.get_by_role("heading", name="Lad en forælder se siden")).to_be_visible()
        youth.check()
        press_until(youth.page, "Lad dem se den")
        youth.page.keyboard.press("Enter")
        expect(youth.page.get_by_text("Din forælder kan nu fortsat se siden.")).to_be_visible()

        response = page.goto(freja_url)
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", name="Siden om Freja", level=1)).to_be_visible()

        youth.page.goto(freja_url)
        press_until(youth.page, "Tag samtykket tilbage")
        youth.page.keyboard.press("Enter")
        youth.page.wait_for_url("**/samtykker/*")
        youth.check()
        press_until(youth.page, "Ja, træk samtykket tilbage")
        youth.page.keyboard.press("Enter")
        expect(youth.page.get_by_text("Samtykket er trukket tilbage.")).to_be_visible()

        response = page.goto(freja_url)
        assert response is not None and response.status == 404
    finally:
        family_app.clock.advance(timedelta(days=-1))
        parent.close()
        youth.close()
