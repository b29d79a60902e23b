"""Reading the children's case system's CSV export: pure, no database."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain import youth_csv
from app.domain.validation import FieldError
from app.models.youth import SupportExpected


def test_decoding_and_delimiter_detection():
    assert youth_csv.decode_csv("\ufeffcpr;by\n".encode()) == "cpr;by\n"
    assert youth_csv.decode_csv("Ærø".encode("cp1252")) == "Ærø"
    assert youth_csv.detect_delimiter("cpr;fornavn;efternavn") == ";"
    assert youth_csv.detect_delimiter("cpr,first_name,last_name") == ","


def test_a_header_of_danish_names_is_read_and_rows_keep_their_physical_line():
    raw = ("sep=;\nCPR;Fornavn;Efternavn;Voksenstøtte\n"
           "1506104123;Freja;\"Øster\ngaard\";ja\n\n").encode()
    parsed = youth_csv.parse(raw)
    assert parsed.columns == {"cpr": "CPR", "first_name": "Fornavn", "last_name": "Efternavn",
                              "adult_support_expected": "Voksenstøtte"}
    [row] = parsed.rows
    assert row.line == 3 and row.cells["last_name"] == "Øster\ngaard"


def test_a_first_line_that_looks_like_data_is_refused_without_echoing_it():
    with pytest.raises(youth_csv.ImportFileError) as refused:
        youth_csv.parse(b"1506104123;Freja;Holm\n")
    assert "1506104123" not in str(refused.value.msg.params)


def test_birth_dates_and_support_answers():
    assert youth_csv.parse_birth_date("06.05.2010") == date(2010, 5, 6)
    assert youth_csv.parse_birth_date("2010-05-06") == date(2010, 5, 6)
    assert youth_csv.parse_birth_date(" ") is None
    with pytest.raises(FieldError):
        youth_csv.parse_birth_date("31-02-2010")
    assert youth_csv.parse_support("Ikke vurderet") is SupportExpected.NOT_ASSESSED
    assert youth_csv.parse_support("JA") is SupportExpected.YES
    with pytest.raises(FieldError):
        youth_csv.parse_support("måske")
