"""After the meeting: attendance, minutes, decisions and action points on the meeting page,
the minutes sent to those who attended, and open action points in My tasks."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.clock import now as clock_now
from app.domain.youth import YouthData
from app.models.audit import AuditEvent
from app.models.meeting import ActionPoint, Meeting, MeetingInvitee, MeetingStatus
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import Role
from app.services import youths
from tests.conftest import login, make_user, today_cph

DAY = (clock_now() + timedelta(days=20)).date()


def _setup(session, settings, client):
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    colleague = make_user(session, Role.ADULT_CASEWORKER, "kim", "Kim Lund")
    youth = youths.create(session, settings, worker, YouthData(
        cpr="120309-4321", first_name="Freja", last_name="Holm", child_caseworker_id=worker.id,
        adult_caseworker_id=colleague.id, email="freja@example.dk"), today_cph())
    person = Person(kind=PersonKind.PRIVATE, name="Per Holm", email="per@example.dk")
    session.add(person)
    session.flush()
    member = NetworkMember(youth_id=youth.id, person_id=person.id, sector=Sector.FAMILY, ring=1,
                           role=NetworkRole.FATHER, invited_to_meetings=True)
    session.add(member)
    session.commit()
    token = login(client, "mette")
    created = client.post(f"/youths/{youth.id}/meetings/new", data={
        "csrf_token": token, "kind": "coordination", "day": DAY.isoformat(),
        "start_time": "10:00", "end_time": "11:00", "place_kind": "town_hall",
        "place_detail": "Lokale 1", "agenda": "Bolig", "inv_y": "required",
        f"inv_m{member.id}": "required", f"inv_u{colleague.id}": "required"})
    assert created.status_code == 303
    meeting = session.exec(select(Meeting)).one()
    return worker, colleague, youth, meeting, token


def _held_yesterday(session, meeting):
    meeting.starts_at -= timedelta(days=21)
    meeting.ends_at -= timedelta(days=21)
    session.add(meeting)
    session.commit()


def test_minutes_need_the_meeting_to_have_started(client, session, settings):
    _w, _c, _y, meeting, token = _setup(session, settings, client)
    page = client.get(f"/meetings/{meeting.id}")
    assert 'id="h-minutes"' not in page.text and 'id="h-actions"' in page.text
    early = client.post(f"/meetings/{meeting.id}/minutes",
                        data={"csrf_token": token, "minutes": "x"})
    assert early.status_code == 400


def test_attendance_minutes_actions_and_sending(client, session, settings):
    worker, colleague, _youth, meeting, token = _setup(session, settings, client)
    _held_yesterday(session, meeting)
    url = f"/meetings/{meeting.id}"
    people = {i.name: i for i in session.exec(select(MeetingInvitee))}
    assert 'id="h-minutes"' in client.get(url).text

    not_yet = client.post(f"{url}/minutes/send", data={"csrf_token": token, "confirm": "yes"})
    assert not_yet.status_code == 400

    saved = client.post(f"{url}/minutes", data={
        "csrf_token": token, "attended": [str(people["Freja Holm"].id), str(people["Per Holm"].id)],
        "minutes": "Vi talte om bolig.", "decisions": "Freja søger kollegium."})
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(Meeting, meeting.id).status is MeetingStatus.HELD
    attended = {i.name: i.attended for i in session.exec(select(MeetingInvitee))}
    assert attended == {"Freja Holm": True, "Per Holm": True, "Kim Lund": False}
    page = client.get(url)
    assert "Vi talte om bolig." in page.text and "Freja søger kollegium." in page.text

    bad = client.post(f"{url}/actions", data={"csrf_token": token, "text": "",
                                              "owner_id": str(worker.id), "due_on": "nope"})
    assert bad.status_code == 400 and 'id="f-due_on-error"' in bad.text
    past = client.post(f"{url}/actions", data={
        "csrf_token": token, "text": "Ring til kollegiet", "owner_id": str(worker.id),
        "due_on": (today_cph() - timedelta(days=1)).isoformat()})
    assert past.status_code == 400 and 'id="f-due_on-error"' in past.text
    assert 'value="Ring til kollegiet"' in past.text  # nothing typed is lost
    for text, days, owner in (("Søg boligstøtte", 10, worker), ("Ring til kollegiet", 3, worker),
                              ("Kontakt UU", 5, colleague)):
        added = client.post(f"{url}/actions", data={
            "csrf_token": token, "text": text, "owner_id": str(owner.id),
            "due_on": (today_cph() + timedelta(days=days)).isoformat()})
        assert added.status_code == 303, added.text

    tasks = client.get("/tasks").text
    assert 'id="h-task-actions"' in tasks
    assert tasks.index("Ring til kollegiet") < tasks.index("Søg boligstøtte")  # most urgent first
    assert "Kontakt UU" not in tasks  # someone else's

    ask = client.post(f"{url}/minutes/send", data={"csrf_token": token})
    assert ask.status_code == 200 and 'name="confirm" value="yes"' in ask.text
    sent = client.post(f"{url}/minutes/send", data={"csrf_token": token, "confirm": "yes"})
    assert sent.status_code == 303
    minutes = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.MEETING_MINUTES)).all()
    assert sorted(m.recipient_name for m in minutes) == ["Freja Holm", "Per Holm"]
    for message in minutes:
        assert "Ring til kollegiet" in message.body and "120309" not in message.body
    assert 'id="minutes-sent"' in client.get(url).text

    point = session.exec(select(ActionPoint).where(ActionPoint.text == "Ring til kollegiet")).one()
    done = client.post(f"/actions/{point.id}/complete", data={"csrf_token": token,
                                                              "back": "tasks"})
    assert done.status_code == 303 and done.headers["location"] == "/tasks#actions"
    session.expire_all()
    assert session.get(ActionPoint, point.id).done_by_id == worker.id
    assert "Ring til kollegiet" not in client.get("/tasks").text
    assert session.exec(select(AuditEvent).where(AuditEvent.object_type == "action_point",
                                                 AuditEvent.detail == "done")).one()


def test_someone_without_access_cannot_write_minutes_or_close_action_points(
        client, session, settings):
    worker, _colleague, _youth, meeting, token = _setup(session, settings, client)
    _held_yesterday(session, meeting)
    client.post(f"/meetings/{meeting.id}/actions", data={
        "csrf_token": token, "text": "Søg boligstøtte", "owner_id": str(worker.id),
        "due_on": (today_cph() + timedelta(days=3)).isoformat()})
    point = session.exec(select(ActionPoint)).one()
    make_user(session, Role.ADULT_CASEWORKER, "ulla", "Ulla Andersen")
    client.post("/logout", data={"csrf_token": token})
    other = login(client, "ulla")
    assert client.post(f"/meetings/{meeting.id}/minutes",
                       data={"csrf_token": other, "minutes": "x"}).status_code in (403, 404)
    assert client.post(f"/actions/{point.id}/complete",
                       data={"csrf_token": other}).status_code in (403, 404)
    assert client.post("/actions/999999/complete", data={"csrf_token": other}
                       ).status_code == 404
    session.expire_all()
    assert session.get(ActionPoint, point.id).done_at is None


def test_an_action_point_cannot_be_given_to_someone_outside_the_case(client, session, settings):
    _worker, colleague, _youth, meeting, token = _setup(session, settings, client)
    outsider = make_user(session, Role.CHILD_CASEWORKER, "ole", "Ole Outsider")
    session.commit()
    page = client.get(f"/meetings/{meeting.id}").text
    assert f'value="{colleague.id}"' in page and f'value="{outsider.id}"' not in page
    refused = client.post(f"/meetings/{meeting.id}/actions", data={
        "csrf_token": token, "text": "Ring til kollegiet", "owner_id": str(outsider.id),
        "due_on": (today_cph() + timedelta(days=3)).isoformat()})
    assert refused.status_code == 400 and 'id="f-owner_id-error"' in refused.text
    assert session.exec(select(ActionPoint)).all() == []
