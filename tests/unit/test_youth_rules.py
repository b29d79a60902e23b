from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from pydantic import ValidationError

from app.domain.youth import AgeBand, YouthData, birth_date_range, latest_birth_date_for_age


def _band_of(birth: date, today: date) -> set[AgeBand]:
    out = set()
    for band in AgeBand:
        after, on_or_before = birth_date_range(band, today)
        if (after is None or birth > after) and (on_or_before is None or birth <= on_or_before):
            out.add(band)
    return out


@pytest.mark.parametrize("birth", [date(2010, 8, 31), date(2008, 2, 29), date(2009, 12, 31),
                                   date(2010, 1, 1), date(2011, 6, 15)])
@pytest.mark.parametrize("today", [date(2026, 2, 28), date(2027, 2, 28), date(2026, 8, 31),
                                   date(2028, 2, 29), date(2026, 11, 23)])
def test_every_birth_date_falls_in_exactly_one_age_band(birth, today):
    assert len(_band_of(birth, today)) == 1


def test_someone_born_31_august_is_16_and_a_half_on_the_last_day_of_february():
    birth = date(2010, 8, 31)
    assert birth + relativedelta(years=16, months=6) == date(2027, 2, 28)
    assert _band_of(birth, date(2027, 2, 27)) == {AgeBand.FROM_16}
    assert _band_of(birth, date(2027, 2, 28)) == {AgeBand.FROM_16_5}


def test_the_latest_birth_date_for_an_age_agrees_with_adding_the_age():
    age = relativedelta(years=16, months=6)
    for offset in range(0, 400, 7):
        today = date(2026, 1, 1) + relativedelta(days=offset)
        latest = latest_birth_date_for_age(age, today)
        assert latest + age <= today < latest + relativedelta(days=1) + age


def test_a_cpr_number_gives_the_birth_date_and_overrides_a_typed_one():
    data = YouthData(cpr="290208-4000", birth_date="2001-01-01", first_name="A", last_name="B")
    assert data.birth_date == date(2008, 2, 29)
    assert data.cpr == "2902084000"


def test_without_a_cpr_number_a_birth_date_and_reason_are_needed():
    with pytest.raises(ValidationError):
        YouthData(first_name="A", last_name="B")
    with pytest.raises(ValidationError):
        YouthData(birth_date="2010-01-01", first_name="A", last_name="B")
    data = YouthData(birth_date="2010-01-01", birth_date_reason="Ikke tildelt",
                     first_name="A", last_name="B")
    assert data.birth_date == date(2010, 1, 1)


def test_validation_errors_never_show_the_cpr_number():
    with pytest.raises(ValidationError) as info:
        YouthData(cpr="310209-4321", first_name="A", last_name="B")
    assert "4321" not in str(info.value)


@pytest.mark.parametrize("text", ["<script>x</script>", "<img src=x>", "javascript:alert(1)",
                                  "&#60;script", "a\x00b"])
def test_markup_and_control_characters_are_refused_in_text_fields(text):
    with pytest.raises(ValidationError):
        YouthData(cpr="0101094321", first_name=text, last_name="B")


def test_ordinary_danish_text_with_punctuation_is_accepted():
    data = YouthData(cpr="0101094321", first_name="Æbelø-Åse", last_name="O'Brien < 3 år",
                     school="10. klasse & STU")
    assert data.first_name == "Æbelø-Åse"
