"""The family's page at the HTTP level: who sees which young person (citizen × young person ×
age × consent), 404 for everything else, and an audit row with the citizen for every read."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlmodel import col, select

from app.domain.principal import ActorKind
from app.models.audit import AuditAction, AuditEvent
from app.models.inquiry import Inquiry
from tests.conftest import at_copenhagen, csrf_from, login
from tests.integration.family_world import (
    ANNE_CPR,
    FREJA_BIRTHDAY,
    FREJA_CPR,
    GRETE_CPR,
    KARL_CPR,
    LONE_CPR,
    STRANGER_CPR,
    citizen_login,
    make_family,
    share,
)

DAY_BEFORE, BIRTHDAY, LATER = date(2026, 3, 3), FREJA_BIRTHDAY, date(2027, 6, 1)


@pytest.mark.parametrize("day", [DAY_BEFORE, BIRTHDAY, LATER])
@pytest.mark.parametrize("consent", ["none", "shared", "withdrawn"])
def test_who_sees_freja_by_age_and_consent(client, session, settings, clock, day, consent):
    clock.set(at_copenhagen(day))
    family = make_family(session, settings, day)
    if consent == "shared":
        share(session, family.freja, family.anne, date(2026, 2, 1))
    elif consent == "withdrawn":
        share(session, family.freja, family.anne, date(2026, 2, 1), withdrawn_on=date(2026, 2, 2))
    mother_sees = day < FREJA_BIRTHDAY or consent == "shared"
    expected = {FREJA_CPR: True, ANNE_CPR: mother_sees, GRETE_CPR: False, LONE_CPR: False,
                STRANGER_CPR: False, KARL_CPR: False}
    for cpr, sees in expected.items():
        citizen_login(client, session, settings, cpr)
        response = client.get(f"/borger/unge/{family.freja.id}")
        assert response.status_code == (200 if sees else 404), (cpr, response.status_code)
        assert ("Freja" in response.text) is sees, cpr
        start = client.get("/borger")
        if sees:
            assert start.headers.get("location") == f"/borger/unge/{family.freja.id}"
        else:
            assert "Freja" not in start.text
    # Karl's mother sees Karl until his 18th birthday (5 June 2026), never Freja.
    citizen_login(client, session, settings, LONE_CPR)
    karl = client.get(f"/borger/unge/{family.karl.id}")
    assert karl.status_code == (200 if day < date(2026, 6, 5) else 404)


def test_a_citizen_who_may_not_see_the_young_person_changes_nothing(
        client, session, settings, clock):
    clock.set(at_copenhagen(LATER))
    family = make_family(session, settings, LATER)
    citizen_login(client, session, settings, FREJA_CPR)
    csrf = csrf_from(client.get(f"/borger/unge/{family.freja.id}").text)
    citizen_login(client, session, settings, ANNE_CPR)  # Freja is 19 and has not shared
    urls = [f"/borger/unge/{family.freja.id}/beskeder", f"/borger/unge/{family.freja.id}/aftale",
            f"/borger/unge/{family.freja.id}/del"]
    for url in urls:
        response = client.post(url, data={"summary": "Hej", "csrf_token": csrf,
                                          "comm_channel": "email", "comm_frequency": "weekly"},
                               headers={"X-CSRF-Token": csrf})
        assert response.status_code in (403, 404), url  # 403: the token is Freja's session's
    session.expire_all()
    assert session.exec(select(Inquiry)).all() == []


def _citizen_get_urls(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.path for c in iter_route_contexts(app.routes)
            if isinstance(c.original_route, APIRoute) and "GET" in c.original_route.methods
            and not getattr(c.original_route.endpoint, "public", False)]


def test_every_staff_page_and_api_answers_404_to_a_citizen(app, client, session, settings,
                                                          clock):
    clock.set(at_copenhagen(DAY_BEFORE))
    family = make_family(session, settings, DAY_BEFORE)
    citizen_login(client, session, settings, FREJA_CPR)  # she may see her own record
    checked = 0
    for path in _citizen_get_urls(app):
        if path.startswith("/borger"):
            continue
        url = path
        for name in ("youth_id", "member_id", "meeting_id", "consent_id", "document_id",
                     "inquiry_id", "message_id", "row_id", "invitee_id", "action_id",
                     "case_id", "follow_up_id", "user_id", "step_id", "type_id",
                     "closing_day_id", "sample_id"):
            url = url.replace("{" + name + "}", str(family.freja.id))
        url = url.replace("{action}", "edit").replace("{key}", "turning_18")
        url = url.replace("{token}", "x")
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert "Holm" not in response.text, url
        checked += 1
    assert checked > 40


def test_every_page_read_is_logged_with_the_citizen_and_shown_to_staff(
        client, session, settings, clock):
    clock.set(at_copenhagen(DAY_BEFORE))
    family = make_family(session, settings, DAY_BEFORE)
    citizen_login(client, session, settings, ANNE_CPR, "Anne Holm")
    assert client.get(f"/borger/unge/{family.freja.id}").status_code == 200
    session.expire_all()
    rows = session.exec(select(AuditEvent).where(
        AuditEvent.youth_id == family.freja.id, AuditEvent.action == AuditAction.READ,
        AuditEvent.actor_kind == ActorKind.CITIZEN)).all()
    assert len(rows) == 1
    assert rows[0].user_id is None and rows[0].actor_ref.startswith("citizen:")
    assert rows[0].detail == "GET /borger/unge/{youth_id}"
    assert ANNE_CPR not in rows[0].actor_ref and "1203" not in rows[0].actor_ref
    logins = session.exec(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN,
                                                   col(AuditEvent.actor_ref) != "")).all()
    assert logins and all(ANNE_CPR not in (r.detail + r.actor_ref) for r in logins)
    client.cookies.clear()
    login(client, "koordinator")
    audit_page = client.get(f"/youths/{family.freja.id}/audit")
    assert "Borger på familiens side" in audit_page.text
    assert rows[0].actor_ref in audit_page.text


def test_the_cpr_number_is_in_no_cookie_url_or_page(client, session, settings, clock):
    clock.set(at_copenhagen(DAY_BEFORE))
    family = make_family(session, settings, DAY_BEFORE)
    citizen_login(client, session, settings, ANNE_CPR, "Anne Holm")
    page = client.get(f"/borger/unge/{family.freja.id}")
    assert page.status_code == 200
    for cpr in (ANNE_CPR, FREJA_CPR):
        assert cpr not in page.text and cpr[:6] not in page.text
        assert all(cpr not in value for value in client.cookies.values())


def test_a_parent_of_two_chooses_and_the_list_is_logged_as_a_read_of_each(
        client, session, settings, clock):
    clock.set(at_copenhagen(DAY_BEFORE))
    family = make_family(session, settings, DAY_BEFORE)
    from app.models.network import NetworkMember, NetworkRole, Sector
    anne_person = session.get(NetworkMember, family.anne.id).person_id
    session.add(NetworkMember(youth_id=family.karl.id or 0, person_id=anne_person,
                              sector=Sector.FAMILY, role=NetworkRole.MOTHER,
                              custody_holder=True))
    session.commit()
    citizen_login(client, session, settings, ANNE_CPR)
    start = client.get("/borger")
    assert start.status_code == 200
    assert "Freja Holm" in start.text and "Karl Berg" in start.text
    session.expire_all()
    reads = session.exec(select(AuditEvent).where(
        AuditEvent.action == AuditAction.READ, AuditEvent.detail == "GET /borger")).all()
    assert sorted(r.youth_id for r in reads) == sorted([family.freja.id, family.karl.id])
    assert all(r.actor_kind == ActorKind.CITIZEN for r in reads)
