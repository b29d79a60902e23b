"""JSON API for meetings: list, create, change and cancel, with the pages' validation and
access rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from app.clock import now as clock_now
from app.domain.youth import YouthData
from app.models.audit import AuditEvent
from app.models.meeting import Meeting
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.outbox import OutboxMessage
from app.models.user import Role
from app.models.youth import YouthStatus
from app.services import auth, youths
from tests.conftest import make_user, today_cph

DAY = (clock_now() + timedelta(days=20)).date()


def _bearer(session, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.issue_api_token(session, user)}"}


def _setup(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    youth = youths.create(session, settings, worker, YouthData(
        cpr="120309-4321", first_name="Freja", last_name="Holm", child_caseworker_id=worker.id,
        email="freja@example.dk"), today_cph())
    person = Person(kind=PersonKind.PRIVATE, name="Per Holm", phone="22334455")
    session.add(person)
    session.flush()
    member = NetworkMember(youth_id=youth.id, person_id=person.id, sector=Sector.FAMILY, ring=1,
                           role=NetworkRole.FATHER, invited_to_meetings=True)
    session.add(member)
    session.commit()
    return worker, youth, member


def _body(member, **kw):
    body = {"kind": "coordination", "day": DAY.isoformat(), "start_time": "10:00",
            "end_time": "11:00", "place_kind": "town_hall", "place_detail": "Lokale 1",
            "agenda": "Bolig", "invitees": [{"key": "y"},
                                            {"key": f"m{member.id}", "channel": "letter"}]}
    body.update(kw)
    return body


def test_a_meeting_is_planned_listed_moved_and_cancelled(client, session, settings):
    worker, youth, member = _setup(session, settings)
    headers = _bearer(session, worker)
    url = f"/api/v1/youths/{youth.id}/meetings"
    assert client.get(url, headers=headers).json() == {"youth_id": youth.id, "items": []}

    created = client.post(url, json=_body(member), headers=headers)
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert meeting["status"] == "planned" and meeting["sequence"] == 0
    assert {i["name"] for i in meeting["invitees"]} == {"Freja Holm", "Per Holm"}
    assert "cpr" not in created.text and "4321" not in created.text

    listed = client.get(url, headers=headers).json()["items"]
    assert [m["id"] for m in listed] == [meeting["id"]]
    assert client.get(f"{url}/{meeting['id']}", headers=headers).status_code == 200
    reads = session.exec(select(AuditEvent).where(AuditEvent.action == "read",
                                                  AuditEvent.youth_id == youth.id)).all()
    assert len(reads) >= 2

    moved = client.patch(f"{url}/{meeting['id']}", json={"start_time": "13:00",
                                                         "end_time": "14:00"}, headers=headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["sequence"] == 1 and moved.json()["place_detail"] == "Lokale 1"
    start = datetime.fromisoformat(moved.json()["starts_at"]).astimezone(settings.tz)
    assert (start.hour, start.minute) == (13, 0)

    cancelled = client.post(f"{url}/{meeting['id']}/cancel", json={"reason": "Syg"},
                            headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancel_reason"] == "Syg"
    again = client.patch(f"{url}/{meeting['id']}", json={"agenda": "x"}, headers=headers)
    assert again.status_code == 422
    kinds = [m.kind.value for m in session.exec(select(OutboxMessage)
                                                .order_by(OutboxMessage.id))]
    assert kinds == ["meeting_invite"] * 2 + ["meeting_update"] * 2 + ["meeting_cancel"] * 2


def test_bad_input_gets_422_with_field_errors(client, session, settings):
    worker, youth, member = _setup(session, settings)
    headers = _bearer(session, worker)
    url = f"/api/v1/youths/{youth.id}/meetings"

    def fields(response):
        assert response.status_code == 422, response.text
        return {d["field"] for d in response.json()["detail"]}

    assert "end_time" in fields(client.post(url, json=_body(member, end_time="09:00"),
                                            headers=headers))
    assert "place_detail" in fields(client.post(url, json=_body(member, place_detail=""),
                                                headers=headers))
    past = (today_cph() - timedelta(days=2)).isoformat()
    assert "day" in fields(client.post(url, json=_body(member, day=past), headers=headers))
    assert "agenda" in fields(client.post(url, json=_body(member, agenda="CPR 120309-4321"),
                                          headers=headers))
    assert "invitees" in fields(client.post(url, json=_body(member, invitees=[]),
                                            headers=headers))
    no_way = _body(member, invitees=[{"key": f"m{member.id}"}])
    assert f"inv_m{member.id}" in fields(client.post(url, json=no_way, headers=headers))
    assert "invitees" in fields(client.post(url, json=_body(member, invitees=[{"key": "m999"}]),
                                            headers=headers))
    assert session.exec(select(Meeting)).first() is None

    created = client.post(url, json=_body(member), headers=headers).json()
    assert "nonsense" in fields(client.patch(f"{url}/{created['id']}", json={"nonsense": 1},
                                             headers=headers))
    assert "end_time" in fields(client.patch(f"{url}/{created['id']}",
                                             json={"end_time": "08:00"}, headers=headers))


def test_a_youth_the_caller_may_not_see_answers_403_and_a_missing_one_404(
    client, session, settings
):
    worker, youth, member = _setup(session, settings)
    url = f"/api/v1/youths/{youth.id}/meetings"
    created = client.post(url, json=_body(member), headers=_bearer(session, worker)).json()
    youth.status = YouthStatus.TRANSFERRED
    youth.child_caseworker_id = worker.id
    session.add(youth)
    session.commit()
    stranger = make_user(session, Role.CHILD_CASEWORKER, "ulla", "Ulla Andersen")
    headers = _bearer(session, stranger)
    # the same rule as the young person's own address: 403 with the reason
    for response in (
        client.get(url, headers=headers),
        client.post(url, json=_body(member), headers=headers),
        client.get(f"{url}/{created['id']}", headers=headers),
        client.patch(f"{url}/{created['id']}", json={"agenda": "x"}, headers=headers),
        client.post(f"{url}/{created['id']}/cancel", headers=headers),
        client.get(f"/api/v1/youths/{youth.id}", headers=headers),
    ):
        assert response.status_code == 403
        assert response.json()["detail"] == "Du har ikke adgang til denne unge."
    assert client.get("/api/v1/youths/999999/meetings", headers=headers).status_code == 404

    # a meeting reached through another young person's address is not found either
    other = youths.create(session, settings, worker, YouthData(
        cpr="010108-1234", first_name="Ida", last_name="Berg", child_caseworker_id=worker.id),
        today_cph())
    mine = _bearer(session, worker)
    assert client.get(f"/api/v1/youths/{other.id}/meetings/{created['id']}",
                      headers=mine).status_code == 404
    assert client.post(f"/api/v1/youths/{other.id}/meetings/{created['id']}/cancel",
                       headers=mine).status_code == 404
