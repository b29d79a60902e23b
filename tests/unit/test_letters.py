"""Letter templates: LIX, placeholders, rendering, and when the communication agreement asks
for the next status update."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.communication import latest_start_due, next_update_due
from app.domain.letters import (
    LIX_TARGET,
    PLACEHOLDERS,
    SHIPPED,
    TemplateKey,
    check,
    lix,
    placeholders_in,
    render,
    sample,
    template_lix,
)
from app.domain.validation import FieldError
from app.models.youth import Frequency


def test_lix_is_words_per_sentence_plus_the_share_of_long_words() -> None:
    assert lix("Jeg er her. Du er der.") == pytest.approx(6 / 2)
    # 4 words, 1 sentence, all 4 longer than six letters
    assert lix("Kommunens sagsbehandler koordinerer overgangen.") == pytest.approx(4 + 100)
    # 8 words, 2 sentences, 2 long words (“fortælle”, “spørgsmål”)
    assert lix("Vi vil fortælle dig det. Har du spørgsmål?") == pytest.approx(8 / 2 + 25)


def test_a_line_without_a_full_stop_ends_a_sentence_and_numbers_are_not_words() -> None:
    # "Kære Freja" is a sentence; so are "Telefon:" (a colon, as in Björnsson's count) and
    # the phone number after it; 5 words in 4 sentences, 1 long word ("Telefon")
    assert lix("Kære Freja\n\nTelefon: 72 36 42 20\nVi ses.") == pytest.approx(5 / 4 + 100 / 5)
    assert lix("") == 0.0


@pytest.mark.parametrize("key", list(TemplateKey))
def test_every_shipped_template_is_easy_to_read_and_valid(key: TemplateKey) -> None:
    shipped = SHIPPED[key]
    check(key, shipped.subject, shipped.body)  # raises on an unknown placeholder
    assert template_lix(key, shipped.body) <= LIX_TARGET
    assert set(shipped.placeholders) <= set(PLACEHOLDERS)
    filled = sample(key, shipped.subject + "\n" + shipped.body)
    assert "{" not in filled and "}" not in filled


def test_an_unknown_placeholder_is_refused_by_name() -> None:
    body = SHIPPED[TemplateKey.TURNING_18].body + "\nDit CPR-nummer: {cpr_nummer}"
    with pytest.raises(FieldError) as caught:
        check(TemplateKey.TURNING_18, "Om at fylde 18", body)
    assert caught.value.field == "body"
    assert caught.value.msg.params["name"] == "cpr_nummer"
    assert "{fornavn}" in str(caught.value.msg.params["allowed"])
    # a placeholder of another template is unknown here too
    with pytest.raises(FieldError) as other:
        check(TemplateKey.MEETING_CANCELLED, "Aflyst: {mødet}", "Hej {ny}.")
    assert other.value.msg.params["name"] == "ny"


@pytest.mark.parametrize(("subject", "body", "field"), [
    ("", "Tekst.", "subject"),
    ("Emne", "   ", "body"),
    ("Emne", "Hej <script>alert(1)</script>", "body"),
    ("Emne", "Dit nummer er 150610-4123.", "body"),
    ("Emne {fornavn", "Tekst.", "subject"),
    ("Emne", "Hej {fornavn}}", "body"),
    ("To\nlinjer", "Tekst.", "subject"),
    ("Emne", "x" * 5001, "body"),
])
def test_a_template_the_app_cannot_send_is_refused_next_to_its_field(
    subject: str, body: str, field: str
) -> None:
    with pytest.raises(FieldError) as caught:
        check(TemplateKey.TURNING_18, subject, body)
    assert caught.value.field == field


def test_render_fills_each_placeholder_and_leaves_nothing_behind() -> None:
    text = "Kære {modtager}. {hvem} fylder 18 år den {dato_18}.{ukendt}"
    assert placeholders_in(text) == ["modtager", "hvem", "dato_18", "ukendt"]
    assert render(text, {"modtager": "Anne", "hvem": "Freja", "dato_18": "4. marts 2027"}) == (
        "Kære Anne. Freja fylder 18 år den 4. marts 2027.")


@pytest.mark.parametrize(("frequency", "since", "due"), [
    (Frequency.WEEKLY, date(2027, 1, 29), date(2027, 2, 5)),
    (Frequency.FORTNIGHTLY, date(2027, 1, 29), date(2027, 2, 12)),
    (Frequency.MONTHLY, date(2027, 1, 31), date(2027, 2, 28)),
    (Frequency.QUARTERLY, date(2026, 11, 30), date(2027, 2, 28)),
    (Frequency.ON_CHANGE, date(2027, 1, 29), None),
])
def test_the_next_status_update_follows_the_agreed_frequency(
    frequency: Frequency, since: date, due: date | None
) -> None:
    assert next_update_due(frequency, since) == due


@pytest.mark.parametrize("frequency", list(Frequency))
def test_the_latest_day_counted_from_that_is_due_bounds_exactly_the_due_ones(
    frequency: Frequency,
) -> None:
    """Every day up to `latest_start_due` makes an update due by today, none after it: the
    count of status updates due rests on it. Checked day by day around month ends and
    29 February."""
    for today in (date(2027, 3, 31), date(2027, 2, 28), date(2028, 2, 29), date(2028, 3, 1),
                  date(2027, 5, 31), date(2027, 12, 1), date(2028, 1, 15)):
        last = latest_start_due(frequency, today)
        if frequency is Frequency.ON_CHANGE:
            assert last is None
            continue
        assert last is not None
        for back in range(120):
            since = today - timedelta(days=back)
            due = next_update_due(frequency, since)
            assert due is not None
            assert (due <= today) == (since <= last), (today, since)
