import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.cpr import contains_cpr_like


@pytest.mark.parametrize(
    "text",
    [
        "010190-1234",
        "0101901234",
        "Mødet om 010190-1234 i morgen",
        "cpr: 010190 1234.",
        "(010190–1234)",  # en dash, as word processors write it
        "010190\u20111234",  # non-breaking hyphen
        "010190\n1234",
        "010190 - 1234",
        "290200-4000",  # 29 February 2000 (7th digit 4, YY 00)
        "311299-9999",
    ],
)
def test_it_finds_a_cpr_like_number_in_text(text):
    assert contains_cpr_like(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Koordineringsmøde kl. 10.00",
        "Ring på 12 34 56 78 eller +45 12345678",
        "310490-1234",  # 31 April does not exist
        "010190-12345",  # part of a longer run of digits
        "12010190-1234",
        "01019012345",
        "010190--1234",  # two separators
        "010190  1234",  # two spaces
        "290201-1234",  # 29 February 1901 is not a date
        "sag 2026-000123",
        "٠١٠١٩٠-١٢٣٤",  # non-ASCII digits are not CPR digits
    ],
)
def test_it_does_not_flag_text_without_a_cpr_like_number(text):
    assert not contains_cpr_like(text)


@given(
    prefix=st.text(),
    suffix=st.text(),
    day=st.integers(1, 28),
    month=st.integers(1, 12),
    yy=st.integers(0, 99),
    serial=st.integers(0, 9999),
    separator=st.sampled_from(["", "-", " ", "–"]),
)
def test_any_embedded_cpr_is_found(prefix, suffix, day, month, yy, serial, separator):
    number = f"{day:02d}{month:02d}{yy:02d}{separator}{serial:04d}"
    text = f"{prefix} {number} {suffix}"
    assert contains_cpr_like(text)
