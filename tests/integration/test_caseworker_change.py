"""Changing the coordinating caseworker or the buddy: the kind of change, the handover note,
and the letters to the young person and to each custody holder or guardian."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlmodel import col, select

from app.clock import now as clock_now
from app.deps import get_today
from app.domain.youth import YouthData
from app.models.caseworker import CaseworkerChange, ChangeKind
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import Role
from app.models.youth import Channel, EventKind, Youth, YouthEvent
from app.services import youths
from tests.conftest import csrf_from, login, make_user

HTMX = {"HX-Request": "true"}
CPR = "150610-4123"


def _today(settings) -> date:
    return clock_now().astimezone(settings.tz).date()


def _setup(session, settings, *, age_years: int = 17, **values):
    """A young person with a coordinator (Mette) and a buddy (Jonas); Lars is free."""
    mette = make_user(session, Role.CHILD_CASEWORKER, "mette", "Mette Kjær Andersen")
    jonas = make_user(session, Role.CHILD_CASEWORKER, "jonas", "Jonas Vestergaard")
    lars = make_user(session, Role.ADULT_CASEWORKER, "lars", "Lars Bech Nielsen")
    make_user(session, Role.COORDINATOR, "kim", "Kim Koordinator")
    born = _today(settings) - relativedelta(years=age_years, months=2)
    data = YouthData(birth_date=born, birth_date_reason="Ikke tildelt endnu", first_name="Freja",
                     last_name="Østergaard", coordinator_id=mette.id, buddy_id=jonas.id,
                     child_caseworker_id=mette.id, **values)
    youth = youths.create(session, settings, mette, data, _today(settings))
    return youth, mette, jonas, lars


def _add_member(client, youth: Youth, token: str, **data: str) -> None:
    response = client.post(f"/youths/{youth.id}/network/members/new", headers=HTMX,
                           data={"ring": "1", **data, "csrf_token": token})
    assert response.status_code == 200, response.text


def _family(client, youth: Youth, token: str) -> None:
    _add_member(client, youth, token, kind="private", name="Anne Hansen", role="mother",
                email="anne@example.dk", custody_holder="true")
    _add_member(client, youth, token, kind="private", name="Peter Hansen", role="father",
                address="Lindevej 4, 4000 Roskilde", custody_holder="true",
                preferred_channel="letter")
    _add_member(client, youth, token, kind="private", name="Karen Madsen", role="grandparent",
                email="karen@example.dk")


def _change(client, youth: Youth, token: str, **data: str):
    return client.post(f"/youths/{youth.id}/caseworkers/change", data={
        "role": "coordinator", "kind": "planned_permanent",
        "handover_note": "Freja vil helst mødes om eftermiddagen. Mor er tolk for far.",
        **data, "csrf_token": token})


def _letters(session, youth: Youth) -> list[OutboxMessage]:
    return list(session.exec(
        select(OutboxMessage).where(OutboxMessage.youth_id == youth.id,
                                    OutboxMessage.kind == OutboxKind.CASEWORKER_CHANGED)
        .order_by(col(OutboxMessage.id))))


def test_a_new_coordinator_is_recorded_and_the_young_person_and_each_custody_holder_get_a_letter(
    client, session, settings
):
    youth, mette, _jonas, lars = _setup(session, settings, email="freja@example.dk",
                                        comm_channel=Channel.EMAIL)
    token = login(client, "kim")
    _family(client, youth, token)

    response = _change(client, youth, token, to_user_id=str(lars.id))
    assert response.status_code == 200, response.text
    assert "Skiftet er gemt." in response.text
    assert "3 breve venter på at blive sendt" in response.text

    session.refresh(youth)
    assert youth.coordinator_id == lars.id
    change = session.exec(select(CaseworkerChange)).one()
    assert (change.kind, change.from_user_id, change.to_user_id) == (
        ChangeKind.PLANNED_PERMANENT, mette.id, lars.id)
    assert change.handover_note.startswith("Freja vil helst") and change.note_seen_at is None
    event = session.exec(select(YouthEvent).where(
        YouthEvent.kind == EventKind.CASEWORKER_CHANGED)).one()
    assert "Mette Kjær Andersen -> Lars Bech Nielsen" in event.detail

    letters = _letters(session, youth)
    assert [(m.recipient_name, m.channel) for m in letters] == [
        ("Freja", Channel.EMAIL), ("Anne Hansen", Channel.EMAIL),
        ("Peter Hansen", Channel.LETTER)]  # the grandmother holds no custody: no letter
    assert letters[0].recipient_email == "freja@example.dk"
    assert letters[2].recipient_email is None
    assert letters[2].recipient_address == "Lindevej 4, 4000 Roskilde"
    to_freja, to_anne = letters[0], letters[1]
    assert to_freja.subject == "Du får en ny koordinerende sagsbehandler"
    assert to_freja.body.startswith("Kære Freja\n\nDu får en ny koordinerende sagsbehandler.")
    assert to_anne.subject == "Freja får en ny koordinerende sagsbehandler"
    for letter in letters:
        assert "Lars Bech Nielsen" in letter.body
        assert "+45 12 34 56 78" in letter.body  # the new caseworker's phone
        assert f"{lars.email}" in letter.body
        assert "Mette Kjær Andersen har givet sagen videre" in letter.body
        assert "Freja vil helst" not in letter.body  # the handover note is internal


def test_a_letter_never_contains_the_cpr_number_and_digital_post_is_used_when_agreed(
    client, session, settings
):
    youth, _mette, _jonas, lars = _setup(session, settings, age_years=15)
    youth.cpr, youth.comm_channel = CPR.replace("-", ""), Channel.DIGITAL_POST
    session.add(youth)
    session.commit()
    token = login(client, "kim")
    assert _change(client, youth, token, to_user_id=str(lars.id),
                   kind="unplanned_permanent").status_code == 200
    [letter] = _letters(session, youth)
    assert letter.channel is Channel.DIGITAL_POST and letter.recipient_email is None
    assert "Mette Kjær Andersen er stoppet med kort varsel" in letter.body
    for text in (letter.subject, letter.body):
        assert "150610" not in text and "4123" not in text


def test_after_18_custody_holders_get_no_letter_but_a_guardian_does(client, session, settings):
    youth, _mette, _jonas, lars = _setup(session, settings, age_years=18,
                                         email="freja@example.dk", comm_channel=Channel.EMAIL)
    token = login(client, "kim")
    _add_member(client, youth, token, kind="private", name="Anne Hansen", role="mother",
                email="anne@example.dk", guardian="true")
    _add_member(client, youth, token, kind="private", name="Peter Hansen", role="father",
                email="peter@example.dk")
    assert _change(client, youth, token, to_user_id=str(lars.id)).status_code == 200
    assert [m.recipient_name for m in _letters(session, youth)] == ["Freja", "Anne Hansen"]


def test_someone_who_cannot_be_reached_in_writing_is_named_on_the_page(client, session, settings):
    youth, _mette, _jonas, lars = _setup(session, settings, comm_channel=Channel.EMAIL)
    token = login(client, "kim")
    _add_member(client, youth, token, kind="private", name="Anne Hansen", role="mother",
                phone="20304050", custody_holder="true")
    response = _change(client, youth, token, to_user_id=str(lars.id))
    assert response.status_code == 200
    assert "Vi kunne ikke skrive til alle" in response.text
    assert "Freja, Anne Hansen" in response.text  # no e-mail, no address, no CPR number
    assert _letters(session, youth) == []


def test_a_temporary_change_to_the_buddy_swaps_the_two_and_a_permanent_one_clears_the_buddy(
    client, session, settings
):
    youth, mette, jonas, _lars = _setup(session, settings, email="freja@example.dk",
                                        comm_channel=Channel.EMAIL)
    token = login(client, "kim")
    until = (_today(settings) + relativedelta(months=3)).isoformat()
    response = _change(client, youth, token, to_user_id=str(jonas.id), kind="planned_temporary",
                       ends_on=until)
    assert response.status_code == 200, response.text
    session.refresh(youth)
    assert (youth.coordinator_id, youth.buddy_id) == (jonas.id, mette.id)
    [letter] = _letters(session, youth)
    assert "Det er kun for en periode, fordi Mette Kjær Andersen er væk til og med" in letter.body

    back = _change(client, youth, token, to_user_id=str(mette.id), kind="planned_permanent")
    assert "Makkeren har overtaget, så sagen har ingen makker nu" in back.text
    session.refresh(youth)
    assert (youth.coordinator_id, youth.buddy_id) == (mette.id, None)


def test_a_temporary_change_that_ends_is_a_task_until_it_is_changed_back(
    client, session, settings
):
    youth, mette, _jonas, lars = _setup(session, settings, email="freja@example.dk",
                                        comm_channel=Channel.EMAIL)
    token = login(client, "kim")
    today = _today(settings)
    ends = today + relativedelta(days=20)
    response = _change(client, youth, token, to_user_id=str(lars.id), kind="planned_temporary",
                       ends_on=ends.isoformat())
    assert response.status_code == 200, response.text

    def section(username: str, day) -> str:
        login(client, username)
        client.app.dependency_overrides[get_today] = lambda: day
        page = client.get("/tasks").text
        if 'id="changes-ending"' not in page:
            return ""
        part = page[page.index('id="changes-ending"'):]
        return part[:part.index("</section>")]

    assert section("lars", today) == ""  # more than a week ahead
    for username in ("lars", "mette"):  # the stand-in and the one who comes back
        shown = section(username, ends - relativedelta(days=2))
        assert "Freja Østergaard" in shown and "Mette Kjær Andersen" in shown
        assert (f"/youths/{youth.id}/caseworkers/change?role=coordinator&amp;"
                f"kind=planned_permanent&amp;to_user_id={mette.id}") in shown
    assert section("jonas", ends) == ""  # the buddy has nothing to do here

    login(client, "lars")
    form = client.get(f"/youths/{youth.id}/caseworkers/change?role=coordinator"
                      f"&kind=planned_permanent&to_user_id={mette.id}")
    assert f'<option value="{mette.id}" selected>' in form.text
    back = _change(client, youth, csrf_from(form.text), to_user_id=str(mette.id),
                   handover_note="Mette er tilbage.")
    assert back.status_code == 200, back.text
    assert section("lars", ends) == ""
    letters = _letters(session, youth)
    assert "Fra nu af er det Mette Kjær Andersen." in letters[-1].body


def test_bad_changes_are_refused_next_to_the_field(client, session, settings):
    youth, mette, jonas, lars = _setup(session, settings)
    token = login(client, "kim")
    same = _change(client, youth, token, to_user_id=str(mette.id))
    assert same.status_code == 400 and "Mette Kjær Andersen har allerede den rolle." in same.text
    buddy = _change(client, youth, token, role="buddy", to_user_id=str(mette.id))
    assert "Makkeren skal være en anden end den koordinerende sagsbehandler" in buddy.text
    no_note = _change(client, youth, token, to_user_id=str(lars.id), handover_note="")
    assert no_note.status_code == 400 and 'id="f-handover_note-error"' in no_note.text
    past = _change(client, youth, token, to_user_id=str(lars.id), kind="planned_temporary",
                   ends_on="2001-01-01")
    assert "Slutdatoen ligger i fortiden." in past.text
    nobody = _change(client, youth, token, to_user_id="99999")
    assert "Vælg en sagsbehandler fra listen" in nobody.text
    session.refresh(youth)
    assert (youth.coordinator_id, youth.buddy_id) == (mette.id, jonas.id)
    assert session.exec(select(CaseworkerChange)).all() == []


def test_the_edit_form_and_the_api_send_a_change_of_coordinator_through_the_change_page(
    client, session, settings
):
    youth, mette, _jonas, lars = _setup(session, settings)
    token = login(client, "kim")
    form = client.get(f"/youths/{youth.id}/edit")
    assert f'name="coordinator_id" value="{mette.id}"' in form.text
    assert f"/youths/{youth.id}/caseworkers/change" in form.text
    values = youths.as_data(youth) | {"coordinator_id": lars.id, "csrf_token": token}
    forged = client.post(f"/youths/{youth.id}/edit",
                         data={k: v for k, v in values.items() if v is not None})
    assert forged.status_code == 400
    assert "Brug “Skift koordinerende sagsbehandler eller makker”" in forged.text
    api = client.patch(f"/api/v1/youths/{youth.id}", json={"coordinator_id": lars.id},
                       headers={"X-CSRF-Token": token})
    assert api.status_code == 422
    session.refresh(youth)
    assert youth.coordinator_id == mette.id


def test_the_new_caseworker_sees_the_handover_note_the_first_time_they_open_the_case(
    client, session, settings
):
    youth, _mette, _jonas, lars = _setup(session, settings)
    token = login(client, "kim")
    _change(client, youth, token, to_user_id=str(lars.id), kind="unplanned_permanent")
    coordinator_view = client.get(f"/youths/{youth.id}")
    assert "Overdragelsesnote til dig" not in coordinator_view.text  # only for Lars

    login(client, "lars")
    first = client.get(f"/youths/{youth.id}")
    assert first.status_code == 200
    assert "Overdragelsesnote til dig fra Kim Koordinator" in first.text
    assert "Freja vil helst mødes om eftermiddagen. Mor er tolk for far." in first.text
    change = session.exec(select(CaseworkerChange)).one()
    session.refresh(change)
    assert change.note_seen_at is not None
    assert session.exec(select(YouthEvent).where(
        YouthEvent.kind == EventKind.HANDOVER_NOTE_SEEN)).one()

    second = client.get(f"/youths/{youth.id}")
    assert "Overdragelsesnote til dig" not in second.text
    assert "Skift af sagsbehandler" in second.text  # kept in the case, under Caseworkers
