"""Messages about a meeting that the outbox gave up on are shown to the organiser in
"My tasks", not only on the meeting page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

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
    message.deadline_at = datetime.now(UTC) - timedelta(minutes=1)
    session.add(message)
    session.commit()

    page = client.get("/tasks").text
    assert "Beskeder om dine møder, der ikke kunne sendes" in page
    assert f'href="/meetings/{message.meeting_id}"' in page
    assert message.subject in page
