"""The flagging journey: a young person reaches 16½, the job run by `overgang run-jobs`
moves them into the transition, and only then does the adult department see them."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect
from sqlmodel import select

from app.db import make_engine, unit_of_work
from app.domain.youth import YouthData
from app.models.user import User
from app.models.youth import SupportExpected, Youth
from app.services import youths
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
