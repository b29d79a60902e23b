from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def test_a_caseworker_sends_the_information_meeting_letter_and_finds_its_copy(
    page, live_server
):
    log_in(page, "boern")
    page.goto("/youths/new")
    page.get_by_label("CPR-nummer", exact=True).fill("120609-4321")
    page.get_by_label("Fornavn(e)").fill("Ida")
    page.get_by_label("Efternavn").fill("Brevsen")
    page.get_by_label("Forventes støtte som voksen?").select_option("yes")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r"/youths/\d+$"))

    page.locator("#letters").get_by_role("link", name="Skriv et brev").click()
    page.get_by_label("Brev", exact=True).select_option("info_meeting_18")
    page.get_by_role("button", name="Opdatér forhåndsvisningen").click()
    page.get_by_label("Dato og tid for mødet").fill("torsdag den 4. marts kl. 17")
    page.get_by_label("Sted").fill("Rådhuset, mødelokale 2")
    page.get_by_role("button", name="Opdatér forhåndsvisningen").click()
    preview = page.locator(".letter-preview")
    expect(preview).to_contain_text("Tid: torsdag den 4. marts kl. 17")
    expect(preview).to_contain_text("Kære Ida")

    page.get_by_role("button", name="Send brevet").click()
    page.wait_for_url(re.compile(r"/youths/\d+(#letters)?$"))
    copies = page.locator("#letters")
    copies.get_by_role("link", name="Kom til møde om at fylde 18 år").click()
    expect(page.locator(".letter-body")).to_contain_text("Sted: Rådhuset, mødelokale 2")


def test_an_administrator_sees_the_lix_score_and_an_unknown_placeholder_is_named(
    page, live_server
):
    log_in(page, "admin")
    page.goto("/admin/letters")
    page.get_by_role("link", name="Møde aflyst").click()
    expect(page.locator(".lix-score")).to_contain_text("Let at læse")
    body = page.get_by_label("Tekst", exact=True)
    body.fill("Mødet om {fornavn} er aflyst. Skriv til {sagsbehandler}.")
    page.get_by_role("button", name="Gem skabelon").click()
    expect(page.locator("#f-body-error")).to_contain_text("Ukendt flettefelt {sagsbehandler}")
    expect(body).to_have_value("Mødet om {fornavn} er aflyst. Skriv til {sagsbehandler}.")
