"""Browser journey: a caseworker plans a meeting with four invitees, moves it and cancels
it; the outbox sender delivers the invite, the update and the cancellation to each."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from email import policy
from email.parser import BytesParser

from icalendar import Calendar
from playwright.sync_api import expect

from app.db import make_engine, unit_of_work
from app.models.meeting import Meeting
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.youth import Youth
from tests.conftest import CPH, message_text
from tests.e2e.conftest import log_in

PEOPLE = (
    ("Anne Nørgaard", "anne.n@example.dk", NetworkRole.MOTHER, Sector.FAMILY),
    ("Bo Nørgaard", "bo.n@example.dk", NetworkRole.FATHER, Sector.FAMILY),
    ("Lise Bjerre", "lise@uu.example.dk", NetworkRole.UU_COUNSELLOR, Sector.PROFESSIONALS),
)


def _youth_with_network(settings) -> int:
    with unit_of_work(make_engine(settings)) as session:
        youth = Youth(first_name="Sara", last_name="Nørgaard", birth_date=date(2009, 5, 6),
                      email="sara.n@example.dk")
        session.add(youth)
        session.flush()
        for name, email, role, sector in PEOPLE:
            person = Person(kind=PersonKind.PRIVATE, name=name, email=email)
            session.add(person)
            session.flush()
            session.add(NetworkMember(youth_id=youth.id, person_id=person.id, sector=sector,
                                      ring=1, role=role, invited_to_meetings=True))
        session.flush()
        assert youth.id is not None
        return youth.id


def _messages(live_server) -> list:
    result = subprocess.run([sys.executable, "-m", "app.cli", "run-jobs"],
                            env=live_server["env"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    outbox = live_server["settings"].outbox_dir
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]


def test_plan_move_and_cancel_a_meeting_and_find_the_messages(page, live_server):
    youth_id = _youth_with_network(live_server["settings"])
    day = datetime.now(CPH).date() + timedelta(days=30)  # the server's day in Copenhagen
    log_in(page, "boern")
    page.goto(f"/youths/{youth_id}/meetings")
    page.get_by_role("link", name="Planlæg et møde").click()
    page.get_by_label("Dato").fill(day.isoformat())
    page.get_by_label("Begynder").fill("10:00")
    page.get_by_label("Slutter").fill("11:00")
    page.get_by_label("Lokale, link eller adresse").fill("Lokale 3")
    page.get_by_role("button", name="Gem og send invitationerne").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    meeting_id = int(page.url.rsplit("/", 1)[1])
    rows = page.locator("#messages tbody tr")
    expect(rows).to_have_count(4)

    page.get_by_role("link", name="Flyt eller ret").click()
    page.get_by_label("Begynder").fill("13:00")
    page.get_by_label("Slutter").fill("14:00")
    page.get_by_role("button", name="Gem og send ændringen").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    expect(rows).to_have_count(8)

    page.get_by_role("button", name="Aflys mødet").click()
    page.get_by_role("button", name="Ja, aflys mødet").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    expect(rows).to_have_count(12)

    messages = _messages(live_server)
    with unit_of_work(make_engine(live_server["settings"])) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        uid = meeting.uid
    recipients = {"sara.n@example.dk", *(email for _n, email, _r, _s in PEOPLE)}
    by_person: dict[str, list[str]] = {}
    # The outbox holds other journeys' messages too: this meeting's are those with its UID,
    # so an update or cancellation under another UID is missing below.
    for message in messages:
        to = message["To"].addresses[0].addr_spec
        calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        if to not in recipients or not calendars:
            continue
        cal = Calendar.from_ical(calendars[0].get_payload(decode=True))
        [event] = cal.walk("VEVENT")
        if str(event["UID"]) != uid:
            continue
        by_person.setdefault(to, []).append(f"{cal['METHOD']}:{int(event['SEQUENCE'])}")
        assert "120309" not in message_text(message)
    assert set(by_person) == recipients
    for found in by_person.values():
        assert sorted(found) == ["CANCEL:2", "REQUEST:0", "REQUEST:1"]


def test_my_calendar_hands_out_a_link_once(page, live_server):
    log_in(page, "voksen")
    page.goto("/profile")
    page.locator('main a[href="/calendar"]').click()
    page.locator('form[action="/calendar/feed"] button').click()
    link = page.locator("#f-feed-link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/feeds/[A-Za-z0-9_-]{43}\.ics", link)
    expect(page.locator("#feed-http-warning")).to_be_visible()
    response = page.request.get(link)
    assert response.status == 200 and response.headers["content-type"].startswith(
        "text/calendar")
    server_log = (live_server["data_dir"] / "server.log").read_text()
    assert link.rsplit("/", 1)[1] not in server_log  # the token never reaches the log
    assert "/feeds/[redacted].ics" in server_log
