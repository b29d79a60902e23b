"""The handover journey: a caseworker records the mother's consent, reads which documents it
covers before any click, hands one over from its row (the confirmation takes the focus) and
the rest the consent covers through "hand over all" and its confirmation."""

from __future__ import annotations

import re
from datetime import datetime

from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect
from sqlmodel import select

from app.db import make_engine, unit_of_work
from app.domain.network_input import MemberData
from app.domain.youth import YouthData
from app.i18n import N_, Msg, locale
from app.models.handover import DocumentType, HandoverDocument
from app.models.user import User
from app.services import handover, network, youths
from tests.conftest import CPH
from tests.e2e.conftest import log_in


def _setup(live_server) -> tuple[int, int, dict[str, int], dict[str, int]]:  # type: ignore[no-untyped-def]
    """A 17-year-old with a mother who holds custody (made through the services)."""
    settings = live_server["settings"]
    engine = make_engine(settings)
    today = datetime.now(CPH).date()  # the server's day in Copenhagen
    try:
        with unit_of_work(engine) as session:
            coordinator = session.exec(select(User).where(User.username == "koordinator")).one()
            data = YouthData(birth_date=today - relativedelta(years=17, months=3),
                             birth_date_reason="Ikke tildelt endnu", first_name="Maja",
                             last_name="Overdrager")
            youth = youths.create(session, settings, coordinator, data, today)
            assert youth.id is not None
            mother = network.add_member(session, coordinator, youth.id, MemberData(
                kind="private", name="Anne Overdrager", role="mother", custody_holder=True),
                today)
            types = {t.key: t.id for t in session.exec(select(DocumentType))}
            handover.checklist(session, youth)
            docs = {
                key: row.id for key, type_id in types.items()
                for row in session.exec(select(HandoverDocument).where(
                    HandoverDocument.youth_id == youth.id,
                    HandoverDocument.document_type_id == type_id))
            }
            return youth.id, mother.id, types, docs  # type: ignore[return-value]
    finally:
        engine.dispose()


def _hand_over(page, document_id: int) -> None:  # type: ignore[no-untyped-def]
    row = page.locator(f"#doc-{document_id}")
    row.locator("form:has(input[name=status][value=handed_over]) button").click()


def test_record_a_parents_consent_see_what_it_covers_and_hand_over_what_it_covers(
        page, live_server):  # type: ignore[no-untyped-def]
    youth_id, mother_id, types, docs = _setup(live_server)
    log_in(page, "koordinator")

    page.goto(f"/youths/{youth_id}")
    page.locator(f"#handover a[href='/youths/{youth_id}/consents/new']").click()
    page.wait_for_url(f"**/youths/{youth_id}/consents/new")
    page.locator("#f-giver").select_option(str(mother_id))
    for key in ("ppr_assessment", "action_plan"):
        page.locator(f"input[name=document_type_ids][value='{types[key]}']").check()
    page.locator("form.consent-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/youths/{youth_id}(#handover)?$"))

    section = page.locator("#handover")
    expect(section.locator(".consent-item")).to_contain_text("Anne Overdrager")

    # before any click: which consent covers each document, and no handover where none does
    school = page.locator(f"#doc-{docs['school_statement']}")
    with locale("da"):
        expected = str(Msg(N_("The consent from %(giver)s does not cover %(document)s."),
                           giver=Msg(N_("%(name)s (parent)"), name="Anne Overdrager"),
                           document="Statusudtalelse fra skole"))
    expect(school.locator(".coverage-no")).to_contain_text(expected)
    expect(school.locator("form:has(input[value=handed_over])")).to_have_count(0)
    expect(page.locator(f"#doc-{docs['ppr_assessment']} .coverage-yes")).to_contain_text(
        "Dækket af samtykket fra Anne Overdrager (forælder)")

    _hand_over(page, docs["ppr_assessment"])
    confirmation = page.locator("#handover .handover-status [data-focus]")
    expect(confirmation).to_contain_text("Dokumentet er overdraget: PPR-vurdering.")
    expect(confirmation).to_be_focused()
    expect(page.locator(f"#doc-{docs['ppr_assessment']} form:has(input[value=acknowledged])")
           ).to_be_visible()

    # the one primary action: everything still covered, through a confirmation
    page.locator("#handover a.button-primary").click()
    page.wait_for_url(f"**/youths/{youth_id}/handover/all")
    listed = page.locator(".hand-over-all-table tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Handleplan")
    expect(listed).to_contain_text("Dækket af samtykket fra Anne Overdrager (forælder)")
    page.get_by_role("button", name="Ja, overdrag 1 dokument").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dokumenterne er overdraget")

    page.goto(f"/youths/{youth_id}")
    expect(page.locator(f"#doc-{docs['action_plan']} form:has(input[value=acknowledged])")
           ).to_be_visible()
    expect(page.locator(f"#doc-{docs['school_statement']}")).to_contain_text("Mangler")

    page.goto(f"/youths/{youth_id}/consents")
    expect(page.locator(".consent-card")).to_contain_text("PPR-vurdering")
    expect(page.locator(".consent-card")).to_contain_text("Handleplan")
