"""The flagging journey: a young person reaches 16½, the job run by `overgang run-jobs`
moves them into the transition, and only then does the adult department see them."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect
from sqlmodel import select

from app.db import make_engine, unit_of_work
from app.domain.youth import YouthData
from app.models.timeline import Completion, TimelineStep
from app.models.user import User
from app.models.youth import SupportExpected, Youth
from app.services import youths
from tests.conftest import CPH
from tests.e2e.conftest import log_in

FLAG_DAY = date(2027, 1, 15)
BIRTH = FLAG_DAY - relativedelta(years=16, months=6)  # 15 July 2010: 16½ on FLAG_DAY
CPR = f"{BIRTH:%d%m%y}-4012"  # 7th digit 4 and year 10: born in 2010


def _create_youth(live_server) -> int:  # type: ignore[no-untyped-def]
    settings = live_server["settings"]
    engine = make_engine(settings)
    try:
        with unit_of_work(engine) as session:
            boern = session.exec(select(User).where(User.username == "boern")).one()
            data = YouthData(cpr=CPR, first_name="Sigrid", last_name="Flagesen",
                             adult_support_expected=SupportExpected.YES,
                             child_caseworker_id=boern.id)
            youth = youths.create(session, settings, boern, data, date(2026, 6, 1))
            assert youth.birth_date == BIRTH and youth.flag_due_on == FLAG_DAY
            assert youth.id is not None
            return youth.id
    finally:
        engine.dispose()


def _stored(live_server, youth_id: int) -> Youth:  # type: ignore[no-untyped-def]
    engine = make_engine(live_server["settings"])
    try:
        with unit_of_work(engine) as session:
            youth = session.get(Youth, youth_id)
            assert youth is not None
            return youth
    finally:
        engine.dispose()


def _run_jobs(live_server, day: date) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """`overgang run-jobs --today DAY` in its own process, against the live database."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "run-jobs", "--today", day.isoformat()],
        env=live_server["env"], capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_job_moves_a_young_person_into_the_transition_and_the_adult_side_sees_them(
    page, live_server
):
    youth_id = _create_youth(live_server)
    link_name = "Flagesen, Sigrid"

    # Before: the adult caseworker neither finds nor opens the young person.
    log_in(page, "voksen")
    page.goto("/youths")
    expect(page.get_by_role("heading", name="Unge", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=link_name)).to_have_count(0)
    refused = page.goto(f"/youths/{youth_id}")
    assert refused is not None and refused.status == 403
    expect(page.get_by_text("Sigrid")).to_have_count(0)

    # The day before the flag date the job leaves them where they are.
    early = _run_jobs(live_server, FLAG_DAY - relativedelta(days=1))
    assert early.returncode == 0, early.stdout + early.stderr
    assert _stored(live_server, youth_id).flagged_at is None
    page.goto("/youths")
    expect(page.get_by_role("link", name=link_name)).to_have_count(0)

    # On the flag date it flags them.
    result = _run_jobs(live_server, FLAG_DAY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^flagging: [1-9]\d* flagged", result.stdout, re.MULTILINE), result.stdout
    assert "4012" not in result.stdout + result.stderr  # no CPR number in the job's output
    stored = _stored(live_server, youth_id)
    assert stored.flagged_at is not None and stored.transition_started_on == FLAG_DAY

    # After: listed in the register, and their page shows the transition has started.
    page.goto("/youths")
    page.get_by_role("link", name=link_name).click()
    page.wait_for_url(re.compile(rf"/youths/{youth_id}$"))
    expect(page.get_by_role("heading", name="Sigrid Flagesen", level=1)).to_be_visible()
    # in the summary at the top and on the timeline
    expect(page.locator(".summary-glance").get_by_text("I overgangen siden 15. januar 2027")
           ).to_be_visible()
    expect(page.locator("#timeline").get_by_text("I overgangen siden 15. januar 2027")
           ).to_be_visible()
    flag_row = page.get_by_role("row").filter(has_text="Flag: overgangen starter")
    expect(flag_row.locator(".step-status")).to_contain_text("Udført")


def _youth_with_steps(live_server) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A 17-year-old of the coordinator's, and the name of a step marked as done by hand."""
    settings = live_server["settings"]
    engine = make_engine(settings)
    today = datetime.now(CPH).date()
    try:
        with unit_of_work(engine) as session:
            coordinator = session.exec(select(User).where(User.username == "koordinator")).one()
            data = YouthData(birth_date=today - relativedelta(years=17, months=1),
                             birth_date_reason="Ikke tildelt endnu", first_name="Tove",
                             last_name="Fortrydesen")
            youth = youths.create(session, settings, coordinator, data, today)
            step = session.exec(select(TimelineStep).where(
                TimelineStep.key == "early_notice")).one()
            assert youth.id is not None and step.completion == Completion.MANUAL
            return youth.id, step.name
    finally:
        engine.dispose()


def test_marking_a_step_done_confirms_it_where_the_focus_goes_and_it_can_be_undone(
    page, live_server
):
    youth_id, step_name = _youth_with_steps(live_server)
    log_in(page, "koordinator")
    page.goto(f"/youths/{youth_id}")
    timeline = page.locator("#timeline")
    row = timeline.get_by_role("row").filter(has_text=step_name)

    row.locator("form[action$='/complete'] button").click()

    message = page.locator("#timeline .step-message [data-focus]")
    expect(message).to_contain_text(f"Trin markeret som udført: {step_name}.")
    expect(message).to_be_focused()  # not <body>: the change is announced where the focus is
    assert page.evaluate("document.activeElement.closest('#timeline .step-message') !== null")
    expect(page.locator("#timeline").get_by_role("row").filter(has_text=step_name)
           .locator(".step-status")).to_contain_text("Udført")

    undo = message.locator("form.undo-form button")
    expect(undo).to_contain_text("Fortryd")
    undo.click()

    undone = page.locator("#timeline .step-message [data-focus]")
    expect(undone).to_contain_text(f"Fortrudt: trinnet er åbent igen: {step_name}.")
    expect(undone).to_be_focused()
    expect(page.locator("#timeline").get_by_role("row").filter(has_text=step_name)
           .locator("form[action$='/complete'] button")).to_contain_text("Markér som udført")


def test_a_section_that_loads_itself_leaves_the_focus_and_the_scroll_alone(page, live_server):
    """The meetings section loads after the page (hx-trigger="load"): that is no action of the
    user's, so the page stays at its top and the focus is not moved into the section."""
    youth_id, _ = _youth_with_steps(live_server)
    log_in(page, "koordinator")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"/youths/{youth_id}")
    expect(page.locator("#meetings").get_by_role("link", name="Planlæg et møde")).to_be_visible()
    page.wait_for_timeout(300)  # htmx settles the swap after it is in the page
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.activeElement.closest('#meetings') === null")
