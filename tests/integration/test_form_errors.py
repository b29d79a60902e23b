"""Every form shows all its errors at once: each beside its field (and describing it), and all
in one error summary at the top whose links go to the fields and name them by their labels.
What was typed is kept, nothing is saved. A field marked "(valgfrit)" can be left empty.

The forms: the network member form (htmx), the consent form, the meeting form, the timeline
template step form and the change of caseworker."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import func, select

from app.clock import now as clock_now
from app.domain.network_input import MemberData
from app.domain.youth import YouthData
from app.i18n import N_, Msg, locale
from app.models.caseworker import CaseworkerChange
from app.models.handover import Consent, DocumentType
from app.models.meeting import Meeting
from app.models.network import NetworkMember, Person
from app.models.outbox import OutboxMessage
from app.models.timeline import TimelineStep
from app.models.user import Role
from app.models.youth import Youth
from app.services import network, youths
from tests.conftest import login, make_user
from tests.form_page import FormPage

HTMX = {"HX-Request": "true"}


def _today(settings) -> date:
    return clock_now().astimezone(settings.tz).date()


def _da(msgid: str, **params: object) -> str:
    with locale("da"):
        return str(Msg(msgid, **params))


def _count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _youth(session, settings, user, **values) -> Youth:
    born = _today(settings) - relativedelta(years=17, months=2)
    data = YouthData(birth_date=born, birth_date_reason="Ikke tildelt endnu",
                     first_name="Freja", last_name="Østergaard", **values)
    return youths.create(session, settings, user, data, _today(settings))


def _assert_all_shown(page: FormPage, expected: dict[str, tuple[str, str]]) -> None:
    """`expected`: field -> (its label, its message). Each is beside its field, and the
    summary links to it with the label and the message, nothing else listed."""
    assert page.summary_is_alert
    for name, (_label, message) in expected.items():
        assert page.error(name) == message, name
    assert sorted(page.summary) == sorted(
        (f"#f-{name}", f"{label}: {message}") for name, (label, message) in expected.items())


# --- the network member form (htmx) -------------------------------------------------------


def test_the_network_form_shows_every_error_in_the_swapped_section(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    before = (_count(session, NetworkMember), _count(session, Person))

    response = client.post(f"/youths/{youth.id}/network/members/new", headers=HTMX, data={
        "csrf_token": token, "kind": "", "name": "", "email": "anne(at)example",
        "phone": "2030", "role": "other_relative", "role_other": "", "ring": "1",
        "note": "Ringer efter kl. 16"})

    assert response.status_code == 400
    assert "<html" not in response.text  # the section htmx swaps in, summary included
    page = FormPage(response.text)
    _assert_all_shown(page, {
        "kind": ("Hvem er det?", _da(N_("Choose relative or professional."))),
        "name": ("Navn", _da(N_("This field is required."))),
        "email": ("E-mail", _da(N_("Enter a valid e-mail address, such as navn@kommune.dk."))),
        "phone": ("Telefon", _da(N_(
            "Enter a valid phone number of 8 digits, optionally with +45."))),
        "role_other": ("Anden rolle eller relation", _da(N_("Describe the role or relation."))),
    })
    # the heading does not take the focus from the summary after the swap
    assert "autofocus" not in response.text.split('id="error-summary"')[0]
    assert page.value("email") == "anne(at)example" and page.value("phone") == "2030"
    assert page.value("role") == "other_relative" and page.value("note") == "Ringer efter kl. 16"
    assert (_count(session, NetworkMember), _count(session, Person)) == before


def test_every_optional_network_field_can_be_left_empty(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    form = FormPage(client.get(f"/youths/{youth.id}/network/members/new").text)
    optional = form.optional_fields()
    assert optional == {"email", "phone", "address", "organisation", "sector",
                        "preferred_channel", "note"}

    data = {"csrf_token": token, "kind": "private", "name": "Anne Hansen", "role": "mother",
            "ring": "1", **dict.fromkeys(optional, "")}
    response = client.post(f"/youths/{youth.id}/network/members/new", headers=HTMX, data=data)

    assert response.status_code == 200, response.text
    assert 'id="error-summary"' not in response.text
    assert _count(session, NetworkMember) == 1


def test_the_network_edit_reports_every_refusal_of_the_role_together(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    lone = network.add_member(session, kim, youth.id, MemberData(
        kind="professional", name="Lone Winther", role="ppr_psychologist"), _today(settings))
    session.commit()
    token = login(client, "kim")

    response = client.post(f"/youths/{youth.id}/network/members/{lone.id}/edit",
                           headers=HTMX, data={
                               "csrf_token": token, "name": "Lone Winther", "role": "mother",
                               "ring": "2", "custody_holder": "true"})

    assert response.status_code == 400
    page = FormPage(response.text)
    _assert_all_shown(page, {
        "role": ("Rolle eller relation", _da(N_(
            "This role is for a relative or someone in the private network, not a "
            "professional."))),
        "custody_holder": ("Har forældremyndighed", _da(N_(
            "Only a parent or another relative can hold custody."))),
    })
    assert page.value("role") == "mother" and page.checked("custody_holder") == ["true"]
    session.expire_all()
    assert session.get(NetworkMember, lone.id).role == "ppr_psychologist"


# --- the consent form -----------------------------------------------------------------------


def test_the_consent_form_shows_every_error_at_once(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    tomorrow = _today(settings) + timedelta(days=1)

    response = client.post(f"/youths/{youth.id}/consents/new", data={
        "csrf_token": token, "giver": "",
        "purposes": ["share_with_adult_department", "obtain_from_sources"],
        "method": "written", "given_on": tomorrow.isoformat(),
        "valid_until": (tomorrow - timedelta(days=3)).isoformat(), "note": "Ved mødet"})

    assert response.status_code == 400
    page = FormPage(response.text)
    _assert_all_shown(page, {
        "giver": ("Hvem gav samtykket", _da(N_("This field is required."))),
        "document_type_ids": ("Dokumenter, det dækker", _da(N_(
            "Choose the documents the consent covers."))),
        "recipients": ("Hvem må modtage dem", _da(N_("Choose who may receive the documents."))),
        "sources": ("Hvor der må indhentes oplysninger fra", _da(N_(
            "Name the sources information may be obtained from."))),
        "given_on": ("Dato for samtykket", _da(N_(
            "The date the consent was given cannot be in the future."))),
        "valid_until": ("Gælder til og med", _da(N_(
            "The consent cannot end before the date it was given."))),
    })
    assert page.checked("purposes") == ["share_with_adult_department", "obtain_from_sources"]
    assert page.value("given_on") == tomorrow.isoformat() and page.value("note") == "Ved mødet"
    assert _count(session, Consent) == 0


def test_every_optional_consent_field_can_be_left_empty(client, session, settings):
    kim = make_user(session, Role.COORDINATOR, "kim")
    youth = _youth(session, settings, kim)
    token = login(client, "kim")
    form = FormPage(client.get(f"/youths/{youth.id}/consents/new").text)
    optional = form.optional_fields()
    assert optional == {"valid_until", "note"}
    plan = session.exec(select(DocumentType).where(DocumentType.key == "action_plan")).one()

    response = client.post(f"/youths/{youth.id}/consents/new", data={
        "csrf_token": token, "giver": "youth", "purposes": "share_with_adult_department",
        "document_type_ids": str(plan.id), "recipients": "adult_department",
        "method": "written", "given_on": _today(settings).isoformat(),
        **dict.fromkeys(optional, "")})

    assert response.status_code == 303, response.text
    assert _count(session, Consent) == 1


# --- the meeting form -----------------------------------------------------------------------


def test_the_meeting_form_shows_every_error_at_once(client, session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    youth = _youth(session, settings, worker, child_caseworker_id=worker.id,
                   email="freja@example.dk")
    token = login(client, "mette")
    yesterday = _today(settings) - timedelta(days=1)
    agenda = "Bolig\nFrejas CPR 120309-4321"

    response = client.post(f"/youths/{youth.id}/meetings/new", data={
        "csrf_token": token, "kind": "coordination", "day": yesterday.isoformat(),
        "start_time": "10:00", "end_time": "09:30", "place_kind": "town_hall",
        "place_detail": "", "agenda": agenda, "inv_y": "required"})

    assert response.status_code == 400
    page = FormPage(response.text)
    _assert_all_shown(page, {
        "day": ("Dato", _da(N_("The meeting cannot start in the past."))),
        "end_time": ("Slutter", _da(N_("The meeting must end after it starts."))),
        "place_detail": ("Lokale, link eller adresse", _da(N_(
            "Write which room at the town hall."))),
        "agenda": ("Dagsorden", _da(N_(
            "Do not write CPR numbers here: the text is sent to people outside the system."))),
    })
    assert page.value("day") == yesterday.isoformat() and page.value("end_time") == "09:30"
    assert page.value("agenda") == agenda and page.value("inv_y") == "required"
    assert _count(session, Meeting) == 0 and _count(session, OutboxMessage) == 0


def test_the_meeting_services_report_the_time_and_the_invitees_together(
        client, session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    youth = _youth(session, settings, worker, child_caseworker_id=worker.id)
    father = network.add_member(session, worker, youth.id, MemberData(
        kind="private", name="Per Holm", role="father", invited_to_meetings=True),
        _today(settings))
    session.commit()
    token = login(client, "mette")
    later = _today(settings) + timedelta(days=20)

    response = client.post(f"/youths/{youth.id}/meetings/new", data={
        "csrf_token": token, "kind": "coordination", "day": later.isoformat(),
        "start_time": "08:00", "end_time": "17:00", "place_kind": "home",
        f"inv_m{father.id}": "required"})  # no e-mail, and no letter or phone chosen

    assert response.status_code == 400
    page = FormPage(response.text)
    _assert_all_shown(page, {
        "end_time": ("Slutter", _da(N_("A meeting can last at most 8 hours."))),
        f"inv_m{father.id}": (_da(N_("Invite %(name)s"), name="Per Holm"), _da(N_(
            "%(name)s has no e-mail address. Choose a letter or a phone call instead."),
            name="Per Holm")),
    })
    assert _count(session, Meeting) == 0


def test_every_optional_meeting_field_can_be_left_empty(client, session, settings):
    worker = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Sørensen")
    youth = _youth(session, settings, worker, child_caseworker_id=worker.id,
                   email="freja@example.dk")
    token = login(client, "mette")
    form = FormPage(client.get(f"/youths/{youth.id}/meetings/new").text)
    optional = form.optional_fields()
    assert optional == {"agenda"}  # the place's detail is needed unless at home: not marked

    response = client.post(f"/youths/{youth.id}/meetings/new", data={
        "csrf_token": token, "kind": "coordination",
        "day": (_today(settings) + timedelta(days=20)).isoformat(), "start_time": "10:00",
        "end_time": "11:00", "place_kind": "home", "place_detail": "", "inv_y": "required",
        **dict.fromkeys(optional, "")})

    assert response.status_code == 303, response.text
    assert _count(session, Meeting) == 1


# --- the timeline template step form --------------------------------------------------------


def test_the_timeline_step_form_shows_every_error_at_once(client, session, settings):
    make_user(session, Role.ADMIN, "ida")
    token = login(client, "ida")
    before = _count(session, TimelineStep)

    response = client.post("/admin/timeline/new", data={
        "csrf_token": token, "name": "", "description": "Bolig", "offset_years": "-1",
        "offset_months": "12", "department": "adults", "completion": "manual"})

    assert response.status_code == 400
    page = FormPage(response.text)
    negative = _da(N_("The offset must be zero or more years and 0 to 11 months."))
    _assert_all_shown(page, {
        "name": ("Navn", _da(N_("This field is required."))),
        "offset_years": ("År", negative),
        "offset_months": ("Måneder", negative),
    })
    assert page.value("offset_years") == "-1" and page.value("description") == "Bolig"
    assert _count(session, TimelineStep) == before


def test_every_optional_timeline_step_field_can_be_left_empty(client, session, settings):
    make_user(session, Role.ADMIN, "ida")
    token = login(client, "ida")
    optional = FormPage(client.get("/admin/timeline/new").text).optional_fields()
    assert optional == {"description"}

    response = client.post("/admin/timeline/new", data={
        "csrf_token": token, "name": "Boligafklaring", "offset_years": "17",
        "offset_months": "9", "department": "adults", "completion": "manual",
        **dict.fromkeys(optional, "")})

    assert response.status_code == 303, response.text


# --- the change of caseworker ---------------------------------------------------------------


def test_the_caseworker_change_shows_every_error_at_once(client, session, settings):
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Kjær Andersen")
    youth = _youth(session, settings, mette, coordinator_id=mette.id,
                   child_caseworker_id=mette.id)
    token = login(client, "mette")
    last_week = _today(settings) - timedelta(days=7)

    response = client.post(f"/youths/{youth.id}/caseworkers/change", data={
        "csrf_token": token, "role": "coordinator", "kind": "planned_temporary",
        "to_user_id": "", "ends_on": last_week.isoformat(), "handover_note": ""})

    assert response.status_code == 400
    page = FormPage(response.text)
    _assert_all_shown(page, {
        "to_user_id": ("Ny sagsbehandler", _da(N_("This field is required."))),
        "ends_on": ("Væk til og med", _da(N_("The end date lies in the past."))),
        "handover_note": ("Overdragelsesnote til den nye sagsbehandler",
                          _da(N_("This field is required."))),
    })
    assert page.value("kind") == "planned_temporary"
    assert page.value("ends_on") == last_week.isoformat()
    assert _count(session, CaseworkerChange) == 0


def test_the_caseworker_service_reports_every_refusal_together(client, session, settings):
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Kjær Andersen")
    youth = _youth(session, settings, mette, coordinator_id=mette.id,
                   child_caseworker_id=mette.id)  # no buddy yet
    token = login(client, "mette")

    response = client.post(f"/youths/{youth.id}/caseworkers/change", data={
        "csrf_token": token, "role": "buddy", "kind": "planned_permanent",
        "to_user_id": str(mette.id), "ends_on": "", "handover_note": "Se journalen"})

    assert response.status_code == 400
    page = FormPage(response.text)
    _assert_all_shown(page, {
        "role": ("Hvilken rolle skifter?", _da(N_(
            "No one has this role yet. Choose the first one under Edit."))),
        "to_user_id": ("Ny sagsbehandler", _da(N_(
            "The buddy must be someone other than the coordinating caseworker."))),
    })
    assert page.value("handover_note") == "Se journalen"
    assert _count(session, CaseworkerChange) == 0


def test_every_optional_caseworker_change_field_can_be_left_empty(client, session, settings):
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Kjær Andersen")
    lars = make_user(session, Role.ADULT_CASEWORKER, "lars", "Lars Bech Nielsen")
    youth = _youth(session, settings, mette, coordinator_id=mette.id,
                   child_caseworker_id=mette.id)
    token = login(client, "mette")
    optional = FormPage(client.get(
        f"/youths/{youth.id}/caseworkers/change").text).optional_fields()
    assert optional == {"ends_on"}

    response = client.post(f"/youths/{youth.id}/caseworkers/change", data={
        "csrf_token": token, "role": "coordinator", "kind": "planned_temporary",
        "to_user_id": str(lars.id), "handover_note": "Se journalen",
        **dict.fromkeys(optional, "")})

    assert response.status_code == 200, response.text
    assert 'id="error-summary"' not in response.text
    assert _count(session, CaseworkerChange) == 1
