"""Browser journey: a family member opens the link in her invite (no login), sees the
meeting and accepts; the caseworker sees the answer on the meeting page."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from icalendar import Calendar
from playwright.sync_api import expect
from sqlmodel import select

from app.db import make_engine, unit_of_work
from app.domain.meeting import MeetingData
from app.models.meeting import Answer, MeetingInvitee, MeetingKind, PlaceKind
from app.models.network import NetworkMember
from app.models.user import User
from app.services import meetings
from tests.conftest import CPH
from tests.e2e.conftest import log_in
from tests.e2e.test_meetings import _messages, _youth_with_network


def _plan(settings, youth_id: int) -> tuple[int, str]:
    now = datetime.now(UTC)  # the server's clock: the meeting lies ahead of it
    day = now.astimezone(CPH).date() + timedelta(days=21)
    with unit_of_work(make_engine(settings)) as session:
        worker = session.exec(select(User).where(User.username == "boern")).one()
        members = session.exec(select(NetworkMember).where(
            NetworkMember.youth_id == youth_id)).all()
        data = MeetingData(kind=MeetingKind.COORDINATION, day=day, start_time=time(10),
                           end_time=time(11), place_kind=PlaceKind.ONLINE,
                           place_detail="https://moede.kommune.example/abc",
                           agenda="Bolig\nUddannelse")
        meeting = meetings.plan(session, settings, worker, youth_id, data,
                                [meetings.Choice(f"m{m.id}") for m in members], now,
                                now.astimezone(CPH).date())
        assert meeting.id is not None
        return meeting.id, meeting.uid


def test_a_family_member_opens_the_invite_link_sees_the_meeting_and_accepts(
        page, live_server):
    # the server's settings: its links name its own address
    settings = live_server["settings"].model_copy(
        update={"public_base_url": live_server["base_url"]})
    youth_id = _youth_with_network(settings)
    meeting_id, uid = _plan(settings, youth_id)
    events = []
    for message in _messages(live_server):
        if message["To"].addresses[0].addr_spec != "anne.n@example.dk":
            continue
        part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        [event] = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
        if str(event["UID"]) == uid:
            events.append(event)
    [event] = events
    link = str(event["URL"])
    assert "/meetings/reply/" in link  # the invite leads to her page, not a staff page

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Koordineringsmøde om Sara")
    expect(page.get_by_role("link", name="https://moede.kommune.example/abc")).to_be_visible()
    expect(page.get_by_text("Bo Nørgaard")).to_be_visible()
    expect(page.locator("#your-answer")).to_have_text("Ikke svaret")
    page.get_by_label("Send mig en påmindelse dagen før").check()
    page.get_by_role("button", name="Jeg kommer").click()
    expect(page.get_by_role("status")).to_contain_text("Tak. Vi har noteret, at du kommer.")
    expect(page.locator("#your-answer")).to_have_text("Kommer")

    with unit_of_work(make_engine(settings)) as session:
        anne = session.exec(select(MeetingInvitee).where(
            MeetingInvitee.meeting_id == meeting_id,
            MeetingInvitee.email == "anne.n@example.dk")).one()
        assert anne.answer is Answer.ACCEPTED and anne.wants_reminder

    log_in(page, "boern")
    page.goto(f"/meetings/{meeting_id}")
    row = page.locator("#f-invitees + table tr", has_text="Anne Nørgaard")
    expect(row).to_contain_text("Kommer")
    expect(row).to_contain_text("via svarlinket")
