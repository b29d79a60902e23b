from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def test_a_coordinator_draws_a_sample_reviews_a_case_and_opens_the_yearly_report(
    page, live_server
):
    log_in(page, "koordinator")
    page.goto("/youths/new")
    page.get_by_label("CPR-nummer", exact=True).fill("150612-4388")
    page.get_by_label("Fornavn(e)").fill("Tove")
    page.get_by_label("Efternavn").fill("Tilsynsen")
    page.get_by_label("Forventes støtte som voksen?").select_option("yes")
    page.get_by_label("Sagsbehandler på børneområdet").select_option(label="Boern Testesen")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r"/youths/\d+$"))

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Ledelsestilsyn").click()
    page.wait_for_url(re.compile(r"/reviews$"))
    page.get_by_role("link", name="Udtag en stikprøve").click()
    page.get_by_role("radio", name="Børneområdet").check()
    page.get_by_label("Antal sager").fill("50")
    page.get_by_label("Frø").fill("proeve-1")
    page.get_by_role("button", name="Udtag stikprøven").click()
    page.wait_for_url(re.compile(r"/reviews/samples/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Børneområdet")
    expect(page.get_by_text("proeve-1")).to_be_visible()

    page.get_by_role("link", name="Gennemgå af sagen om Tove Tilsynsen").click()
    page.wait_for_url(re.compile(r"/reviews/cases/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tove Tilsynsen")
    involvement = page.get_by_role(
        "group", name=re.compile("Din vurdering.*Det fremgår af sagen, hvordan"))
    involvement.get_by_role("radio", name="Opfyldt", exact=True).check()
    notes = page.get_by_role("group", name=re.compile("Din vurdering.*Sagsnotater"))
    notes.get_by_role("radio", name="Ikke opfyldt", exact=True).check()
    page.get_by_label("Bemærkning til punkt 9").fill("Afgørelsen mangler en begrundelse.")
    # The app found no agreement noted; the reviewer finds it in the case, and must say so.
    agreement = page.get_by_role("group", name=re.compile("Din vurdering.*Kommunikationsaftalen"))
    agreement.get_by_role("radio", name="Opfyldt", exact=True).check()
    page.get_by_label("Hvad skal der gøres?").fill("Skriv begrundelsen ind i afgørelsen.")
    page.get_by_role("button", name="Gem gennemgangen").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv, hvorfor din vurdering")
    expect(page.get_by_label("Hvad skal der gøres?")).to_have_value(
        "Skriv begrundelsen ind i afgørelsen.")
    page.get_by_label("Bemærkning til punkt 4").fill("Aftalt på mødet: Digital Post ved ændringer.")
    page.get_by_role("button", name="Gem gennemgangen").click()
    page.wait_for_url(re.compile(r"/reviews/samples/\d+(#case-\d+)?$"))
    row = page.get_by_role("row", name=re.compile("Tove Tilsynsen"))
    expect(row).to_contain_text("Gennemgået")

    page.goto("/reviews")
    page.get_by_role("link", name="Årsrapport").click()
    page.wait_for_url(re.compile(r"/reviews/report$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("årsrapport")
    children = page.locator("#area-children")
    expect(children).to_contain_text("1 sag gennemgået")
    expect(children.get_by_role("img", name=re.compile("Andel opfyldt pr. punkt"))).to_be_visible()
    expect(children.get_by_role("table")).to_contain_text("Sagsnotater")
    page.get_by_role("link", name="Udskriftsvenlig udgave").click()
    page.wait_for_url(re.compile(r"/reviews/report/print\?year=\d{4}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("årsrapport")
