from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def test_a_caseworker_creates_a_young_person_and_finds_them_again_by_cpr(page, live_server):
    log_in(page, "boern")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Unge").click()
    page.get_by_role("link", name="Opret ung").click()
    page.get_by_label("CPR-nummer", exact=True).fill("120310-4567")
    page.get_by_label("Fornavn(e)").fill("Mikkel")
    page.get_by_label("Efternavn").fill("Bæk")
    page.get_by_label("Forventes støtte som voksen?").select_option("yes")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r"/youths/\d+$"))
    expect(page.get_by_role("heading", name="Mikkel Bæk", level=1)).to_be_visible()
    expect(page.get_by_text("120310-xxxx")).to_be_visible()

    page.get_by_role("link", name="Alle unge").click()
    page.get_by_label("Find med CPR-nummer").fill("1203104567")
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_url(re.compile(r"/youths/\d+$"))
    assert "4567" not in page.url  # the number never travels in the address
    expect(page.get_by_role("heading", name="Mikkel Bæk", level=1)).to_be_visible()

    page.get_by_role("button", name="Vis fuldt CPR-nummer").click()
    expect(page.get_by_text("120310-4567")).to_be_visible()


def test_a_refused_form_keeps_what_was_typed_and_shows_the_error_by_the_field(page, live_server):
    log_in(page, "boern")
    page.goto("/youths/new")
    page.get_by_label("CPR-nummer", exact=True).fill("300210-1234")
    page.get_by_label("Fornavn(e)").fill("Sofie")
    page.get_by_label("Efternavn").fill("Lund")
    page.get_by_role("button", name="Gem").click()
    error = page.locator("#f-cpr-error")
    assert "ikke en rigtig dato" in error.inner_text()
    assert page.get_by_label("Fornavn(e)").input_value() == "Sofie"
    expect(page.get_by_role("alert")).to_be_visible()
