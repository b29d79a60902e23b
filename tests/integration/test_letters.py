"""Letter templates an administrator edits, letters a caseworker sends from the young
person's page, and the status updates the communication agreement asks for."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.clock import now as clock_now
from app.deps import get_today
from app.domain.cpr import contains_cpr_like
from app.domain.letters import TemplateKey
from app.domain.youth import YouthData
from app.models.caseworker import ChangeKind
from app.models.letter import LetterTemplate, StatusUpdate
from app.models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from app.models.user import Role, User
from app.models.youth import Channel, EventKind, Frequency, Youth, YouthEvent
from app.services import letter_templates, youths
from app.settings import Settings
from tests.conftest import csrf_from, login, make_user

HTMX = {"HX-Request": "true"}


def _today(settings: Settings) -> date:
    return clock_now().astimezone(settings.tz).date()


def _youth(session: Session, settings: Settings, worker: User, **values: object) -> Youth:
    born = _today(settings) - relativedelta(years=17, months=4)
    data = YouthData(cpr=born.strftime("%d%m%y") + "4123", first_name="Freja",
                     last_name="Østergaard", child_caseworker_id=worker.id,
                     coordinator_id=worker.id, email="freja@example.dk",
                     comm_channel=Channel.EMAIL, **values)  # type: ignore[arg-type]
    return youths.create(session, settings, worker, data, _today(settings))


def _parents(client: TestClient, youth: Youth, token: str) -> None:
    for data in ({"name": "Anne Hansen", "role": "mother", "email": "anne@example.dk"},
                 {"name": "Peter Hansen", "role": "father", "preferred_channel": "letter",
                  "address": "Lindevej 4, 4000 Roskilde"},
                 {"name": "Ole Uden Adresse", "role": "grandparent", "phone": "20304050",
                  "preferred_channel": "sms"}):
        custody = {"custody_holder": "true"} if data["role"] != "grandparent" else {
            "guardian": "true"}
        response = client.post(f"/youths/{youth.id}/network/members/new", headers=HTMX, data={
            "kind": "private", "ring": "1", **data, **custody, "csrf_token": token})
        assert response.status_code == 200, response.text


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# --- the template editor -------------------------------------------------------------------


def test_an_unknown_placeholder_is_refused_by_name_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    make_user(session, Role.ADMIN, "admin")
    login(client, "admin")
    page = client.get("/admin/letters/turning_18")
    assert page.status_code == 200
    assert "LIX" in page.text and "{dato_18}" in page.text
    response = client.post("/admin/letters/turning_18", data={
        "csrf_token": csrf_from(page.text), "action": "save",
        "subject": "Når du fylder 18", "body": "Kære {modtager}\n\nDit CPR-nummer er {cpr}."})
    assert response.status_code == 400
    assert "Ukendt flettefelt {cpr}" in response.text
    assert "Dit CPR-nummer er {cpr}." in response.text  # what was typed is kept
    assert _count(session, LetterTemplate) == 0


def test_the_list_shows_every_template_with_its_lix_and_only_administrators_see_it(
    client: TestClient, session: Session
) -> None:
    make_user(session, Role.CHILD_CASEWORKER, "mette")
    make_user(session, Role.ADMIN, "admin")
    login(client, "mette")
    assert client.get("/admin/letters").status_code == 403
    login(client, "admin")
    page = client.get("/admin/letters")
    assert page.status_code == 200
    for name in ("Ny sagsbehandler i en periode", "Ny sagsbehandler, planlagt",
                 "Ny sagsbehandler med kort varsel", "Møde aflyst",
                 "Det ændrer sig, når man fylder 18 år",
                 "Invitation til informationsmøde om at fylde 18 år"):
        assert name in page.text
    assert "Svær at læse" not in page.text  # every shipped template scores 40 or lower
    assert client.get("/admin/letters/no_such_letter").status_code == 404


def test_an_edited_change_template_is_the_letter_the_family_gets_and_can_be_reset(
    client: TestClient, session: Session, settings: Settings
) -> None:
    admin = make_user(session, Role.ADMIN, "admin")
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Kjær Andersen")
    lars = make_user(session, Role.ADULT_CASEWORKER, "lars", "Lars Bech Nielsen")
    youth = _youth(session, settings, mette)
    token = login(client, "admin")

    preview = client.post("/admin/letters/change_planned_permanent", data={
        "csrf_token": token, "action": "preview", "subject": "Ny kontakt til {hvem}",
        "body": "Hej {modtager}\n\nFra i dag er det {ny}.\n\n{kontakt}\n\nHilsen {afsender}"})
    assert preview.status_code == 200
    assert "Fra i dag er det Lars Bech Nielsen." in preview.text  # the sample data
    assert _count(session, LetterTemplate) == 0  # a preview saves nothing

    saved = client.post("/admin/letters/change_planned_permanent", data={
        "csrf_token": token, "action": "save", "subject": "Ny kontakt til {hvem}",
        "body": "Hej {modtager}\n\nFra i dag er det {ny}.\n\n{kontakt}\n\nHilsen {afsender}"})
    assert saved.status_code == 303
    row = session.exec(select(LetterTemplate)).one()
    assert (row.key, row.updated_by_id) == ("change_planned_permanent", admin.id)

    response = client.post(f"/youths/{youth.id}/caseworkers/change", data={
        "csrf_token": token, "role": "coordinator", "kind": ChangeKind.PLANNED_PERMANENT.value,
        "to_user_id": str(lars.id), "handover_note": "Alt er klar."})
    assert response.status_code == 200, response.text
    letter = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == OutboxKind.CASEWORKER_CHANGED)).one()
    assert letter.subject == "Ny kontakt til Du"
    assert letter.body.startswith("Hej Freja\n\nFra i dag er det Lars Bech Nielsen.")
    assert "E-mail: lars@kommune.example" in letter.body

    ask = client.post("/admin/letters/change_planned_permanent/reset",
                      data={"csrf_token": token})
    assert "Den rettede tekst slettes" in ask.text
    assert _count(session, LetterTemplate) == 1  # not before the confirmation
    done = client.post("/admin/letters/change_planned_permanent/reset",
                       data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 303
    assert _count(session, LetterTemplate) == 0
    assert letter_templates.get(session, TemplateKey.CHANGE_PLANNED_PERMANENT).edited is None


# --- writing a letter ---------------------------------------------------------------------


def test_a_letter_goes_to_the_young_person_and_each_custody_holder_by_their_channel(
    client: TestClient, session: Session, settings: Settings
) -> None:
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Kjær Andersen")
    youth = _youth(session, settings, mette)
    token = login(client, "mette")
    _parents(client, youth, token)

    page = client.get(f"/youths/{youth.id}/letters/new?template=turning_18")
    assert page.status_code == 200
    assert "Kære Freja" in page.text and "Kære Anne Hansen" in page.text  # the preview
    assert "kan ikke få et brev" in page.text  # Ole has only a phone number
    refs = ["youth", *_member_refs(page.text)]
    response = client.post(f"/youths/{youth.id}/letters", data={
        "csrf_token": token, "template": "turning_18", "action": "send", "recipients": refs})
    assert response.status_code == 303, response.text

    sent = list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.LETTER)
                             .order_by(col(OutboxMessage.id))))
    assert [(m.recipient_name, m.channel) for m in sent] == [
        ("Freja", Channel.EMAIL), ("Anne Hansen", Channel.EMAIL),
        ("Peter Hansen", Channel.LETTER)]
    to_freja, to_anne, to_peter = sent
    assert to_freja.subject == "Du fylder snart 18 år: det ændrer sig"
    assert to_anne.subject == "Freja fylder snart 18 år: det ændrer sig"
    assert to_anne.body.startswith("Kære Anne Hansen\n\nFreja fylder 18 år den ")
    assert to_freja.status is OutboxStatus.PENDING and to_peter.status is OutboxStatus.MANUAL
    assert to_peter.recipient_address == "Lindevej 4, 4000 Roskilde"
    assert "Mette Kjær Andersen" in to_freja.body and "mette@kommune.example" in to_freja.body
    for message in sent:
        assert not contains_cpr_like(message.subject + message.body)

    update = session.exec(select(StatusUpdate)).one()
    assert (update.youth_id, update.channel, update.outbox_message_id) == (
        youth.id, Channel.EMAIL, to_freja.id)
    assert session.exec(select(YouthEvent).where(
        YouthEvent.kind == EventKind.LETTER_SENT)).one()

    view = client.get(f"/youths/{youth.id}")
    assert "Brev sendt" in view.text and to_anne.subject in view.text
    copy = client.get(f"/youths/{youth.id}/letters/{to_anne.id}")
    assert copy.status_code == 200 and "Kære Anne Hansen" in copy.text


def _member_refs(html: str) -> list[str]:
    return [ref for ref in re.findall(r'name="recipients" value="([^"]+)"', html)
            if ref.startswith("member:")]


def test_the_information_meeting_letter_needs_its_time_and_place_and_sends_nothing_without(
    client: TestClient, session: Session, settings: Settings
) -> None:
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette")
    youth = _youth(session, settings, mette)
    token = login(client, "mette")
    base = {"csrf_token": token, "template": "info_meeting_18", "recipients": ["youth"]}
    missing = client.post(f"/youths/{youth.id}/letters", data={
        **base, "action": "send", "tidspunkt": "", "sted": "Rådhuset"})
    assert missing.status_code == 400
    assert 'id="f-tidspunkt-error"' in missing.text and 'value="Rådhuset"' in missing.text
    script = client.post(f"/youths/{youth.id}/letters", data={
        **base, "action": "send", "tidspunkt": "<script>alert(1)</script>", "sted": "Rådhuset"})
    assert script.status_code == 400 and "<script>alert(1)</script>" not in script.text
    assert _count(session, OutboxMessage) == 0 and _count(session, StatusUpdate) == 0

    when = "torsdag den 4. marts kl. 17"
    preview = client.post(f"/youths/{youth.id}/letters", data={
        **base, "action": "preview", "tidspunkt": when, "sted": "Rådhuset"})
    assert "Tid: torsdag den 4. marts kl. 17" in preview.text
    assert _count(session, OutboxMessage) == 0
    sent = client.post(f"/youths/{youth.id}/letters", data={
        **base, "action": "send", "tidspunkt": when, "sted": "Rådhuset"})
    assert sent.status_code == 303
    message = session.exec(select(OutboxMessage)).one()
    assert "Sted: Rådhuset" in message.body


def test_an_easy_read_need_is_shown_and_must_be_confirmed_before_sending(
    client: TestClient, session: Session, settings: Settings
) -> None:
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette")
    youth = _youth(session, settings, mette, plain_language=True)
    token = login(client, "mette")
    page = client.get(f"/youths/{youth.id}/letters/new")
    assert "Let sprog: Freja har brug for et enkelt sprog" in page.text
    data = {"csrf_token": token, "template": "turning_18", "recipients": ["youth"],
            "action": "send"}
    refused = client.post(f"/youths/{youth.id}/letters", data=data)
    assert refused.status_code == 400
    assert "Bekræft, at du har læst brevet igennem med let sprog for øje." in refused.text
    assert _count(session, OutboxMessage) == 0
    confirmed = client.post(f"/youths/{youth.id}/letters",
                            data={**data, "easy_read_checked": "true"})
    assert confirmed.status_code == 303
    assert _count(session, OutboxMessage) == 1


def test_letters_and_their_copies_are_checked_per_young_person(
    client: TestClient, session: Session, settings: Settings
) -> None:
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette")
    make_user(session, Role.ADULT_CASEWORKER, "lars")
    youth = _youth(session, settings, mette)
    other = youths.create(session, settings, mette, YouthData(
        birth_date=_today(settings) - relativedelta(years=12), birth_date_reason="Udlandsk",
        first_name="Karl", last_name="Andersen"), _today(settings))
    token = login(client, "mette")
    client.post(f"/youths/{youth.id}/letters", data={
        "csrf_token": token, "template": "turning_18", "recipients": ["youth"],
        "action": "send"})
    message = session.exec(select(OutboxMessage)).one()
    # the copy belongs to Freja's page, not to Karl's
    assert client.get(f"/youths/{other.id}/letters/{message.id}").status_code == 404
    # an adult caseworker does not see a 12-year-old's case, nor a 17-year-old's before the
    # transition has started
    token = login(client, "lars")
    assert client.get(f"/youths/{youth.id}/letters/{message.id}").status_code in (403, 404)
    refused = client.post(f"/youths/{youth.id}/letters", data={
        "csrf_token": token, "template": "turning_18", "recipients": ["youth"],
        "action": "send"})
    assert refused.status_code in (403, 404)
    assert _count(session, OutboxMessage) == 1


# --- status updates -----------------------------------------------------------------------


def test_the_agreed_frequency_puts_a_status_update_in_my_tasks_until_one_is_given(
    client: TestClient, session: Session, settings: Settings
) -> None:
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette")
    weekly = _youth(session, settings, mette, comm_frequency=Frequency.WEEKLY)
    _youth_on_change = youths.create(session, settings, mette, YouthData(
        birth_date=_today(settings) - relativedelta(years=17), birth_date_reason="Udlandsk",
        first_name="Karl", last_name="Andersen", child_caseworker_id=mette.id),
        _today(settings))
    token = login(client, "mette")
    today = _today(settings)

    client.app.dependency_overrides[get_today] = lambda: today + timedelta(days=6)  # type: ignore[attr-defined]
    assert "Statusopdateringer, der skal gives" not in client.get("/tasks").text
    client.app.dependency_overrides[get_today] = lambda: today + timedelta(days=7)  # type: ignore[attr-defined]
    tasks = client.get("/tasks").text
    section = tasks[tasks.index('id="status-updates"'):]
    section = section[:section.index("</section>")]
    assert "Freja Østergaard" in section and "Karl Andersen" not in section

    future = client.post(f"/youths/{weekly.id}/status-updates", data={
        "csrf_token": token, "channel": "phone", "given_on": str(today + timedelta(days=8)),
        "note": "Ringede til mor", "back": "tasks"})
    assert future.status_code == 400 and "Datoen ligger i fremtiden." in future.text
    assert 'Ringede til mor' in future.text
    assert _count(session, StatusUpdate) == 0

    given = client.post(f"/youths/{weekly.id}/status-updates", data={
        "csrf_token": token, "channel": "phone", "given_on": str(today + timedelta(days=7)),
        "note": "Ringede til mor om mødet", "back": "tasks"})
    assert given.status_code == 303 and given.headers["location"] == "/tasks#status-updates"
    assert "Statusopdateringer, der skal gives" not in client.get("/tasks").text
    assert session.exec(select(YouthEvent).where(
        YouthEvent.kind == EventKind.STATUS_UPDATE_GIVEN)).one().detail == (
        "Ringede til mor om mødet")
    # a week after that, it is due again
    client.app.dependency_overrides[get_today] = lambda: today + timedelta(days=14)  # type: ignore[attr-defined]
    assert "Statusopdateringer, der skal gives" in client.get("/tasks").text
