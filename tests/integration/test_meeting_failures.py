"""The meeting page after planning: one more person can be invited, and messages the outbox
gave up on are shown to the organiser in "My tasks" too."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.clock import now as clock_now
from app.models.outbox import OutboxMessage, OutboxStatus
from tests.conftest import csrf_from, login
from tests.integration.test_meeting_pages import _form, _setup


def test_the_organiser_sees_failed_messages_in_my_tasks(client, session, settings):
    _worker, youth, member = _setup(session, settings)
    login(client, "mette")
    token = csrf_from(client.get(f"/youths/{youth.id}/meetings/new").text)
    planned = client.post(f"/youths/{youth.id}/meetings/new", data=_form(token, member))
    assert planned.status_code == 303, planned.text
    assert "kunne sendes" not in client.get("/tasks").text  # nothing has failed yet

    message = session.exec(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING)).first()
    assert message is not None
    message.status = OutboxStatus.FAILED  # as the sender leaves it at the deadline
    message.deadline_at = clock_now() - timedelta(minutes=1)
    session.add(message)
    session.commit()

    page = client.get("/tasks").text
    assert "Beskeder om dine møder, der ikke kunne sendes" in page
    assert f'href="/meetings/{message.meeting_id}"' in page
    assert message.subject in page


def test_one_more_person_is_invited_from_the_meeting_page(client, session, settings):
    from app.models.meeting import MeetingInvitee
    from app.models.outbox import OutboxKind

    _worker, youth, member = _setup(session, settings)
    login(client, "mette")
    token = csrf_from(client.get(f"/youths/{youth.id}/meetings/new").text)
    form = _form(token, member)
    form.pop(f"inv_m{member.id}")  # plan without the father first
    planned = client.post(f"/youths/{youth.id}/meetings/new", data=form)
    assert planned.status_code == 303, planned.text
    meeting_url = planned.headers["location"]
    page = client.get(meeting_url).text
    assert f'value="m{member.id}"' in page  # the father can still be invited

    refused = client.post(f"{meeting_url}/invitees", data={
        "csrf_token": token, "candidate": "nobody", "required": "required"})
    assert refused.status_code == 400
    assert "Vælg en person på listen." in refused.text
    no_channel = client.post(f"{meeting_url}/invitees", data={
        "csrf_token": token, "candidate": f"m{member.id}", "required": "optional"})
    assert no_channel.status_code == 400  # no e-mail: a letter or a call must be chosen
    added = client.post(f"{meeting_url}/invitees", data={
        "csrf_token": token, "candidate": f"m{member.id}", "required": "optional",
        "via": "letter"})
    assert added.status_code == 303, added.text
    invited = session.exec(select(MeetingInvitee).where(
        MeetingInvitee.member_id == member.id)).one()
    assert not invited.required
    updates = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.MEETING_UPDATE)).all()
    assert updates  # everyone already invited gets the updated invitation
    assert f'value="m{member.id}"' not in client.get(meeting_url).text
