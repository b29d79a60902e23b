from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def test_an_inquiry_logged_the_wednesday_before_easter_is_due_the_wednesday_after(
    page, live_server
):
    log_in(page, "boern")
    page.goto("/youths/new")
    page.get_by_label("CPR-nummer", exact=True).fill("010409-4321")
    page.get_by_label("Fornavn(e)").fill("Asta")
    page.get_by_label("Efternavn").fill("Påske")
    page.get_by_label("Forventes støtte som voksen?").select_option("yes")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r"/youths/\d+$"))

    page.get_by_role("link", name="Registrér en henvendelse").click()
    page.get_by_label("Modtaget den").fill("2026-04-01")
    page.get_by_label("kl.").fill("14:00")
    page.get_by_label("Hvordan kom den?").select_option("phone")
    page.get_by_label("Fra hvem?").select_option("family")
    page.get_by_label("Hvad handler den om?").fill("Mor spørger, hvad der sker ved 18 år.")
    page.get_by_role("button", name="Gem henvendelsen").click()
    page.wait_for_url(re.compile(r"/youths/\d+(#inquiries)?$"))

    section = page.locator("#inquiries")
    expect(section.get_by_text("Mor spørger, hvad der sker ved 18 år.")).to_be_visible()
    # Skærtorsdag, Langfredag, the weekend and 2. påskedag do not count.
    expect(section.get_by_text("8. april 2026 kl. 14:00")).to_be_visible()
