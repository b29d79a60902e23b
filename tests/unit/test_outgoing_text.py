"""The one rule for text people write that leaves the system: a CPR-like number is refused
with one message, on the field it was written in, in every input model that feeds a
message (meetings, the network map, young people, letters)."""

from __future__ import annotations

from datetime import date, time

import pytest
from pydantic import BaseModel, ValidationError

from app import i18n
from app.domain.letters import SHIPPED, TemplateKey, check, check_facts
from app.domain.meeting import MeetingData
from app.domain.network_input import MemberData, MemberUpdate
from app.domain.validation import CPR_IN_TEXT, FieldError, refuse_cpr
from app.domain.youth import YouthData
from app.web.forms import field_errors

CPR = "010203-1234"


def _errors(model: type[BaseModel], values: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(values)
    return {field: msg.msgid for field, msg in field_errors(caught.value.errors()).items()}


def test_refuse_cpr_names_the_field_and_checks_each_text_on_its_own():
    refuse_cpr([("minutes", "Mødet 010203"), ("minutes", "1234 blev aflyst")])
    refuse_cpr({"agenda": "Sag 2026-000123, ring 12 34 56 78"})
    with pytest.raises(FieldError) as caught:
        refuse_cpr([("minutes", "Ingen"), ("decisions", f"CPR {CPR}"), ("agenda", CPR)])
    assert caught.value.field == "decisions" and caught.value.msg.msgid == CPR_IN_TEXT
    assert "1234" not in str(caught.value)
    with i18n.locale("da"):
        assert i18n.gettext(CPR_IN_TEXT).startswith("Skriv ikke CPR-numre her")


def test_a_meeting_refuses_cpr_in_agenda_and_place_each_on_its_own_field():
    values = {"kind": "coordination", "day": date(2027, 3, 28), "start_time": time(10),
              "end_time": time(11), "place_kind": "online",
              "place_detail": f"https://meet.example/{CPR}", "agenda": f"Om {CPR}"}
    assert _errors(MeetingData, values) == {"place_detail": CPR_IN_TEXT, "agenda": CPR_IN_TEXT}


@pytest.mark.parametrize("field", ["name", "role_other", "organisation", "note", "email",
                                   "phone", "address"])
def test_a_network_member_refuses_cpr_in_what_invites_and_letters_show(field):
    values = {"role": "other_professional", "role_other": "Mentor", "kind": "professional",
              "name": "Lise Mentor", "email": "lise@example.dk", "phone": "",
              "organisation": "Ungdomsskolen", "note": "", "address": ""}
    values[field] = {"email": "0102031234@example.dk", "phone": "0102031234"}.get(
        field, f"x {CPR}")
    assert _errors(MemberData, values) == {field: CPR_IN_TEXT}
    assert _errors(MemberUpdate, values) == {field: CPR_IN_TEXT}


@pytest.mark.parametrize("field", ["first_name", "last_name", "address", "city"])
def test_a_young_persons_name_and_address_refuse_cpr(field):
    values: dict[str, object] = {"birth_date": date(2010, 3, 1), "birth_date_reason": "Ny",
                                 "first_name": "Freja", "last_name": "Holm"}
    values[field] = CPR
    assert _errors(YouthData, values) == {field: CPR_IN_TEXT}


def test_a_letter_template_and_its_facts_refuse_cpr_with_the_same_message():
    shipped = SHIPPED[TemplateKey.INFO_MEETING_18]
    with pytest.raises(FieldError) as caught:
        check(TemplateKey.INFO_MEETING_18, shipped.subject, shipped.body + f"\nCPR {CPR}")
    assert (caught.value.field, caught.value.msg.msgid) == ("body", CPR_IN_TEXT)
    with pytest.raises(FieldError) as fact:
        check_facts(TemplateKey.INFO_MEETING_18, {"tidspunkt": "1. maj kl. 10", "sted": CPR})
    assert (fact.value.field, fact.value.msg.msgid) == ("sted", CPR_IN_TEXT)


def test_a_network_members_name_and_role_are_one_line_and_the_note_may_have_several():
    from pydantic import ValidationError

    from app.domain.network_input import PersonData

    with pytest.raises(ValidationError, match=r"én linje|one line"):
        PersonData.model_validate({"kind": "private", "name": "Anne\r\nHolm"})
    assert PersonData.model_validate({"kind": "private", "name": "Anne Holm"}).name == "Anne Holm"
