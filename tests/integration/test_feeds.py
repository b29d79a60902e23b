"""Calendar feeds (ICALENDAR.md rules 17-25): the "My calendar" page makes, rotates and
revokes the link; /feeds/{token}.ics serves the user's meetings without login."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime, time, timedelta

from icalendar import Calendar
from sqlmodel import select

from app.clock import now as clock_now
from app.domain.meeting import MeetingData
from app.domain.youth import YouthData
from app.models.audit import AuditEvent
from app.models.meeting import CalendarFeed, MeetingKind, PlaceKind
from app.models.network import NetworkMember, NetworkRole, Person, PersonKind, Sector
from app.models.user import Role
from app.services import meetings, youths
from app.web.log_redaction import RedactTokens, install
from tests.conftest import login, make_user, today_cph

CPR = "120309-4321"
LINK_RE = re.compile(r'value="(http://testserver/feeds/([A-Za-z0-9_-]+)\.ics)"')


def _now() -> datetime:
    return clock_now()


def _data(days: int, start=time(10), **kw) -> MeetingData:
    values = {"kind": MeetingKind.COORDINATION, "day": today_cph() + timedelta(days=days),
              "start_time": start, "end_time": time(start.hour + 1),
              "place_kind": PlaceKind.TOWN_HALL, "place_detail": "Lokale 2", "agenda": "Bolig"}
    values.update(kw)
    return MeetingData(**values)


def _setup(session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    other = make_user(session, Role.ADULT_CASEWORKER, "ole", "Ole Berg")
    youth = youths.create(session, settings, worker, YouthData(
        cpr=CPR, first_name="Freja", last_name="Holm", address="Æblevej 3",
        child_caseworker_id=worker.id, adult_caseworker_id=other.id,
        email="freja@example.dk"), today_cph())
    person = Person(kind=PersonKind.PRIVATE, name="Anne Kragh", email="anne@example.dk")
    session.add(person)
    session.flush()
    member = NetworkMember(youth_id=youth.id, person_id=person.id, sector=Sector.FAMILY,
                           ring=1, role=NetworkRole.MOTHER, invited_to_meetings=True)
    session.add(member)
    session.commit()
    return worker, other, youth, member


def _make_link(client, token) -> str:
    page = client.post("/calendar/feed", data={"csrf_token": token})
    assert page.status_code == 200
    match = LINK_RE.search(page.text)
    assert match, page.text
    return match.group(2)


def _events(body: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_the_link_is_shown_once_and_only_its_hash_is_stored(client, session, settings):
    _setup(session, settings)
    csrf = login(client, "mette")
    page = client.get("/calendar")
    assert page.status_code == 200 and 'id="feed-state"' in page.text
    assert "/feeds/" not in page.text
    token = _make_link(client, csrf)
    assert len(token) >= 43  # secrets.token_urlsafe(32): 256 bits
    first = client.post("/calendar/feed", data={"csrf_token": csrf})
    assert 'id="feed-http-warning"' in first.text  # http in development: said next to the link
    session.expire_all()
    feed = session.exec(select(CalendarFeed)).one()
    second = LINK_RE.search(first.text).group(2)
    assert feed.token_hash == hashlib.sha256(second.encode()).hexdigest()
    assert feed.rotated_at is not None
    assert second not in client.get("/calendar").text  # shown once only
    for row in session.exec(select(AuditEvent)):
        assert second not in row.detail and second not in row.object_id


def test_the_link_starts_with_https_when_the_app_does(client, session, settings, app):
    _setup(session, settings)
    csrf = login(client, "mette")
    app.state.settings = settings.model_copy(update={"public_base_url": "https://kommune.dk"})
    page = client.post("/calendar/feed", data={"csrf_token": csrf})
    assert re.search(r'value="https://kommune\.dk/feeds/[A-Za-z0-9_-]{43}\.ics"', page.text)
    assert 'id="feed-http-warning"' not in page.text


def test_the_feed_serves_the_users_meetings_with_etag_and_without_names(
        client, session, settings):
    worker, other, youth, member = _setup(session, settings)
    now, today = _now(), today_cph()
    mine = meetings.plan(session, settings, worker, youth.id, _data(20, agenda="Freja og bolig"),
                         [meetings.Choice(f"m{member.id}")], now, today)
    invited = meetings.plan(session, settings, other, youth.id, _data(21),
                            [meetings.Choice(f"u{worker.id}")], now, today)
    not_mine = meetings.plan(session, settings, other, youth.id, _data(22),
                             [meetings.Choice(f"m{member.id}")], now, today)
    at_home = meetings.plan(session, settings, worker, youth.id,
                            _data(23, place_kind=PlaceKind.HOME, place_detail=""),
                            [meetings.Choice(f"m{member.id}")], now, today)
    cancelled = meetings.plan(session, settings, worker, youth.id, _data(24),
                              [meetings.Choice(f"m{member.id}")], now, today)
    meetings.cancel(session, settings, worker, cancelled.id, "", now)
    mine.updated_at = now - timedelta(minutes=5)  # LAST-MODIFIED has whole seconds
    session.add(mine)
    session.commit()
    csrf = login(client, "mette")
    token = _make_link(client, csrf)
    client.cookies.clear()  # a calendar program has no session

    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"  # rule 17
    etag = response.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    text = response.content.decode("utf-8")
    cal = Calendar.from_ical(response.content)
    assert cal.get("METHOD") in (None, "PUBLISH")
    assert "X-WR-CALNAME" in cal and "NAME" in cal  # rule 18
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text
    events = _events(response.content)
    assert set(events) == {mine.uid, invited.uid, at_home.uid}  # rule 21; not_mine absent
    assert not_mine.uid not in text and cancelled.uid not in text
    for event in events.values():
        assert "ATTENDEE" not in event and "ORGANIZER" not in event  # rule 22
        assert event["CLASS"] == "PRIVATE"  # rule 23
        assert "LAST-MODIFIED" in event
    for name in ("Freja", "Holm", "Anne", "Kragh", "Æblevej", CPR, CPR.replace("-", "")):
        assert name not in text, name
    assert "DESCRIPTION" not in events[mine.uid]  # the agenda names her: left out

    again = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    assert client.head(f"/feeds/{token}.ics").status_code == 200

    meetings.update(session, settings, worker, mine.id, _data(20, start=time(13)), _now())
    changed = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    before, after = events[mine.uid], _events(changed.content)[mine.uid]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt

    reads = session.exec(select(AuditEvent).where(AuditEvent.object_type == "calendar_feed",
                                                  AuditEvent.action == "read")).all()
    assert len(reads) == 3  # 200, HEAD and the changed one; never the 304


def test_names_are_shown_only_when_the_owner_chooses(client, session, settings):
    worker, _other, youth, member = _setup(session, settings)
    meetings.plan(session, settings, worker, youth.id, _data(20),
                  [meetings.Choice(f"m{member.id}")], _now(), today_cph())
    csrf = login(client, "mette")
    token = _make_link(client, csrf)
    assert b"Freja" not in client.get(f"/feeds/{token}.ics").content
    assert client.post("/calendar/names", data={"csrf_token": csrf, "show_names": "yes"}
                       ).status_code == 303
    session.expire_all()
    assert session.exec(select(CalendarFeed)).one().show_names is True
    assert 'id="f-names-yes" name="show_names" value="yes" aria-describedby="names-hint" checked' \
        in client.get("/calendar").text
    assert b"Freja" in client.get(f"/feeds/{token}.ics").content
    client.post("/calendar/names", data={"csrf_token": csrf, "show_names": "no"})
    assert b"Freja" not in client.get(f"/feeds/{token}.ics").content


def test_rotated_revoked_and_unknown_tokens_answer_404(client, session, settings):
    worker, _other, _youth, _member = _setup(session, settings)
    csrf = login(client, "mette")
    old = _make_link(client, csrf)
    new = _make_link(client, csrf)
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    assert client.get("/feeds/short.ics").status_code == 404
    assert client.get(f"/feeds/{new[:-1]}A.ics").status_code in (200, 404)
    assert client.get(f"/feeds/{'x' * 43}.ics").status_code == 404

    ask = client.post("/calendar/feed/revoke", data={"csrf_token": csrf})
    assert ask.status_code == 200 and 'name="confirm" value="yes"' in ask.text
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    done = client.post("/calendar/feed/revoke", data={"csrf_token": csrf, "confirm": "yes"})
    assert done.status_code == 303
    assert client.get(f"/feeds/{new}.ics").status_code == 404
    session.expire_all()
    feed = session.exec(select(CalendarFeed)).one()
    assert feed.token_hash is None and feed.revoked_at is not None

    again = _make_link(client, csrf)
    assert client.get(f"/feeds/{again}.ics").status_code == 200
    worker.is_active = False
    session.add(worker)
    session.commit()
    assert client.get(f"/feeds/{again}.ics").status_code == 404


def test_the_token_never_reaches_the_logs(caplog, app):
    install()
    token = "Zk3" + "a" * 40
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactTokens) for f in access.filters)
    with caplog.at_level(logging.INFO):
        access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET",
                    f"/feeds/{token}.ics", "1.1", 200)
        logging.getLogger("overgang.errors").error("unhandled error ref=%s path=%s", "X",
                                                   f"/feeds/{token}.ics")
    assert token not in caplog.text
    assert "/feeds/[redacted].ics" in caplog.text


def test_the_feed_page_needs_login_but_the_feed_does_not(client, session, settings):
    _setup(session, settings)
    assert client.get("/calendar").status_code == 303
    assert client.get(f"/feeds/{'a' * 43}.ics").status_code == 404


def test_a_youth_the_user_may_no_longer_see_leaves_the_feed(client, session, settings):
    worker, other, youth, _member = _setup(session, settings)
    meeting = meetings.plan(session, settings, worker, youth.id, _data(20),
                            [meetings.Choice(f"u{other.id}")], _now(), today_cph())
    csrf = login(client, "ole")
    token = _make_link(client, csrf)
    assert meeting.uid in client.get(f"/feeds/{token}.ics").text
    youth.adult_caseworker_id = None
    youth.transition_started_on = None
    session.add(youth)
    session.commit()
    assert "BEGIN:VEVENT" not in client.get(f"/feeds/{token}.ics").text
