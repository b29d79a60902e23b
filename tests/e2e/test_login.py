from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def test_a_caseworker_logs_in_sees_danish_navigation_and_logs_out(page, live_server):
    page.goto("/")
    assert "/login" in page.url  # not logged in: sent to the login page
    page.get_by_label("Brugernavn").fill("boern")
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_text("Forkert brugernavn eller adgangskode")).to_be_visible()
    assert page.get_by_label("Brugernavn").input_value() == "boern"  # nothing typed is lost
    log_in(page, "boern")
    expect(page.get_by_role("heading", name="Velkommen, Boern Testesen")).to_be_visible()
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_visible()
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url("**/login")
    page.goto("/profile")
    assert "/login" in page.url


def test_the_skip_link_and_the_accessibility_statement_are_reachable(page, live_server):
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Gå til sidens indhold"
    page.get_by_role("link", name="Tilgængelighedserklæring").click()
    page.wait_for_url("**/tilgaengelighed")
    expect(page.get_by_role("heading", name="Tilgængelighedserklæring", level=1)).to_be_visible()


def test_an_unknown_page_gets_a_friendly_danish_404(page, live_server):
    log_in(page, "admin")
    response = page.goto("/findes-ikke")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Siden findes ikke")).to_be_visible()


def test_the_axe_check_itself_catches_a_serious_violation(browser):
    from tests.e2e.conftest import run_axe

    context = browser.new_context()
    page = context.new_page()
    page.goto("data:text/html,<html lang=da><title>t</title><main><input type=text></main></html>")
    problems = run_axe(browser, page)
    context.close()
    assert any(p.startswith("label") for p in problems), problems
