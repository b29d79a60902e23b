"""Browser journey: a coordinator sorts the list of young people, chooses two of them and
gives them an adult caseworker after confirming; the list then shows the new caseworker."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect
from sqlmodel import select

from app.db import make_engine, unit_of_work
from app.domain.youth import YouthData
from app.models.user import User
from app.services import youths
from tests.conftest import CPH
from tests.e2e.conftest import log_in


def _two_young_people(settings) -> None:  # type: ignore[no-untyped-def]
    today = datetime.now(UTC).astimezone(CPH).date()
    with unit_of_work(make_engine(settings)) as session:
        actor = session.exec(select(User).where(User.username == "koordinator")).one()
        for first, last, years in (("Tilde", "Tildelsen", 17), ("Tobias", "Tildelsen", 16)):
            youths.create(session, settings, actor, YouthData(
                birth_date=today - relativedelta(years=years), birth_date_reason="Ikke tildelt",
                first_name=first, last_name=last), today)


def test_a_coordinator_assigns_an_adult_caseworker_to_two_young_people(page, live_server):
    _two_young_people(live_server["settings"])
    log_in(page, "koordinator")
    page.goto("/youths?q=tildelsen")
    page.get_by_role("link", name="Fylder 18").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Fylder 18")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Tildelsen, Tilde")  # the elder turns 18 first

    page.get_by_label("Vælg Tilde Tildelsen").check()
    page.get_by_label("Vælg Tobias Tildelsen").check()
    page.get_by_label("Voksensagsbehandler", exact=True).select_option(label="Voksen Testesen")
    page.get_by_role("button", name="Tildel", exact=True).click()
    expect(page.get_by_role("heading", name="Tildel en voksensagsbehandler")).to_be_visible()
    expect(page.get_by_text("Voksen Testesen bliver voksensagsbehandler for 2 unge")) \
        .to_be_visible()

    page.get_by_role("button", name="Ja, tildel Voksen Testesen").click()
    page.wait_for_url(re.compile(r"/youths\?.*assigned=2"))
    expect(page.get_by_text("2 unge har fået ny voksensagsbehandler")).to_be_visible()
    for row in (rows.nth(0), rows.nth(1)):
        expect(row).to_contain_text("Voksen Testesen")
