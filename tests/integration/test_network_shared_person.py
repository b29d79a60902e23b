"""A person in the shared directory sits in many young people's networks: who may change
their name and contact details, what the directory search shows, and the audit and event
rows each affected young person gets. Through the API and the pages."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from sqlmodel import col, select

from app.models.audit import AuditAction, AuditEvent
from app.models.network import NetworkMember, Person
from app.models.user import Role, User
from app.models.youth import EventKind, Youth, YouthEvent, YouthStatus
from app.services import auth, meetings
from tests.conftest import login, make_user

HTMX = {"HX-Request": "true"}
TEACHER = {"kind": "professional", "name": "Jonas Kirk", "email": "jonas.kirk@skole.example",
           "phone": "72 36 40 00", "organisation": "Egebjerg Skole", "role": "teacher"}
ATTACKER = "attacker@evil.example"
REFUSAL = "Jonas Kirk er også med i netværket hos unge, du ikke har adgang til."


def _bearer(session, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth.issue_api_token(session, user)}"}


def _youth(session, first_name: str, **values) -> Youth:
    youth = Youth(first_name=first_name, last_name="Østergaard", birth_date=date(2010, 3, 4),
                  **values)
    session.add(youth)
    session.commit()
    return youth


class Setting(NamedTuple):
    kim: User
    mette: User
    hidden: Youth
    own: Youth
    teacher_id: int


def _setting(session, client) -> Setting:
    """Kim (coordinator) has put the teacher in the network of a young person that Mette
    (children's caseworker) cannot see; Mette has her own young person."""
    kim = make_user(session, Role.COORDINATOR, "kim")
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette")
    hidden = _youth(session, "Skjult", status=YouthStatus.TRANSFERRED)
    own = _youth(session, "Freja", child_caseworker_id=mette.id)
    added = client.post(f"/api/v1/youths/{hidden.id}/network/members", json=TEACHER,
                        headers=_bearer(session, kim))
    assert added.status_code == 201, added.text
    return Setting(kim, mette, hidden, own, added.json()["person_id"])


def _updates(session) -> list[tuple[int | None, str]]:
    return [(e.youth_id, e.object_id) for e in session.exec(
        select(AuditEvent).where(AuditEvent.object_type == "network_member",
                                 AuditEvent.action == AuditAction.UPDATE)
        .order_by(col(AuditEvent.id)))]


def _changes(session, youth_id: int) -> int:
    return len(session.exec(select(YouthEvent).where(
        YouthEvent.youth_id == youth_id,
        YouthEvent.kind == EventKind.NETWORK_MEMBER_CHANGED)).all())


def _member_id(session, youth_id: int, person_id: int) -> int:
    member = session.exec(select(NetworkMember).where(
        NetworkMember.youth_id == youth_id, NetworkMember.person_id == person_id)).one()
    assert member.id is not None
    return member.id


def _email(session, person_id: int) -> str:
    session.expire_all()
    person = session.get(Person, person_id)
    assert person is not None
    return person.email


def test_the_api_refuses_to_change_a_person_who_is_in_a_network_the_user_cannot_see(
    client, session
):
    s = _setting(session, client)
    headers = _bearer(session, s.mette)
    assert client.get(f"/api/v1/youths/{s.hidden.id}/network", headers=headers).status_code == 403
    url = f"/api/v1/youths/{s.own.id}/network/members"
    added = client.post(url, json={"person_id": s.teacher_id, "role": "teacher"}, headers=headers)
    assert added.status_code == 201  # reusing a professional from the directory is allowed

    member_id = added.json()["id"]
    refused = client.patch(f"{url}/{member_id}", json={"email": ATTACKER}, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"][0]["field"] == "email"
    assert REFUSAL in refused.json()["detail"][0]["message"]
    renamed = client.patch(f"{url}/{member_id}", json={"name": "Jonas K."}, headers=headers)
    assert renamed.status_code == 403

    assert _email(session, s.teacher_id) == TEACHER["email"]
    shown = client.get(f"/api/v1/youths/{s.hidden.id}/network", headers=_bearer(session, s.kim))
    assert shown.json()["members"][0]["email"] == TEACHER["email"]
    assert _updates(session) == []
    assert _changes(session, s.hidden.id) == _changes(session, s.own.id) == 0

    # her own network's part (role, place, agreements) is still hers to change
    moved = client.patch(f"{url}/{member_id}", json={"ring": 1, "note": "Klasselærer"},
                         headers=headers)
    assert moved.status_code == 200 and moved.json()["ring"] == 1
    assert _updates(session) == [(s.own.id, str(member_id))]


def test_a_coordinator_changes_the_details_and_each_young_person_affected_gets_an_audit_row(
    client, session
):
    s = _setting(session, client)
    headers = _bearer(session, s.kim)
    url = f"/api/v1/youths/{s.own.id}/network/members"
    member_id = client.post(url, json={"person_id": s.teacher_id, "role": "teacher"},
                            headers=headers).json()["id"]
    changed = client.patch(f"{url}/{member_id}", json={"email": "jonas.kirk@ny-skole.example"},
                           headers=headers)
    assert changed.status_code == 200, changed.text

    hidden_member = _member_id(session, s.hidden.id, s.teacher_id)
    assert sorted(_updates(session)) == sorted([(s.own.id, str(member_id)),
                                                (s.hidden.id, str(hidden_member))])
    assert _changes(session, s.own.id) == _changes(session, s.hidden.id) == 1
    # the other young person's next meeting invites go to the new address
    invitable = meetings.candidates(session, s.hidden, date(2027, 1, 4))
    assert [c.email for c in invitable if c.member_id == hidden_member] == [
        "jonas.kirk@ny-skole.example"]


def test_a_caseworker_who_sees_every_network_the_person_is_in_may_change_the_details(
    client, session
):
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette")
    headers = _bearer(session, mette)
    freja, mikkel = _youth(session, "Freja"), _youth(session, "Mikkel")
    first = client.post(f"/api/v1/youths/{freja.id}/network/members", json=TEACHER,
                        headers=headers).json()
    url = f"/api/v1/youths/{mikkel.id}/network/members"
    second = client.post(url, json={"person_id": first["person_id"], "role": "teacher"},
                         headers=headers).json()
    changed = client.patch(f"{url}/{second['id']}", json={"phone": "+45 72 36 40 99"},
                           headers=headers)
    assert changed.status_code == 200, changed.text
    listed = client.get(f"/api/v1/youths/{freja.id}/network", headers=headers).json()
    assert listed["members"][0]["phone"] == "+45 72 36 40 99"
    assert sorted(_updates(session)) == sorted([(mikkel.id, str(second["id"])),
                                                (freja.id, str(first["id"]))])


def test_the_edit_page_tells_and_refuses_a_change_that_reaches_a_network_the_user_cannot_see(
    client, session
):
    s = _setting(session, client)
    token = login(client, "mette")
    added = client.post(f"/youths/{s.own.id}/network/members/new", headers=HTMX, data={
        "person_id": str(s.teacher_id), "role": "teacher", "ring": "2", "csrf_token": token})
    assert added.status_code == 200, added.text
    member_id = _member_id(session, s.own.id, s.teacher_id)
    url = f"/youths/{s.own.id}/network/members/{member_id}/edit"

    form = client.get(url, headers=HTMX)
    assert REFUSAL in form.text  # told before she types
    refused = client.post(url, headers=HTMX, data={
        **TEACHER, "email": ATTACKER, "ring": "2", "csrf_token": token})
    assert refused.status_code == 403
    error = re.search(r'id="f-email-error"><span class="sr-only">[^<]*</span>([^<]*)</span>',
                      refused.text)
    assert error is not None and REFUSAL in error.group(1)  # next to the e-mail field
    assert f'value="{ATTACKER}"' in refused.text  # what she typed is kept
    assert _email(session, s.teacher_id) == TEACHER["email"]
    assert _updates(session) == []

    unchanged = client.post(url, headers=HTMX, data={
        **TEACHER, "ring": "3", "csrf_token": token})
    assert unchanged.status_code == 200 and "Oplysningerne om Jonas Kirk er gemt" in unchanged.text


def test_a_coordinator_edits_on_the_page_and_both_young_people_get_rows(client, session):
    s = _setting(session, client)
    token = login(client, "kim")
    client.post(f"/youths/{s.own.id}/network/members/new", headers=HTMX, data={
        "person_id": str(s.teacher_id), "role": "teacher", "ring": "2", "csrf_token": token})
    member_id = _member_id(session, s.own.id, s.teacher_id)
    url = f"/youths/{s.own.id}/network/members/{member_id}/edit"
    assert REFUSAL not in client.get(url, headers=HTMX).text
    saved = client.post(url, headers=HTMX, data={
        **TEACHER, "email": "jonas@ny-skole.example", "ring": "2", "csrf_token": token})
    assert saved.status_code == 200, saved.text
    assert "jonas@ny-skole.example" in client.get(f"/youths/{s.hidden.id}/network").text
    assert {youth_id for youth_id, _ in _updates(session)} == {s.own.id, s.hidden.id}
    assert _changes(session, s.hidden.id) == 1


def test_the_directory_shows_contact_details_only_of_people_in_networks_the_user_sees(
    client, session
):
    s = _setting(session, client)
    token = login(client, "mette")
    base = f"/youths/{s.own.id}/network/members/new"
    found = client.get(f"{base}?q=egebjerg", headers=HTMX)
    assert "Vælg Jonas Kirk" in found.text and "Egebjerg Skole" in found.text
    assert TEACHER["email"] not in found.text
    chosen = client.get(f"{base}?person={s.teacher_id}", headers=HTMX)
    assert f'name="person_id" value="{s.teacher_id}"' in chosen.text
    assert TEACHER["email"] not in chosen.text and TEACHER["phone"] not in chosen.text

    client.post(base, headers=HTMX, data={"person_id": str(s.teacher_id), "role": "teacher",
                                          "ring": "2", "csrf_token": token})
    assert TEACHER["email"] in client.get(f"{base}?q=egebjerg", headers=HTMX).text
