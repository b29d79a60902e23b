"""The letter about a new coordinating caseworker or buddy: plain Danish, the new caseworker's
contact details, and the right channel."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.caseworker_change import (
    Caseworker,
    ChangeData,
    Recipient,
    change_letter,
    genitive,
    letter_channel,
)
from app.domain.letters import CHANGE_TEMPLATES, SHIPPED
from app.domain.validation import FieldError
from app.models.caseworker import CaseRole, ChangeKind
from app.models.youth import Channel

LARS = Caseworker("Lars Bech Nielsen", "lars.nielsen@kommune.example", "+45 72 36 42 20")


def _letter(kind: ChangeKind = ChangeKind.PLANNED_PERMANENT, **overrides):
    """The letter from the shipped template for ``kind``."""
    values = {"role": CaseRole.COORDINATOR, "recipient_name": "Freja", "to_youth": True,
              "youth_first_name": "Freja", "old": "Mette Kjær Andersen", "new": LARS,
              "ends_on": None, "sender": "Birgitte Dahl"}
    values.update(overrides)
    shipped = SHIPPED[CHANGE_TEMPLATES[kind.value]]
    return change_letter((shipped.subject, shipped.body), **values)


def test_the_letter_to_the_young_person_says_who_the_new_caseworker_is_and_how_to_reach_them():
    subject, body = _letter()
    assert subject == "Du får en ny koordinerende sagsbehandler"
    assert body.startswith("Kære Freja\n\nDu får en ny koordinerende sagsbehandler.")
    assert ("Fra nu af er det Lars Bech Nielsen. Mette Kjær Andersen har givet sagen videre, "
            "så du ikke skal fortælle det hele igen.") in body
    assert "Du kan kontakte Lars Bech Nielsen:\nTelefon: +45 72 36 42 20\n" \
           "E-mail: lars.nielsen@kommune.example" in body
    assert body.endswith("Ring eller skriv, hvis du har spørgsmål.\n\nVenlig hilsen\n"
                         "Birgitte Dahl")


def test_the_letter_to_a_parent_speaks_about_the_young_person():
    subject, body = _letter(to_youth=False, recipient_name="Anne Hansen")
    assert subject == "Freja får en ny koordinerende sagsbehandler"
    assert body.startswith("Kære Anne Hansen\n\n")
    assert "holder styr på Frejas overgang fra børneområdet til voksenområdet" in body


@pytest.mark.parametrize(("kind", "ends_on", "sentence"), [
    (ChangeKind.PLANNED_TEMPORARY, date(2027, 3, 31),
      "Det er kun for en periode, fordi Mette Kjær Andersen er væk til og med 31. marts 2027. "
     "Imens er det Lars Bech Nielsen, der tager over."),
    (ChangeKind.PLANNED_TEMPORARY, None,
     "Det er kun for en periode, fordi Mette Kjær Andersen er væk. Imens er det Lars Bech "
     "Nielsen, der tager over."),
    (ChangeKind.UNPLANNED_PERMANENT, None,
     "Mette Kjær Andersen er stoppet med kort varsel. Fra nu af er det Lars Bech Nielsen, som "
     "har fået besked om sagen."),
])
def test_each_kind_of_change_is_explained_in_one_plain_sentence(kind, ends_on, sentence):
    _subject, body = _letter(kind=kind, ends_on=ends_on)
    assert sentence in body


def test_a_new_buddy_is_explained_and_a_missing_phone_is_left_out():
    subject, body = _letter(role=CaseRole.BUDDY, to_youth=False, recipient_name="Anne Hansen",
                            youth_first_name="Lucas",
                            new=Caseworker("Hanne Møller Jensen", "hanne@kommune.example", ""))
    assert subject == "Lucas får en ny makker"
    assert "Makkeren er den sagsbehandler, der tager over, når Lucas' koordinerende " \
           "sagsbehandler ikke er der." in body
    assert "Telefon" not in body


def test_genitive_follows_danish_spelling():
    assert genitive("Freja") == "Frejas"
    assert genitive("Lucas") == "Lucas'"
    assert genitive("Max") == "Max'"


@pytest.mark.parametrize(("recipient", "expected"), [
    (Recipient("Freja", True, Channel.EMAIL, email="freja@example.dk"), Channel.EMAIL),
    (Recipient("Freja", True, Channel.EMAIL, digital_post=True), Channel.DIGITAL_POST),
    (Recipient("Freja", True, Channel.DIGITAL_POST, digital_post=True), Channel.DIGITAL_POST),
    (Recipient("Anne", False, Channel.DIGITAL_POST, email="anne@example.dk"), Channel.EMAIL),
    (Recipient("Anne", False, Channel.LETTER, address="Lindevej 4"), Channel.LETTER),
    (Recipient("Anne", False, Channel.PHONE, phone="20304050", address="Lindevej 4"),
     Channel.LETTER),
    (Recipient("Anne", False, Channel.SMS, phone="20304050"), None),
])
def test_the_letter_goes_by_the_agreed_channel_when_it_can_and_otherwise_in_writing(
    recipient, expected
):
    assert letter_channel(recipient) is expected


def test_a_change_needs_a_note_and_an_end_date_only_for_a_temporary_change():
    with pytest.raises(ValueError, match="handover_note"):
        ChangeData.model_validate({"role": "coordinator", "kind": "planned_permanent",
                                   "to_user_id": "3", "handover_note": ""})
    permanent = ChangeData.model_validate({
        "role": "coordinator", "kind": "planned_permanent", "to_user_id": "3",
        "ends_on": "2027-03-31", "handover_note": "Mor ønsker møder om eftermiddagen."})
    assert permanent.ends_on is None
    temporary = ChangeData.model_validate({
        "role": "buddy", "kind": "planned_temporary", "to_user_id": "3",
        "ends_on": "2027-03-31", "handover_note": "Barsel."})
    with pytest.raises(FieldError):
        temporary.check_dates(date(2027, 4, 1))
    temporary.check_dates(date(2027, 3, 31))
