"""Collecting every error of a form in one pass (``domain.rules``, ``web.forms.parse_form``)
and naming the fields in the error summary (``web.forms.summary_entries``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import Field

from app.domain.rules import Checked, rule
from app.domain.validation import FieldError, Text
from app.i18n import Msg
from app.web.forms import field_labels, parse_form, summary_entries


class Trip(Checked):
    name: Annotated[Text, Field(min_length=1, max_length=20)]
    leaves: date
    returns: date
    seats: Annotated[int, Field(ge=1)] = 1
    note: str = ""

    @rule
    def _returns_after_leaving(self, context: Mapping[str, Any]) -> None:
        if self.returns < self.leaves:
            raise FieldError("returns before it leaves", "returns")

    @rule
    def _not_in_past(self, context: Mapping[str, Any]) -> None:
        if "today" in context and self.leaves < context["today"]:
            raise FieldError("in the past", "leaves")

    @rule
    def _a_note_for_groups(self, context: Mapping[str, Any]) -> None:
        if self.seats > 4 and not self.note:
            raise FieldError("a note for a group", "note")


GOOD = {"name": "Odense", "leaves": "2026-05-04", "returns": "2026-05-05"}
TODAY = {"today": date(2026, 5, 1)}


def _texts(errors: Mapping[str, Msg]) -> dict[str, str]:
    return {field: str(message) for field, message in errors.items()}


def test_a_valid_form_parses():
    form, errors = parse_form(Trip, GOOD, TODAY)
    assert errors == {} and form is not None and form.returns == date(2026, 5, 5)


def test_every_rule_reports_not_only_the_first():
    _form, errors = parse_form(Trip, {**GOOD, "leaves": "2026-04-01", "returns": "2026-03-01",
                                      "seats": "6"}, TODAY)
    assert _texts(errors) == {"returns": "returns before it leaves", "leaves": "in the past",
                              "note": "a note for a group"}


def test_the_rules_run_on_the_valid_fields_when_another_field_is_wrong():
    _form, errors = parse_form(Trip, {**GOOD, "name": "", "returns": "2026-05-01",
                                      "seats": "9"}, TODAY)
    assert set(errors) == {"name", "returns", "note"}


def test_a_rule_that_reads_a_wrong_field_is_left_to_that_fields_error():
    _form, errors = parse_form(Trip, {**GOOD, "leaves": "not a date", "returns": "2026-03-01"},
                               TODAY)
    assert set(errors) == {"leaves"}  # neither "returns before" nor "in the past" is judged


def test_a_field_that_failed_is_not_judged_by_its_default():
    _form, errors = parse_form(Trip, {**GOOD, "seats": "0", "name": ""})
    assert set(errors) == {"seats", "name"}  # not "a note for a group" from a default seat


def test_a_rule_needing_the_context_runs_only_with_it():
    _form, errors = parse_form(Trip, {**GOOD, "leaves": "2026-04-01"})
    assert errors == {}


FORM = """
<div id="f-kind" class="form-group"><fieldset><legend class="form-label">Who is it?</legend>
  <input id="f-kind-a" type="radio"><label for="f-kind-a">Relative</label></fieldset></div>
<label class="form-label" for="f-email">E-mail <span class="form-optional">(optional)</span>
</label><span class="form-error-message"><span class="sr-only">Error:</span> bad</span>
<input id="f-email">
<label for="f-name">Name &amp; title</label><input id="f-name">
<select id="f-inv_m1" aria-label="Invite Per"><option>x</option></select>
"""


def test_the_labels_are_read_as_the_form_shows_them():
    assert field_labels(FORM) == {"kind": "Who is it?", "kind-a": "Relative",
                                  "email": "E-mail", "name": "Name & title",
                                  "inv_m1": "Invite Per"}


def test_the_summary_lists_the_form_errors_first_then_the_fields_in_form_order():
    errors = {"inv_m1": "no e-mail", "name": "required", "unknown": "odd",
              "__all__": "cannot be changed", "kind": "choose"}
    entries = summary_entries(errors, FORM, {"unknown": "Other"})
    assert [(e.field, e.name, e.message) for e in entries] == [
        ("__all__", "", "cannot be changed"), ("kind", "Who is it?", "choose"),
        ("name", "Name & title", "required"), ("inv_m1", "Invite Per", "no e-mail"),
        ("unknown", "Other", "odd")]
