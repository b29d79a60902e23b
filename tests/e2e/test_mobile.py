"""Browser journey at 390 px (a phone, or 400 % zoom): every page fits the width, and the
menu, the user's name and "Log ud" are in the menu behind the "Menu" button."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from app.db import make_engine, unit_of_work
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.youth import Youth
from tests.e2e.conftest import log_in

NARROW = {"width": 390, "height": 844}


def _youth(settings) -> int:
    with unit_of_work(make_engine(settings)) as session:
        youth = Youth(first_name="Ida", last_name="Lund-Kristiansen", birth_date=date(2009, 8, 1),
                      email="ida.lk@example.dk")
        session.add(youth)
        session.flush()
        person = Person(kind=PersonKind.PRIVATE, name="Karen Lund-Kristiansen",
                        email="karen.lk@example.dk", phone="22446688")
        session.add(person)
        session.flush()
        session.add(NetworkMember(youth_id=youth.id, person_id=person.id, sector=Sector.FAMILY,
                                  ring=1, role=NetworkRole.MOTHER, invited_to_meetings=True))
        session.flush()
        assert youth.id is not None
        return youth.id


def test_at_390_px_pages_fit_and_the_menu_holds_the_navigation_and_log_out(page, live_server):
    youth_id = _youth(live_server["settings"])
    page.set_viewport_size(NARROW)
    log_in(page, "koordinator")
    wide = {}
    for url in ("/", "/youths", f"/youths/{youth_id}", f"/youths/{youth_id}/network",
                f"/youths/{youth_id}/meetings", "/tasks", "/overview", "/profile"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide[url] = overflow
    assert wide == {}  # px beyond the screen's width, by page

    page.goto("/")
    desktop_menu = page.locator(".navigation-menu")
    expect(desktop_menu).to_be_hidden()
    expect(page.get_by_role("button", name="Log ud")).to_have_count(0)  # only in the menu
    menu = page.get_by_role("button", name="Menu", exact=True)
    expect(menu).to_be_visible()
    menu.click()
    drawer = page.get_by_role("navigation", name="Hovedmenu")
    expect(drawer).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement.textContent").strip() == "Luk menu"
    page.keyboard.press("Escape")  # closes and gives focus back to the button
    expect(drawer).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent").strip() == "Menu"

    menu.click()
    drawer.get_by_role("link", name="Unge").click()
    page.wait_for_url("**/youths")
    # the button still works after a boosted swap of the page
    page.get_by_role("button", name="Menu", exact=True).click()
    drawer = page.get_by_role("navigation", name="Hovedmenu")
    expect(drawer.get_by_role("link", name="Koordinator Testesen")).to_be_visible()
    drawer.get_by_role("button", name="Log ud").click()
    page.wait_for_url("**/login")
    page.goto("/profile")
    assert "/login" in page.url
