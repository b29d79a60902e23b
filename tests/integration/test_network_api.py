"""The network of a young person through /api/v1/youths/{id}/network."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from app.clock import now as clock_now
from app.models.network import NetworkMember, Person
from app.models.user import Role
from app.models.youth import EventKind, Youth, YouthEvent, YouthStatus
from app.services import auth
from tests.conftest import make_user

MOTHER = {"kind": "private", "name": "Anne Hansen", "email": "anne@example.dk",
          "role": "mother", "ring": 1, "custody_holder": True}
UU = {"kind": "professional", "name": "Lise Bjerre", "email": "lise.bjerre@uu.example",
      "organisation": "UU Egebjerg", "role": "uu_counsellor"}


def _bearer(session, role: Role, username: str) -> dict[str, str]:
    user = make_user(session, role, username)
    return {"Authorization": f"Bearer {auth.issue_api_token(session, user)}"}


def _youth(session, first_name: str = "Freja", **values) -> Youth:
    youth = Youth(first_name=first_name, last_name="Østergaard", birth_date=date(2010, 3, 4),
                  **values)
    session.add(youth)
    session.commit()
    return youth


def test_it_reads_and_builds_a_network(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    youth = _youth(session)
    url = f"/api/v1/youths/{youth.id}/network"
    empty = client.get(url, headers=headers)
    assert empty.status_code == 200 and empty.json() == {"youth_id": youth.id, "members": []}

    mother = client.post(f"{url}/members", json=MOTHER, headers=headers)
    assert mother.status_code == 201, mother.text
    assert mother.json()["sector"] == "family" and mother.json()["role_kind"] == "relative"
    uu = client.post(f"{url}/members", json=UU, headers=headers)
    assert uu.status_code == 201
    body = uu.json()
    assert (body["sector"], body["ring"], body["kind"]) == ("professionals", 2, "professional")

    listed = client.get(url, headers=headers).json()["members"]
    assert [m["name"] for m in listed] == ["Anne Hansen", "Lise Bjerre"]
    one = client.get(f"{url}/members/{body['id']}", headers=headers)
    assert one.status_code == 200 and one.json()["organisation"] == "UU Egebjerg"


def test_it_moves_changes_and_removes_a_member_with_an_event_for_each(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    youth = _youth(session)
    url = f"/api/v1/youths/{youth.id}/network/members"
    member_id = client.post(url, json=UU, headers=headers).json()["id"]

    moved = client.patch(f"{url}/{member_id}", json={"sector": "school_work", "ring": 3},
                         headers=headers)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["sector"], moved.json()["ring"]) == ("school_work", 3)
    changed = client.patch(f"{url}/{member_id}", json={"phone": "+45 72 36 50 00",
                                                        "youth_agreed": True}, headers=headers)
    assert changed.json()["phone"] == "+45 72 36 50 00" and changed.json()["youth_agreed"]
    assert client.delete(f"{url}/{member_id}", headers=headers).status_code == 204
    assert client.get(f"{url}/{member_id}", headers=headers).status_code == 404

    kinds = list(session.exec(select(YouthEvent.kind).where(YouthEvent.youth_id == youth.id)
                              .order_by(col(YouthEvent.id))))
    assert kinds == [EventKind.NETWORK_MEMBER_ADDED, EventKind.NETWORK_MEMBER_CHANGED,
                     EventKind.NETWORK_MEMBER_MOVED, EventKind.NETWORK_MEMBER_CHANGED,
                     EventKind.NETWORK_MEMBER_REMOVED]


def test_bad_input_answers_422_and_a_duplicate_409(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    youth = _youth(session)
    url = f"/api/v1/youths/{youth.id}/network/members"
    bad = client.post(url, json={**MOTHER, "email": "anne(at)example.dk", "phone": "123"},
                      headers=headers)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"email", "phone"}
    assert "gyldig e-mailadresse" in bad.text
    assert client.post(url, json={**MOTHER, "ring": 4}, headers=headers).status_code == 422
    assert client.post(url, json={"role": "mother"}, headers=headers).status_code == 422
    huge = client.post(url, json={"person_id": 10**12, "role": "gp"}, headers=headers)
    assert huge.status_code == 422  # refused, not a database error

    assert client.post(url, json=MOTHER, headers=headers).status_code == 201
    dup = client.post(url, json={**MOTHER, "name": "ANNE HANSEN"}, headers=headers)
    assert dup.status_code == 409
    assert dup.json()["detail"] == [{"field": "name",
                                     "message": "Anne Hansen er allerede i netværket."}]
    unknown = client.patch(f"{url}/1", json={"youth_id": 99}, headers=headers)
    assert unknown.status_code == 422


def test_a_null_directory_id_is_a_new_person_and_answers_422_not_500(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    youth = _youth(session)
    url = f"/api/v1/youths/{youth.id}/network/members"
    response = client.post(url, json={"person_id": None, "role": "teacher"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [  # every error of the body at once
        {"field": "kind", "message": "Vælg pårørende eller fagperson."},
        {"field": "name", "message": "Feltet skal udfyldes."}]
    added = client.post(url, json={**UU, "person_id": None}, headers=headers)
    assert added.status_code == 201


def test_an_adult_gets_no_custody_holder_through_the_api_either(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    adult = _youth(session)
    adult.birth_date = date(2000, 1, 1)
    session.add(adult)
    session.commit()
    response = client.post(f"/api/v1/youths/{adult.id}/network/members", json=MOTHER,
                           headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "custody_holder"
    assert "ophørte, da den unge fyldte 18" in response.text


def test_a_directory_entry_is_reused_by_id_in_another_network(client, session):
    headers = _bearer(session, Role.COORDINATOR, "kim")
    freja, mikkel = _youth(session), _youth(session, first_name="Mikkel")
    first = client.post(f"/api/v1/youths/{freja.id}/network/members", json=UU, headers=headers)
    person_id = first.json()["person_id"]
    again = client.post(f"/api/v1/youths/{mikkel.id}/network/members",
                        json={"person_id": person_id, "role": "uu_counsellor", "ring": 1},
                        headers=headers)
    assert again.status_code == 201 and again.json()["person_id"] == person_id
    assert len(session.exec(select(Person)).all()) == 1


def test_access_is_checked_for_the_young_person_and_for_each_member(client, session):
    kim = _bearer(session, Role.COORDINATOR, "kim")
    sara = _bearer(session, Role.CHILD_CASEWORKER, "sara")
    freja = _youth(session)
    hidden = _youth(session, first_name="Skjult", status=YouthStatus.TRANSFERRED)
    member_id = client.post(f"/api/v1/youths/{freja.id}/network/members", json=MOTHER,
                            headers=kim).json()["id"]

    assert client.get(f"/api/v1/youths/{hidden.id}/network", headers=sara).status_code == 403
    assert client.post(f"/api/v1/youths/{hidden.id}/network/members", json=UU,
                       headers=sara).status_code == 403
    assert client.get("/api/v1/youths/999999/network", headers=kim).status_code == 404
    # a member id is found only through the young person it belongs to
    other = f"/api/v1/youths/{hidden.id}/network/members/{member_id}"
    assert client.get(other, headers=kim).status_code == 404
    assert client.patch(other, json={"ring": 3}, headers=kim).status_code == 404
    assert client.delete(other, headers=kim).status_code == 404
    assert client.get("/api/v1/youths/1/network").status_code == 401
    member = session.get(NetworkMember, member_id)
    assert member is not None and member.removed_at is None and member.ring == 1


def test_removing_a_member_invited_to_a_meeting_ahead_answers_409_until_uninvite(
    client, session, settings
):
    from datetime import time, timedelta

    from app.domain.meeting import MeetingData
    from app.models.meeting import MeetingInvitee, MeetingKind, PlaceKind
    from app.services import meetings

    kim = make_user(session, Role.COORDINATOR, "kim")
    headers = {"Authorization": f"Bearer {auth.issue_api_token(session, kim)}"}
    youth = _youth(session)
    url = f"/api/v1/youths/{youth.id}/network/members"
    member_id = client.post(url, json=UU, headers=headers).json()["id"]
    now = clock_now()
    data = MeetingData(kind=MeetingKind.TRANSITION, day=(now + timedelta(days=10)).date(),
                       start_time=time(9), end_time=time(10), place_kind=PlaceKind.HOME)
    meeting = meetings.plan(session, settings, kim, youth.id, data,
                            [meetings.Choice(key=f"m{member_id}")], now, now.date())

    asked = client.delete(f"{url}/{member_id}", headers=headers)
    assert asked.status_code == 409
    assert asked.json()["meetings"][0]["id"] == meeting.id
    assert asked.json()["meetings"][0]["kind"] == "transition"
    assert client.get(f"{url}/{member_id}", headers=headers).status_code == 200

    assert client.delete(f"{url}/{member_id}?uninvite=true", headers=headers).status_code == 204
    invitee = session.exec(select(MeetingInvitee).where(
        MeetingInvitee.member_id == member_id)).one()
    session.refresh(invitee)
    assert invitee.removed_at is not None
