"""Meeting pages: plan with field errors, view, move, cancel after a confirmation step,
invite.ics, and the public reply links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlmodel import select

from app.clock import now as clock_now
from app.domain.meeting import reply_token
from app.domain.youth import YouthData
from app.models.meeting import ActionPoint, Answer, Meeting, MeetingInvitee, MeetingStatus
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.outbox import OutboxMessage
from app.models.user import Role
from app.services import youths
from tests.conftest import login, make_user, today_cph

DAY = (clock_now() + timedelta(days=20)).date()


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


def _form(token, member, **kw):
    data = {"csrf_token": token, "kind": "coordination", "day": DAY.isoformat(),
            "start_time": "10:00", "end_time": "11:00", "place_kind": "town_hall",
            "place_detail": "Lokale 1", "agenda": "Bolig", "inv_y": "required",
            f"inv_m{member.id}": "required", f"via_m{member.id}": "letter"}
    data.update(kw)
    return data


def test_a_meeting_is_planned_moved_and_cancelled_through_the_pages(client, session, settings):
    _worker, youth, member = _setup(session, settings)
    token = login(client, "mette")
    new = client.get(f"/youths/{youth.id}/meetings/new")
    assert new.status_code == 200 and "Per Holm" in new.text
    bad = client.post(f"/youths/{youth.id}/meetings/new",
                      data=_form(token, member, end_time="09:00", place_detail="Lokale 9"))
    assert bad.status_code == 400 and 'id="f-end_time-error"' in bad.text
    assert 'value="Lokale 9"' in bad.text  # nothing typed is lost
    no_way = client.post(f"/youths/{youth.id}/meetings/new",
                         data=_form(token, member, **{f"via_m{member.id}": ""}))
    assert no_way.status_code == 400 and "Per Holm" in no_way.text
    past = client.post(f"/youths/{youth.id}/meetings/new",
                       data=_form(token, member, day=(today_cph() - timedelta(days=1))
                                  .isoformat()))
    assert past.status_code == 400
    created = client.post(f"/youths/{youth.id}/meetings/new", data=_form(token, member))
    assert created.status_code == 303
    url = created.headers["location"]
    page = client.get(url)
    assert page.status_code == 200 and "Per Holm" in page.text and "Lokale 1" in page.text
    ics = client.get(f"{url}/invite.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    meeting = session.exec(select(Meeting)).one()
    assert str(Calendar.from_ical(ics.content).walk("VEVENT")[0]["UID"]) == meeting.uid

    moved = client.post(f"{url}/edit", data=_form(token, member, start_time="13:00",
                                                  end_time="14:00"))
    assert moved.status_code == 303
    ask = client.post(f"{url}/cancel", data={"csrf_token": token})
    assert ask.status_code == 200 and 'name="confirm" value="yes"' in ask.text
    assert "hx-confirm" not in ask.text
    session.expire_all()
    assert session.get(Meeting, meeting.id).status is MeetingStatus.PLANNED
    done = client.post(f"{url}/cancel", data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Meeting, meeting.id).status is MeetingStatus.CANCELLED
    kinds = [m.kind.value for m in session.exec(select(OutboxMessage)
                                                .order_by(OutboxMessage.id))]
    assert kinds == ["meeting_invite", "meeting_invite", "meeting_update", "meeting_update",
                     "meeting_cancel", "meeting_cancel"]


def test_reply_links_work_without_login_and_refuse_altered_ones(client, session, settings):
    _worker, youth, member = _setup(session, settings)
    token = login(client, "mette")
    client.post(f"/youths/{youth.id}/meetings/new", data=_form(token, member))
    client.post("/logout", data={"csrf_token": token})
    meeting = session.exec(select(Meeting)).one()
    freja = session.exec(select(MeetingInvitee).where(MeetingInvitee.name == "Freja Holm")).one()
    link = reply_token(settings.key, freja.id, meeting.id, meeting.ends_at)
    with_client = client.get(f"/meetings/reply/{link}?answer=declined")
    assert with_client.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', with_client.text).group(1)
    saved = client.post(f"/meetings/reply/{link}", data={"csrf_token": csrf,
                                                         "answer": "declined"})
    assert saved.status_code == 200
    session.refresh(freja)
    assert freja.answer is Answer.DECLINED
    altered = client.get(f"/meetings/reply/{link[:-2]}xx")
    assert altered.status_code == 400
    expired = reply_token(settings.key, freja.id, meeting.id, datetime(2020, 1, 1, tzinfo=UTC))
    assert client.get(f"/meetings/reply/{expired}").status_code == 400


def test_a_meeting_ending_on_28_march_2027_is_planned_and_moved_through_the_pages(
        client, session, settings):
    """Its reply links once held the end as 1806224400, refused as CPR 180622-4400."""
    _worker, youth, member = _setup(session, settings)
    token = login(client, "mette")
    created = client.post(f"/youths/{youth.id}/meetings/new", data=_form(
        token, member, day="2027-03-28"))
    assert created.status_code == 303, created.text
    moved = client.post(f"{created.headers['location']}/edit", data=_form(
        token, member, day="2027-03-28", start_time="09:00", end_time="10:00"))
    assert moved.status_code == 303, moved.text
    assert len(session.exec(select(OutboxMessage)).all()) == 4  # invite and update, 2 each


def test_a_cpr_number_in_the_minutes_is_refused_next_to_the_field(client, session, settings):
    worker, youth, member = _setup(session, settings)
    started = clock_now() - timedelta(hours=2)
    meeting = Meeting(uid="2b7e4c1a-8f0d-4a51-9c3e-6d2f1a0b9e77", youth_id=youth.id,
                      kind="coordination", starts_at=started,
                      ends_at=started + timedelta(hours=1), place_kind="town_hall",
                      place_detail="Lokale 1", organiser_id=worker.id)
    session.add(meeting)
    session.flush()
    per = MeetingInvitee(meeting_id=meeting.id, member_id=member.id, name="Per Holm",
                         role_label="father", channel="letter", address="Vej 1")
    session.add(per)
    session.commit()
    token = login(client, "mette")
    url = f"/meetings/{meeting.id}"
    refused = client.post(f"{url}/minutes", data={
        "csrf_token": token, "minutes": "Vi talte om 010203-1234.", "decisions": "Ingen."})
    assert refused.status_code == 400
    error = re.search(r'id="f-minutes-error">.*?</span>(.*?)</span>', refused.text, re.S)
    assert error and "Skriv ikke CPR-numre her" in error.group(1)
    assert "Vi talte om 010203-1234." in refused.text  # what was typed is kept
    session.expire_all()
    assert session.get(Meeting, meeting.id).minutes == ""

    saved = client.post(f"{url}/minutes", data={"csrf_token": token, "minutes": "Godt møde.",
                                                "decisions": "", "attended": str(per.id)})
    assert saved.status_code == 303
    session.add(ActionPoint(meeting_id=meeting.id, youth_id=youth.id, owner_id=worker.id,
                            text="Ring til 010203-1234", due_on=today_cph()))  # saved before
    session.commit()
    send = client.post(f"{url}/minutes/send", data={"csrf_token": token, "confirm": "yes"})
    assert send.status_code == 400
    error = re.search(r'id="f-actions">(.*?)</p>', send.text, re.S)
    assert error and "Skriv ikke CPR-numre her" in error.group(1)
    assert session.exec(select(OutboxMessage)).all() == []


def test_the_invitation_file_of_a_meeting_holding_an_old_cpr_text_is_refused_on_the_page(
        client, session, settings):
    """An agenda saved before the CPR check: the .ics download shows the meeting page with a
    message (not a server error), and no calendar file carries the number."""
    _worker, youth, member = _setup(session, settings)
    token = login(client, "mette")
    url = client.post(f"/youths/{youth.id}/meetings/new",
                      data=_form(token, member)).headers["location"]
    meeting = session.exec(select(Meeting)).one()
    assert client.get(f"{url}/invite.ics").status_code == 200
    meeting.agenda = "Bolig. Freja 120309-4321"
    session.add(meeting)
    session.commit()
    refused = client.get(f"{url}/invite.ics")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("text/html")
    assert "ligner et CPR-nummer" in refused.text and "BEGIN:VCALENDAR" not in refused.text


def test_the_meeting_page_forms_carry_the_csrf_token_without_javascript(client, session,
                                                                       settings):
    _worker, youth, member = _setup(session, settings)
    token = login(client, "mette")
    url = client.post(f"/youths/{youth.id}/meetings/new",
                      data=_form(token, member)).headers["location"]
    for page in (client.get(url), client.get(f"{url}/edit"),
                 client.get(f"/youths/{youth.id}/meetings/new")):
        forms = re.findall(r'<form[^>]*method="post".*?</form>', page.text, re.S)
        assert forms
        assert all(re.search(r'name="csrf_token" value="[0-9a-f]{64}"', f) for f in forms)
    cancel = client.post(f"{url}/cancel", data={"csrf_token": re.search(
        r'name="csrf_token" value="([0-9a-f]{64})"', client.get(url).text).group(1)})
    assert cancel.status_code == 200  # the confirmation step, not a refusal


def test_the_meetings_page_of_a_young_person_has_its_own_heading(client, session, settings):
    _worker, youth, _member = _setup(session, settings)
    login(client, "mette")
    page = client.get(f"/youths/{youth.id}/meetings")
    assert page.status_code == 200
    assert re.search(r"<h1>Møder om Freja Holm</h1>", page.text)
