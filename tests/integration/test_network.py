"""The network map on the young person's page: building it with htmx, the directory, bad
input, access, and the event row every change writes."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlmodel import col, func, select

from app.clock import now as clock_now
from app.domain.youth import YouthData
from app.models.audit import AuditAction, AuditEvent
from app.models.network import NetworkMember, Person
from app.models.user import Role
from app.models.youth import EventKind, Youth, YouthEvent, YouthStatus
from app.services import youths
from tests.conftest import login, make_user

HTMX = {"HX-Request": "true"}
MOTHER = {"kind": "private", "name": "Anne Hansen", "email": "anne@example.dk",
          "phone": "+45 20 30 40 50", "address": "Lindevej 4, 4000 Roskilde", "role": "mother",
          "ring": "1", "custody_holder": "true", "youth_agreed": "true"}
PPR = {"kind": "professional", "name": "Lone Winther", "email": "lone.winther@ppr.example",
       "phone": "72 36 50 00", "organisation": "PPR Egebjerg", "role": "ppr_psychologist",
       "ring": "2"}


def _today(settings) -> date:
    return clock_now().astimezone(settings.tz).date()


def _youth(session, settings, user, *, age_years: int = 17, first_name: str = "Freja",
           **values) -> Youth:
    born = _today(settings) - relativedelta(years=age_years, months=2)
    data = YouthData(birth_date=born, birth_date_reason="Ikke tildelt endnu",
                     first_name=first_name, last_name="Østergaard", **values)
    return youths.create(session, settings, user, data, _today(settings))


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _events(session, youth_id: int) -> list[EventKind]:
    return list(session.exec(select(YouthEvent.kind).where(YouthEvent.youth_id == youth_id)
                             .order_by(col(YouthEvent.id))))


def _member(session, youth_id: int, name: str) -> NetworkMember:
    return session.exec(
        select(NetworkMember).join(Person, col(Person.id) == NetworkMember.person_id)
        .where(NetworkMember.youth_id == youth_id, Person.name == name)
    ).one()


def _add(client, youth: Youth, token: str, data: dict[str, str], htmx: bool = True):
    return client.post(f"/youths/{youth.id}/network/members/new",
                       data={**data, "csrf_token": token}, headers=HTMX if htmx else {})


def test_adding_a_person_returns_the_map_and_the_table_without_a_full_page(
    client, session, settings
):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")

    response = _add(client, youth, token, MOTHER)
    assert response.status_code == 200, response.text
    html = response.text
    assert "<html" not in html  # only the network section
    assert '<section id="network"' in html
    assert '<svg class="network-map"' in html and "<title id=\"nm-title\">" in html
    assert "Anne Hansen er tilføjet netværket." in html
    assert html.count("Anne Hansen") >= 3  # marker title, marker label, table row
    assert "<th scope=\"row\">Anne Hansen</th>" in html
    assert "Har forældremyndighed" in html and "Familie (1)" in html

    member = _member(session, youth.id, "Anne Hansen")
    assert (member.sector, member.ring, member.custody_holder) == ("family", 1, True)
    assert _events(session, youth.id)[-1] is EventKind.NETWORK_MEMBER_ADDED
    assert _count(session, AuditEvent, AuditEvent.object_type == "network_member",
                  AuditEvent.action == AuditAction.CREATE) == 1


def test_without_javascript_a_form_post_redirects_to_the_map_page(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    form = client.get(f"/youths/{youth.id}/network/members/new")
    assert form.status_code == 200 and "<html" in form.text
    assert f'action="/youths/{youth.id}/network/members/new"' in form.text
    response = _add(client, youth, token, PPR, htmx=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/youths/{youth.id}/network#network"
    page = client.get(f"/youths/{youth.id}/network")
    assert "Lone Winther" in page.text and "PPR-psykolog" in page.text


def test_the_youth_page_shows_the_network_section_and_links_to_it(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    _add(client, youth, token, MOTHER)
    page = client.get(f"/youths/{youth.id}")
    assert '<a href="#network">Netværkskort</a>' in page.text
    assert '<section id="network"' in page.text and "Anne Hansen" in page.text
    assert "Tilføjet netværket" in page.text  # the history lists the event


def test_a_bad_email_or_phone_is_refused_next_to_the_field_and_nothing_is_lost(
    client, session, settings
):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    response = _add(client, youth, token, {**MOTHER, "email": "anne@", "phone": "12ab"})
    assert response.status_code == 400
    assert "Indtast en gyldig e-mailadresse" in response.text
    assert 'id="f-email-error"' in response.text
    bad_phone = _add(client, youth, token, {**MOTHER, "phone": "12ab"})
    assert 'id="f-phone-error"' in bad_phone.text
    assert 'value="Anne Hansen"' in response.text and 'value="anne@"' in response.text
    markup = _add(client, youth, token, {**MOTHER, "name": "<script>alert(1)</script>"})
    assert markup.status_code == 400 and "<script>alert(1)</script>" not in markup.text
    assert _count(session, NetworkMember) == 0 and _count(session, Person) == 0


def test_the_same_person_twice_in_one_network_is_refused(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    assert _add(client, youth, token, MOTHER).status_code == 200
    again = _add(client, youth, token, {**MOTHER, "name": "anne  hansen", "role": "other_relative",
                                        "role_other": "Moster"})
    assert again.status_code == 400
    assert "Anne Hansen er allerede i netværket." in again.text
    assert _add(client, youth, token, PPR).status_code == 200
    person = session.exec(select(Person).where(Person.name == "Lone Winther")).one()
    by_directory = _add(client, youth, token, {"person_id": str(person.id), "role": "gp",
                                                "ring": "2"})
    assert by_directory.status_code == 400
    assert "Lone Winther er allerede i netværket." in by_directory.text
    assert _count(session, NetworkMember, NetworkMember.youth_id == youth.id) == 2


def test_one_professional_sits_in_many_networks_without_being_typed_twice(
    client, session, settings
):
    kim = make_user(session, Role.COORDINATOR, "kim")
    freja = _youth(session, settings, kim, first_name="Freja")
    mikkel = _youth(session, settings, kim, first_name="Mikkel")
    sofie = _youth(session, settings, kim, first_name="Sofie")
    token = login(client, "kim")
    assert _add(client, freja, token, PPR).status_code == 200
    [lone] = session.exec(select(Person)).all()

    found = client.get(f"/youths/{mikkel.id}/network/members/new?q=egebjerg", headers=HTMX)
    assert f"/network/members/new?person={lone.id}" in found.text
    assert "Vælg Lone Winther" in found.text
    chosen = client.get(f"/youths/{mikkel.id}/network/members/new?person={lone.id}",
                        headers=HTMX)
    assert f'name="person_id" value="{lone.id}"' in chosen.text
    added = _add(client, mikkel, token, {"person_id": str(lone.id), "role": "ppr_psychologist",
                                         "ring": "3"})
    assert added.status_code == 200, added.text

    # typed again by hand, with the same name and e-mail: the entry is reused, not copied
    typed = _add(client, sofie, token, {**PPR, "email": "LONE.WINTHER@ppr.example"})
    assert typed.status_code == 200
    assert _count(session, Person) == 1
    assert _count(session, NetworkMember, NetworkMember.person_id == lone.id) == 3

    # a change of phone number in one network shows in all of them
    member = _member(session, mikkel.id, "Lone Winther")
    edit = client.post(f"/youths/{mikkel.id}/network/members/{member.id}/edit", headers=HTMX,
                       data={**PPR, "phone": "+45 72 36 50 99", "csrf_token": token})
    assert edit.status_code == 200, edit.text
    assert "+45 72 36 50 99" in client.get(f"/youths/{freja.id}/network").text


def test_relatives_are_not_offered_from_the_directory_nor_reusable_without_access(
    client, session, settings
):
    sara = make_user(session, Role.CHILD_CASEWORKER, "sara")
    kim = make_user(session, Role.COORDINATOR, "kim")
    hidden = _youth(session, settings, kim, status=YouthStatus.TRANSFERRED,
                    closed_reason="")
    own = _youth(session, settings, sara, child_caseworker_id=sara.id)
    kim_token = login(client, "kim")
    _add(client, hidden, kim_token, MOTHER)
    mother = session.exec(select(Person).where(Person.name == "Anne Hansen")).one()

    token = login(client, "sara")
    search = client.get(f"/youths/{own.id}/network/members/new?q=anne", headers=HTMX)
    assert "Anne Hansen" not in search.text
    assert "Ingen fagperson i kartoteket passer" in search.text
    forged = _add(client, own, token, {"person_id": str(mother.id), "role": "mother",
                                       "ring": "1"})
    assert forged.status_code == 400
    assert "Vælg en person fra kartoteket." in forged.text
    assert _count(session, NetworkMember, NetworkMember.youth_id == own.id) == 0


def test_custody_for_someone_who_has_turned_18_is_refused_and_shown_as_ended(
    client, session, settings
):
    kim = make_user(session, Role.COORDINATOR, "kim")
    adult = _youth(session, settings, kim, age_years=18)
    token = login(client, "kim")
    refused = _add(client, adult, token, MOTHER)
    assert refused.status_code == 400
    assert "Forældremyndigheden ophørte, da den unge fyldte 18" in refused.text
    assert 'id="f-custody_holder-error"' in refused.text
    guardian = {k: v for k, v in MOTHER.items() if k != "custody_holder"}
    assert _add(client, adult, token, {**guardian, "guardian": "true"}).status_code == 200

    minor = _youth(session, settings, kim, age_years=17, first_name="Mikkel")
    assert _add(client, minor, token, {**MOTHER, "name": "Bente Bæk"}).status_code == 200
    minor.birth_date = minor.birth_date - relativedelta(years=1)  # now 18
    session.add(minor)
    session.commit()
    page = client.get(f"/youths/{minor.id}/network")
    assert "Forældremyndigheden ophørte ved 18 år" in page.text
    assert "Har forældremyndighed<" not in page.text


def test_a_professional_cannot_hold_custody_and_a_relative_role_needs_a_relative(
    client, session, settings
):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    custody = _add(client, youth, token, {**PPR, "role": "guardian", "custody_holder": "true"})
    assert "Kun en forælder eller et andet familiemedlem" in custody.text
    wrong = _add(client, youth, token, {**PPR, "role": "mother"})
    assert "Rollen er for en pårørende" in wrong.text
    other = _add(client, youth, token, {**MOTHER, "role": "other_relative"})
    assert "Skriv, hvilken rolle eller relation personen har." in other.text
    assert _count(session, NetworkMember) == 0


def test_moving_and_editing_a_member_update_the_map_and_write_events(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    _add(client, youth, token, PPR)
    member = _member(session, youth.id, "Lone Winther")
    base = f"/youths/{youth.id}/network/members/{member.id}"

    form = client.get(f"{base}/move", headers=HTMX)
    assert form.status_code == 200 and "Flyt Lone Winther" in form.text
    moved = client.post(f"{base}/move", headers=HTMX,
                        data={"sector": "school_work", "ring": "1", "csrf_token": token})
    assert moved.status_code == 200 and "Lone Winther er flyttet." in moved.text
    assert "Skole, uddannelse og arbejde (1)" in moved.text
    session.refresh(member)
    assert (member.sector, member.ring) == ("school_work", 1)
    bad = client.post(f"{base}/move", headers=HTMX,
                      data={"sector": "school_work", "ring": "7", "csrf_token": token})
    assert bad.status_code == 400

    edited = client.post(f"{base}/edit", headers=HTMX, data={
        **PPR, "sector": "professionals", "ring": "3", "invited_to_meetings": "true",
        "note": "Kender Freja fra 7. klasse", "csrf_token": token})
    assert edited.status_code == 200 and "Kender Freja fra 7. klasse" in edited.text
    session.refresh(member)
    assert member.invited_to_meetings and member.ring == 3
    kinds = _events(session, youth.id)
    assert kinds[-4:] == [EventKind.NETWORK_MEMBER_ADDED, EventKind.NETWORK_MEMBER_MOVED,
                          EventKind.NETWORK_MEMBER_CHANGED, EventKind.NETWORK_MEMBER_MOVED]


def test_removing_asks_first_and_the_person_stays_in_the_directory(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    _add(client, youth, token, {**PPR, "invited_to_meetings": "true"})
    member = _member(session, youth.id, "Lone Winther")
    url = f"/youths/{youth.id}/network/members/{member.id}/remove"

    ask = client.get(url, headers=HTMX)
    assert ask.status_code == 200
    assert "Fjern Lone Winther fra netværket?" in ask.text
    assert "bliver ikke længere inviteret til møder" in ask.text
    assert 'name="confirm" value="yes"' in ask.text and "hx-confirm" not in ask.text
    unconfirmed = client.post(url, headers=HTMX, data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    assert "Fjern Lone Winther fra netværket?" in unconfirmed.text
    assert _count(session, NetworkMember) == 1

    removed = client.post(url, headers=HTMX, data={"confirm": "yes", "csrf_token": token})
    assert removed.status_code == 200
    assert "Lone Winther er fjernet fra netværket." in removed.text
    assert "<th scope=\"row\">Lone Winther</th>" not in removed.text
    assert _count(session, NetworkMember, col(NetworkMember.removed_at).is_(None)) == 0
    assert _count(session, Person) == 1  # the directory entry stays
    assert _events(session, youth.id)[-1] is EventKind.NETWORK_MEMBER_REMOVED
    assert client.get(url).status_code == 404  # a removed member is no longer in the network

    # added again later: back on the map, on the same row
    again = _add(client, youth, token, {**PPR, "ring": "1"})
    assert again.status_code == 200
    assert _member(session, youth.id, "Lone Winther").id == member.id


def test_a_member_of_another_network_is_not_found_through_this_young_person(
    client, session, settings
):
    kim = make_user(session, Role.COORDINATOR, "kim")
    freja = _youth(session, settings, kim)
    mikkel = _youth(session, settings, kim, first_name="Mikkel")
    token = login(client, "kim")
    _add(client, freja, token, MOTHER)
    member = _member(session, freja.id, "Anne Hansen")
    base = f"/youths/{mikkel.id}/network/members/{member.id}"
    for action in ("edit", "move", "remove"):
        assert client.get(f"{base}/{action}").status_code == 404
        posted = client.post(f"{base}/{action}", data={
            **MOTHER, "sector": "family", "confirm": "yes", "csrf_token": token})
        assert posted.status_code == 404
    assert _count(session, NetworkMember) == 1
    session.refresh(member)
    assert member.youth_id == freja.id


def test_a_caseworker_without_access_to_the_young_person_cannot_see_or_change_the_network(
    client, session, settings
):
    kim = make_user(session, Role.COORDINATOR, "kim")
    make_user(session, Role.CHILD_CASEWORKER, "sara")
    transferred = _youth(session, settings, kim, status=YouthStatus.TRANSFERRED)
    token = login(client, "sara")
    assert client.get(f"/youths/{transferred.id}/network").status_code == 403
    assert _add(client, transferred, token, MOTHER).status_code == 403
    assert _count(session, NetworkMember) == 0


def _plan_meeting(session, settings, user, youth, member, days_ahead: int):
    from datetime import time

    from app.domain.meeting import MeetingData
    from app.models.meeting import MeetingKind, PlaceKind
    from app.services import meetings

    now = clock_now()
    data = MeetingData(kind=MeetingKind.COORDINATION,
                       day=_today(settings) + relativedelta(days=days_ahead),
                       start_time=time(10), end_time=time(11), place_kind=PlaceKind.HOME)
    return meetings.plan(session, settings, user, youth.id, data,
                         [meetings.Choice(key=f"m{member.id}")], now, _today(settings))


def test_removing_someone_invited_to_a_meeting_ahead_asks_and_then_uninvites_them(
    client, session, settings
):
    from app.models.meeting import MeetingInvitee
    from app.models.outbox import OutboxKind, OutboxMessage

    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    _add(client, youth, token, {**PPR, "invited_to_meetings": "true"})
    member = _member(session, youth.id, "Lone Winther")
    meeting = _plan_meeting(session, settings, kim, youth, member, days_ahead=14)
    url = f"/youths/{youth.id}/network/members/{member.id}/remove"

    ask = client.get(url, headers=HTMX)
    assert "Personen er inviteret til disse møder og bliver taget af invitationslisten" in ask.text
    assert f'href="/meetings/{meeting.id}"' in ask.text
    assert 'name="uninvite" value="yes"' in ask.text

    # a confirmation that does not mention the invitations is asked again, and changes nothing
    refused = client.post(url, headers=HTMX, data={"confirm": "yes", "csrf_token": token})
    assert refused.status_code == 409
    assert _count(session, NetworkMember, col(NetworkMember.removed_at).is_(None)) == 1

    done = client.post(url, headers=HTMX,
                       data={"confirm": "yes", "uninvite": "yes", "csrf_token": token})
    assert done.status_code == 200 and "Lone Winther er fjernet fra netværket." in done.text
    invitee = session.exec(select(MeetingInvitee).where(
        MeetingInvitee.member_id == member.id)).one()
    session.refresh(invitee)
    assert invitee.removed_at is not None
    assert session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.MEETING_REMOVED)).one().recipient_name == "Lone Winther"
