"""The start page in the browser: a caseworker follows an overdue first coordination meeting
from the start page to the new-meeting form of that young person, and the count beside
"Mine opgaver" is read out as tasks; a coordinator has the month at a glance. axe checks
every page visited (the `page` fixture)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect

from app.db import make_engine, unit_of_work
from app.domain.youth import YouthData
from app.models.user import Role
from app.models.youth import SupportExpected
from app.services import auth, youths
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import log_in


def _caseworker_with_an_overdue_first_meeting(live_server) -> int:  # type: ignore[no-untyped-def]
    """A caseworker of their own (other journeys add tasks for "boern") and one young person
    who turned 17 two months ago: the first coordination meeting is overdue."""
    settings = live_server["settings"]
    engine = make_engine(settings)
    try:
        with unit_of_work(engine) as session:
            worker = auth.create_user(
                session, username="startside", full_name="Sofie Startside",
                email="startside@kommune.example", role=Role.CHILD_CASEWORKER,
                password=TEST_PASSWORD)
            birth = date.today() - relativedelta(years=17, months=2)
            data = YouthData(birth_date=birth, birth_date_reason="Test", first_name="Vilma",
                             last_name="Startsen", adult_support_expected=SupportExpected.YES,
                             child_caseworker_id=worker.id)
            youth = youths.create(session, settings, worker, data, date.today())
            assert youth.id is not None
            return youth.id
    finally:
        engine.dispose()


def test_the_start_page_leads_from_an_overdue_first_meeting_to_planning_it(
    page, live_server  # type: ignore[no-untyped-def]
) -> None:
    youth_id = _caseworker_with_an_overdue_first_meeting(live_server)
    log_in(page, "startside")

    steps = page.get_by_role("region", name="Trin med frist")
    expect(steps).to_contain_text("Første koordineringsmøde")
    nav = page.get_by_role("navigation", name="Hovedmenu").first
    expect(nav.get_by_role("link", name="Mine opgaver")).to_contain_text("opgaver")
    steps.get_by_role("link", name="Planlæg mødet for Vilma Startsen").click()
    page.wait_for_url(f"**/youths/{youth_id}/meetings/new")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_coordinator_has_the_month_at_a_glance(page, live_server) -> None:  # type: ignore[no-untyped-def]
    log_in(page, "koordinator")
    expect(page.get_by_role("heading", name="Måneden i overblik")).to_be_visible()
    expect(page.get_by_role("region", name="Snart 18 uden voksensagsbehandler")).to_be_visible()
    page.get_by_role("link", name="Se månedsoverblikket").click()
    page.wait_for_url("**/overview")
