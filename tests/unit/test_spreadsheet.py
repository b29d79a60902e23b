"""Cells of CSV exports that a spreadsheet could run as formulas (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from app.domain.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize("text", [
    "=HYPERLINK(\"http://evil.example\",\"Klik\")",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "+45 12 34 56 78",
    "-",
])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", [
    "Anne Hansen", "", "24.12.2008", "3 / 5", "Ja", "a=b", "O'Brien", "'=1+1",
])
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", ["-3", "+45", "-1,5", "-0.25", "7", -3, 2.5])
def test_a_plain_number_stays_a_number(number: object) -> None:
    assert safe_cell(number) == str(number)


def test_a_row_survives_the_csv_module_with_the_quote_in_front() -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerow(
        safe_row(["=1+1;=2+2", None, '=HYPERLINK("x")', 4]))
    assert next(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [
        "'=1+1;=2+2", "", "'=HYPERLINK(\"x\")", "4"]
