from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in

PEOPLE = [
    # (who, name, role, details)
    ("Pårørende eller privat netværk", "Anne Hansen", "Mor",
     {"#f-email": "anne@example.dk", "#f-custody_holder": True}),
    ("Pårørende eller privat netværk", "Peter Hansen", "Far",
     {"#f-phone": "20 30 40 50", "#f-custody_holder": True}),
    ("Pårørende eller privat netværk", "Sofie Hansen", "Søskende", {}),
    ("Pårørende eller privat netværk", "Mikkel Sørensen", "Ven", {"#f-youth_agreed": True}),
    ("Pårørende eller privat netværk", "Birthe Holm", "Bisidder", {}),
    ("Fagperson", "Lise Bjerre", "UU-vejleder",
     {"#f-organisation": "UU Egebjerg", "#f-email": "lise@uu.example"}),
    ("Fagperson", "Lone Winther", "PPR-psykolog", {"#f-organisation": "PPR Egebjerg"}),
    ("Fagperson", "Yusuf Demir", "Lærer", {"#f-organisation": "Egebjerg Skole"}),
]


def _create_youth(page) -> str:  # type: ignore[no-untyped-def]
    page.goto("/youths/new")
    page.get_by_label("CPR-nummer", exact=True).fill("050709-4321")
    page.get_by_label("Fornavn(e)").fill("Freja")
    page.get_by_label("Efternavn").fill("Østergaard")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r"/youths/\d+$"))
    return str(page.url)


def _add(page, who: str, name: str, role: str, details: dict) -> None:  # type: ignore[no-untyped-def]
    network = page.locator("#network")
    network.get_by_role("link", name="Tilføj en person").click()
    expect(page.get_by_role("heading", name="Tilføj en person til netværket")).to_be_visible()
    page.get_by_role("radio", name=who).check()
    page.get_by_label("Navn", exact=True).fill(name)
    page.get_by_label("Rolle eller relation", exact=True).select_option(label=role)
    for selector, value in details.items():
        if value is True:
            page.locator(selector).check()
        else:
            page.locator(selector).fill(value)
    page.get_by_role("button", name="Tilføj til netværket").click()
    expect(network.get_by_text(f"{name} er tilføjet netværket.")).to_be_visible()


def test_a_caseworker_builds_a_network_of_eight_people_and_sees_the_map(page, live_server):
    log_in(page, "koordinator")
    youth_url = _create_youth(page)
    page.get_by_role("link", name="Netværkskort", exact=True).click()
    for who, name, role, details in PEOPLE:
        _add(page, who, name, role, details)
    assert page.url.startswith(youth_url)  # htmx: no full page load, the address stays

    network = page.locator("#network")
    expect(network.locator("svg.network-map g.net-member")).to_have_count(8)
    expect(network.locator("table.network-table tbody tr")).to_have_count(8)
    expect(network.locator(".net-sector-title")).to_have_text(
        ["Familie (4)", "Venner og fritid (1)", "Skole, uddannelse og arbejde (1)",
         "Fagpersoner (2)"])

    # move Sofie to the friends' sector, the outer circle
    network.get_by_role("link", name="Flyt Sofie Hansen").click()
    page.get_by_label("Felt", exact=True).select_option(label="Venner og fritid")
    page.get_by_label("Cirkel", exact=True).select_option("3")
    page.get_by_role("button", name="Flyt", exact=True).click()
    expect(network.get_by_text("Sofie Hansen er flyttet.")).to_be_visible()
    expect(network.locator(".net-sector-title").first).to_have_text("Familie (3)")

    # remove Birthe: the page asks first
    network.get_by_role("link", name="Fjern Birthe Holm").click()
    expect(page.get_by_role("heading", name="Fjern Birthe Holm fra netværket?")).to_be_visible()
    page.get_by_role("button", name="Ja, fjern Birthe Holm").click()
    expect(network.get_by_text("Birthe Holm er fjernet fra netværket.")).to_be_visible()
    expect(network.locator("svg.network-map g.net-member")).to_have_count(7)

    # the map on its own page, for printing; axe checks it as well
    network.get_by_role("link", name="Åbn kortet til udskrift").click()
    page.wait_for_url(re.compile(r"/youths/\d+/network$"))
    svg = page.get_by_role("img", name="Netværkskort for Freja Østergaard")
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 600
    expect(page.get_by_role("table")).to_contain_text("PPR-psykolog")
    # the add form as a page of its own (without JavaScript), so axe checks the form too
    page.goto(page.url + "/members/new")
    expect(page.get_by_role("heading", name="Tilføj en person til netværket")).to_be_visible()
