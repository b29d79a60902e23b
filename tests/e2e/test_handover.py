"""The handover journey: a caseworker records the mother's consent, hands two documents over
to the adult department, tries a third the consent does not cover and reads the refusal."""

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


def test_record_a_parents_consent_hand_over_two_documents_and_read_the_refusal(
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

    for key in ("ppr_assessment", "action_plan"):
        _hand_over(page, docs[key])
        expect(page.locator(f"#doc-{docs[key]} form:has(input[value=acknowledged])")
               ).to_be_visible()

    _hand_over(page, docs["school_statement"])
    refusal = page.locator("#handover .handover-refusal")
    expect(refusal).to_be_visible()
    with locale("da"):
        expected = str(Msg(N_("The consent from %(giver)s does not cover %(document)s."),
                           giver=Msg(N_("%(name)s (parent)"), name="Anne Overdrager"),
                           document="Statusudtalelse fra skole"))
    expect(refusal).to_contain_text(expected)
    # the refused document is still waiting; the two handed over stay handed over
    expect(page.locator(f"#doc-{docs['school_statement']} "
                        "form:has(input[value=handed_over])")).to_be_visible()

    page.goto(f"/youths/{youth_id}/consents")
    expect(page.locator(".consent-card")).to_contain_text("PPR-vurdering")
    expect(page.locator(".consent-card")).to_contain_text("Handleplan")
