from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in


def test_a_coordinator_reads_the_monthly_overview_and_moves_between_months(page, live_server):
    log_in(page, "koordinator")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Månedsoverblik").click()
    page.wait_for_url(re.compile(r"/overview$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Månedsoverblik")
    this_month = heading.inner_text()
    expect(page.get_by_role("heading", name="Årgange")).to_be_visible()
    chart_table = page.get_by_role("table", name="18-års fødselsdage pr. måned og parathed")
    expect(chart_table).to_be_visible()

    page.get_by_role("link", name=re.compile("→$")).click()
    page.wait_for_url(re.compile(r"/overview\?month=\d{4}-\d{2}$"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text(this_month)

    page.goto("/overview?month=2026-13")
    expect(page.locator("#o-month-error")).to_contain_text("ÅÅÅÅ-MM")
