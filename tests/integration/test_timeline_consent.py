"""From 18 the timeline's 18-year step asks for the young person's own consent (or a
guardian's), and shows the consent part as done once it is recorded."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.clock import now as clock_now
from app.domain.consent import ConsentData
from app.domain.youth import YouthData
from app.models.handover import DocumentType
from app.models.user import Role
from app.services import handover, youths
from app.settings import Settings
from tests.conftest import login, make_user


def test_the_18_year_step_asks_for_and_then_shows_the_own_consent(
    client: TestClient, session: Session, settings: Settings
) -> None:
    kim = make_user(session, Role.COORDINATOR, "kim")
    today = clock_now().astimezone(settings.tz).date()
    born = today - relativedelta(years=18, months=1)
    youth = youths.create(session, settings, kim, YouthData(
        birth_date=born, birth_date_reason="Ikke tildelt endnu", first_name="Ida",
        last_name="Atten"), today)
    login(client, "kim")
    page = client.get(f"/youths/{youth.id}").text
    timeline = page[page.index('id="timeline"'):page.index('id="network"')]
    assert "Den unges eget samtykke (eller en værges) mangler." in timeline
    assert f'href="/youths/{youth.id}/consents/new"' in timeline

    ppr = session.exec(select(DocumentType).where(DocumentType.key == "ppr_assessment")).one()
    handover.record_consent(session, kim, youth.id or 0, ConsentData.model_validate({
        "giver": "youth", "purposes": ["share_with_adult_department"],
        "document_type_ids": [ppr.id], "recipients": ["adult_department"],
        "method": "written", "given_on": today.isoformat()}), today)
    page = client.get(f"/youths/{youth.id}").text
    timeline = page[page.index('id="timeline"'):page.index('id="network"')]
    assert "Samtykkedelen er udført" in timeline
