"""Inquiries: logged with a due time 48 working hours on, acknowledged and answered,
escalated once when nobody acknowledged them, shown first in "My tasks", and the API."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.domain.inquiry import InquiryData
from app.domain.youth import YouthData
from app.models.inquiry import Inquiry, InquirySender
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import Role, User
from app.models.youth import Channel, EventKind, SupportExpected, Youth, YouthEvent
from app.services import inquiries, youths
from app.settings import Settings
from tests.conftest import csrf_from, login, make_user

CPH = ZoneInfo("Europe/Copenhagen")
# The Thursday after Easter 2027, late afternoon: everything below lies in the past.
NOW = datetime(2027, 4, 1, 16, 0, tzinfo=CPH)


def _youth(session: Session, settings: Settings, actor: User, **extra: object) -> Youth:
    data = YouthData(cpr="1503104321", first_name="Maja", last_name="Henvendelse",
                     adult_support_expected=SupportExpected.YES, **extra)  # type: ignore[arg-type]
    return youths.create(session, settings, actor, data, date(2027, 1, 4))


def _client(client: TestClient, username: str) -> tuple[TestClient, str]:
    client.app.state.clock.set(NOW)  # type: ignore[attr-defined]
    return client, login(client, username)


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Inquiry)).one()


def test_an_inquiry_on_the_wednesday_before_easter_is_due_after_easter(
    client: TestClient, session: Session, settings: Settings
) -> None:
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette")
    youth = _youth(session, settings, worker, child_caseworker_id=worker.id)
    client, _token = _client(client, "mette")
    page = client.get(f"/youths/{youth.id}/inquiries/new")
    assert page.status_code == 200
    response = client.post(f"/youths/{youth.id}/inquiries", data={
        "csrf_token": csrf_from(page.text), "received_on": "2027-03-24",
        "received_time": "14:00", "channel": "phone", "sender_kind": "family",
        "sender_name": "Mor", "summary": "Spørger til støtte efter 18 år.",
    })
    assert response.status_code == 303
    row = session.exec(select(Inquiry)).one()
    # Skærtorsdag, Langfredag, the weekend and 2. påskedag do not count.
    assert row.due_at.astimezone(CPH) == datetime(2027, 3, 31, 14, 0, tzinfo=CPH)
    view = client.get(f"/youths/{youth.id}")
    assert "31. marts 2027 kl. 14:00" in view.text
    assert session.exec(select(YouthEvent).where(
        YouthEvent.kind == EventKind.INQUIRY_RECEIVED)).one()


def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    client: TestClient, session: Session, settings: Settings
) -> None:
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette")
    youth = _youth(session, settings, worker, child_caseworker_id=worker.id)
    client, _token = _client(client, "mette")
    token = csrf_from(client.get(f"/youths/{youth.id}/inquiries/new").text)
    base = {"csrf_token": token, "received_on": "2027-03-24", "received_time": "14:00",
            "channel": "phone", "sender_kind": "family", "summary": "Spørgsmål"}

    url = f"/youths/{youth.id}/inquiries"
    future = client.post(url, data={**base, "received_on": "2027-04-02"})
    assert future.status_code == 400
    assert "kan ikke være modtaget i fremtiden" in future.text
    script = client.post(f"/youths/{youth.id}/inquiries",
                         data={**base, "summary": "<script>alert(1)</script>"})
    assert script.status_code == 400
    assert "<script>alert(1)</script>" not in script.text  # escaped, kept in the field
    impossible = client.post(url, data={**base, "received_on": "2027-02-30"})
    assert impossible.status_code == 400
    assert _count(session) == 0


def test_answering_before_the_inquiry_is_refused_and_answering_acknowledges(
    client: TestClient, session: Session, settings: Settings
) -> None:
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette")
    youth = _youth(session, settings, worker, child_caseworker_id=worker.id)
    data = InquiryData(received_on=date(2027, 3, 29), received_time=time(10, 0),
                       channel=Channel.EMAIL, sender_kind=InquirySender.YOUTH, summary="Hej")
    row = inquiries.create(session, settings, worker, youth.id or 0, data, NOW)
    client, _token = _client(client, "mette")
    token = csrf_from(client.get(f"/inquiries/{row.id}/answer").text)
    early = client.post(f"/inquiries/{row.id}/answer", data={
        "csrf_token": token, "answered_on": "2027-03-28", "answered_time": "09:00"})
    assert early.status_code == 400
    assert "før henvendelsen blev modtaget" in early.text
    ok = client.post(f"/inquiries/{row.id}/answer", data={
        "csrf_token": token, "answered_on": "2027-03-30", "answered_time": "09:00",
        "note": "Ringede tilbage."})
    assert ok.status_code == 303
    session.expire_all()
    saved = session.get(Inquiry, row.id)
    assert saved is not None and saved.answered_by_id == worker.id
    assert saved.acknowledged_at == saved.answered_at


def test_a_closing_day_moves_the_due_time(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_user(session, Role.ADMIN, "admin")
    worker = make_user(session, Role.CHILD_CASEWORKER)
    youth = _youth(session, settings, worker, child_caseworker_id=worker.id)
    client, _token = _client(client, "admin")
    token = csrf_from(client.get("/admin/closing-days").text)
    added = client.post("/admin/closing-days", data={
        "csrf_token": token, "day": "2027-03-22", "reason": "Personaledag"})
    assert added.status_code == 303
    twice = client.post("/admin/closing-days", data={"csrf_token": token, "day": "2027-03-22"})
    assert twice.status_code == 400
    data = InquiryData(received_on=date(2027, 3, 19), received_time=time(12, 0),
                       channel=Channel.PHONE, sender_kind=InquirySender.FAMILY, summary="Hej")
    row = inquiries.create(session, settings, worker, youth.id or 0, data, NOW)
    # Friday 12:00 + 48 working hours: Monday is closed, so Wednesday 12:00.
    assert row.due_at.astimezone(CPH) == datetime(2027, 3, 24, 12, 0, tzinfo=CPH)


def test_escalation_goes_once_to_the_buddy_and_the_coordinator_without_names(
    session: Session, settings: Settings
) -> None:
    child = make_user(session, Role.CHILD_CASEWORKER)
    buddy = make_user(session, Role.ADULT_CASEWORKER)
    coordinator = make_user(session, Role.CHILD_CASEWORKER)
    youth = _youth(session, settings, child, child_caseworker_id=child.id,
                   coordinator_id=coordinator.id, buddy_id=buddy.id)
    data = InquiryData(received_on=date(2027, 3, 29), received_time=time(10, 0),
                       channel=Channel.EMAIL, sender_kind=InquirySender.YOUTH, summary="Hej")
    late = inquiries.create(session, settings, child, youth.id or 0, data, NOW)
    acknowledged = inquiries.create(session, settings, child, youth.id or 0, data, NOW)
    inquiries.acknowledge(session, child, acknowledged.id or 0, NOW)

    before_due = datetime(2027, 3, 31, 9, 0, tzinfo=CPH)
    assert inquiries.escalate_due(session, settings, before_due) == 0
    assert inquiries.escalate_due(session, settings, NOW) == 1
    assert inquiries.escalate_due(session, settings, NOW) == 0  # run twice: sent once

    messages = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.INQUIRY_ESCALATED)).all()
    assert sorted(m.recipient_email or "" for m in messages) == sorted(
        [buddy.email, coordinator.email])
    for message in messages:
        assert "Maja" not in message.body and "150310" not in message.body
        assert f"/youths/{youth.id}" in message.body
    session.expire_all()
    assert session.get(Inquiry, late.id).escalated_at is not None  # type: ignore[union-attr]


def test_my_tasks_shows_due_inquiries_first_and_only_my_own(
    client: TestClient, session: Session, settings: Settings
) -> None:
    mine = make_user(session, Role.CHILD_CASEWORKER, "mette")
    other = make_user(session, Role.CHILD_CASEWORKER)
    own = _youth(session, settings, mine, child_caseworker_id=mine.id)
    data = InquiryData(received_on=date(2027, 3, 29), received_time=time(10, 0),
                       channel=Channel.EMAIL, sender_kind=InquirySender.YOUTH,
                       summary="Spørgsmål om bolig")
    inquiries.create(session, settings, mine, own.id or 0, data, NOW)
    not_mine = youths.create(session, settings, other, YouthData(
        cpr="1604104321", first_name="Anden", last_name="Ung",
        adult_support_expected=SupportExpected.YES, child_caseworker_id=other.id,
    ), date(2027, 1, 4))
    inquiries.create(session, settings, other, not_mine.id or 0,
                     data.model_copy(update={"summary": "Ikke min sag"}), NOW)
    client, _token = _client(client, "mette")
    page = client.get("/tasks").text
    assert "Henvendelser, der skal besvares" in page
    assert "Spørgsmål om bolig" in page and "Ikke min sag" not in page
    assert page.index("Spørgsmål om bolig") < page.index("<h2>Trin</h2>")


def test_the_api_lists_and_creates_inquiries_with_their_due_time(
    client: TestClient, session: Session, settings: Settings
) -> None:
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette")
    make_user(session, Role.ADULT_CASEWORKER, "lars")
    youth = _youth(session, settings, worker, child_caseworker_id=worker.id)
    client, token = _client(client, "mette")
    created = client.post(f"/api/v1/youths/{youth.id}/inquiries", headers={"X-CSRF-Token": token},
                          json={"received_on": "2027-03-24", "received_time": "14:00",
                                "channel": "email", "sender_kind": "youth", "summary": "Hej"})
    assert created.status_code == 201, created.text
    assert created.json()["due_at"] == "2027-03-31T12:00:00+00:00"
    listed = client.get(f"/api/v1/youths/{youth.id}/inquiries").json()
    assert [i["id"] for i in listed] == [created.json()["id"]]
    bad = client.post(f"/api/v1/youths/{youth.id}/inquiries", headers={"X-CSRF-Token": token},
                      json={"received_on": "2027-03-24", "received_time": "14:00",
                            "channel": "email", "sender_kind": "youth", "summary": ""})
    assert bad.status_code == 422
    assert session.exec(select(func.count()).select_from(Inquiry)).one() == 1
    client.cookies.clear()
    client, _token = _client(client, "lars")
    assert client.get(f"/api/v1/youths/{youth.id}/inquiries").status_code == 403
    assert client.get("/api/v1/youths/999999/inquiries").status_code == 404
    assert session.exec(select(func.count()).select_from(Inquiry).where(
        col(Inquiry.youth_id) == youth.id)).one() == 1
