import pickle
from datetime import date

import pytest

from app.domain.cpr import (
    Cpr,
    CprError,
    CprErrorCode,
    birth_date_from_cpr,
    century_year,
    cpr_lookup_hash,
    mask_cpr,
    parse_cpr,
    passes_modulus11,
)

KEY = b"test-key-not-a-secret"
OTHER_KEY = b"another-test-key"


# --- century table -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yy", "seventh_digit", "expected_year"),
    [
        # 0-3: always 1900s
        (0, 0, 1900),
        (99, 0, 1999),
        (0, 1, 1900),
        (99, 1, 1999),
        (0, 2, 1900),
        (99, 2, 1999),
        (0, 3, 1900),
        (36, 3, 1936),
        (37, 3, 1937),
        (58, 3, 1958),
        (99, 3, 1999),
        # 4 and 9: 2000s up to YY 36, 1900s from YY 37
        (0, 4, 2000),
        (36, 4, 2036),
        (37, 4, 1937),
        (99, 4, 1999),
        (0, 9, 2000),
        (36, 9, 2036),
        (37, 9, 1937),
        (99, 9, 1999),
        # 5-8: 2000s up to YY 57, 1800s from YY 58
        (0, 5, 2000),
        (57, 5, 2057),
        (58, 5, 1858),
        (99, 5, 1899),
        (57, 6, 2057),
        (58, 6, 1858),
        (57, 7, 2057),
        (58, 7, 1858),
        (0, 8, 2000),
        (57, 8, 2057),
        (58, 8, 1858),
        (99, 8, 1899),
    ],
)
def test_century_year_follows_the_danish_century_table(
    yy: int, seventh_digit: int, expected_year: int
) -> None:
    assert century_year(yy, seventh_digit) == expected_year


@pytest.mark.parametrize(("yy", "seventh_digit"), [(-1, 0), (100, 0), (0, -1), (0, 10)])
def test_century_year_rejects_out_of_range_arguments(yy: int, seventh_digit: int) -> None:
    with pytest.raises(ValueError):
        century_year(yy, seventh_digit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("010136-4000", date(2036, 1, 1)),
        ("010137-4000", date(1937, 1, 1)),
        ("010136-9000", date(2036, 1, 1)),
        ("010137-9000", date(1937, 1, 1)),
        ("010157-5000", date(2057, 1, 1)),
        ("010158-5000", date(1858, 1, 1)),
        ("010157-6000", date(2057, 1, 1)),
        ("010158-6000", date(1858, 1, 1)),
        ("010157-7000", date(2057, 1, 1)),
        ("010158-7000", date(1858, 1, 1)),
        ("010157-8000", date(2057, 1, 1)),
        ("010158-8000", date(1858, 1, 1)),
        ("010100-0000", date(1900, 1, 1)),
        ("311299-1000", date(1999, 12, 31)),
        ("150537-2000", date(1937, 5, 15)),
        ("150558-3000", date(1958, 5, 15)),
    ],
)
def test_it_derives_the_birth_date_with_the_right_century(text: str, expected: date) -> None:
    cpr = parse_cpr(text)
    assert cpr.birth_date == expected
    assert birth_date_from_cpr(cpr.digits) == expected


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("290204-4321", date(2004, 2, 29)),
        ("290200-4321", date(2000, 2, 29)),  # 2000 is a leap year
        ("290296-1234", date(1996, 2, 29)),
        ("290260-5555", date(1860, 2, 29)),
    ],
)
def test_it_accepts_29_february_in_a_leap_year(text: str, expected: date) -> None:
    assert parse_cpr(text).birth_date == expected


@pytest.mark.parametrize(
    "text",
    [
        "290201-1234",
        "290203-4321",
        "290200-1234",  # 7th digit 1 -> 1900, which is not a leap year
        "290299-4321",
    ],
)
def test_it_refuses_29_february_in_a_non_leap_year(text: str) -> None:
    with pytest.raises(CprError) as excinfo:
        parse_cpr(text)
    assert excinfo.value.code is CprErrorCode.DATE


@pytest.mark.parametrize(
    "text",
    [
        "310299-1234",  # 31 February
        "300299-1234",  # 30 February
        "310480-1234",  # 31 April
        "310680-1234",  # 31 June
        "310980-1234",  # 31 September
        "311180-1234",  # 31 November
        "000180-1234",  # day 00
        "010080-1234",  # month 00
        "000080-1234",  # day and month 00
        "320180-1234",  # day 32
        "011380-1234",  # month 13
        "0113801234",  # without dash too
    ],
)
def test_it_refuses_impossible_dates(text: str) -> None:
    with pytest.raises(CprError) as excinfo:
        parse_cpr(text)
    assert excinfo.value.code is CprErrorCode.DATE


def test_birth_date_from_cpr_refuses_an_impossible_date() -> None:
    with pytest.raises(CprError) as excinfo:
        birth_date_from_cpr("3104801234")
    assert excinfo.value.code is CprErrorCode.DATE


@pytest.mark.parametrize("digits", ["010180-1234", "010180123", "01018012345", "0101801a34"])
def test_birth_date_from_cpr_requires_exactly_ten_digits(digits: str) -> None:
    with pytest.raises(CprError) as excinfo:
        birth_date_from_cpr(digits)
    assert excinfo.value.code is CprErrorCode.FORMAT


# --- format --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "010180-123",  # too short
        "010180-12345",  # too long
        "010180123",
        "01018012345",
        "0101801",
        "1",
        "-",
        "01018a-1234",  # letter
        "010180-12b4",
        "abcdef-ghij",
        "O10180-1234",  # capital letter O instead of zero
        "010180--1234",  # two dashes
        "01-0180-1234",
        "0101-80-1234",  # dash in the wrong place
        "01018-01234",
        "0101801-234",
        "-0101801234",
        "0101801234-",
        "010180 1234",  # inner whitespace
        "010180/1234",
        "010180–1234",  # en dash
        "٠١٠١٨٠-١٢٣٤",  # non-ASCII digits
        "+010180-1234",
    ],
)
def test_it_refuses_malformed_input_as_format(text: str) -> None:
    with pytest.raises(CprError) as excinfo:
        parse_cpr(text)
    assert excinfo.value.code is CprErrorCode.FORMAT


@pytest.mark.parametrize("text", ["", " ", "   ", "\t", "\n", " \t\r\n "])
def test_it_refuses_blank_input_as_empty(text: str) -> None:
    with pytest.raises(CprError) as excinfo:
        parse_cpr(text)
    assert excinfo.value.code is CprErrorCode.EMPTY


def test_the_dash_is_optional() -> None:
    assert parse_cpr("010180-1234") == parse_cpr("0101801234")
    assert parse_cpr("0101801234").digits == "0101801234"


@pytest.mark.parametrize(
    "text", ["  010180-1234", "010180-1234  ", "\t0101801234\n", " 010180-1234 "]
)
def test_it_trims_surrounding_whitespace(text: str) -> None:
    assert parse_cpr(text).digits == "0101801234"


def test_digits_are_stored_without_a_dash() -> None:
    cpr = parse_cpr("070761-4285")
    assert cpr.digits == "0707614285"
    assert cpr.formatted == "070761-4285"


def test_it_accepts_numbers_failing_modulus_11() -> None:
    assert not passes_modulus11("0101801234")
    cpr = parse_cpr("010180-1234")
    assert cpr.birth_date == date(1980, 1, 1)


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("0707614285", True),
        ("2902044321", True),
        ("0707614286", False),
        ("0101801234", False),
    ],
)
def test_passes_modulus_11_is_informational(digits: str, expected: bool) -> None:
    assert passes_modulus11(digits) is expected
    assert parse_cpr(digits).digits == digits


def test_passes_modulus_11_requires_ten_digits() -> None:
    with pytest.raises(CprError) as excinfo:
        passes_modulus11("070761-4285")
    assert excinfo.value.code is CprErrorCode.FORMAT


def test_constructing_cpr_directly_validates_the_digits() -> None:
    assert Cpr("0101801234").birth_date == date(1980, 1, 1)
    with pytest.raises(CprError) as excinfo:
        Cpr("010180-1234")
    assert excinfo.value.code is CprErrorCode.FORMAT
    with pytest.raises(CprError) as excinfo:
        Cpr("3102991234")
    assert excinfo.value.code is CprErrorCode.DATE


def test_cpr_is_immutable() -> None:
    cpr = parse_cpr("010180-1234")
    with pytest.raises(AttributeError):
        cpr.digits = "0202801234"  # type: ignore[misc]


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", CprErrorCode.EMPTY),
        ("0101801", CprErrorCode.FORMAT),
        ("310480-1234", CprErrorCode.DATE),
    ],
)
def test_the_error_message_is_the_code_value_and_never_the_input(
    text: str, code: CprErrorCode
) -> None:
    with pytest.raises(CprError) as excinfo:
        parse_cpr(text)
    error = excinfo.value
    assert isinstance(error, ValueError)
    assert error.code is code
    assert str(error) == code.value
    assert error.args == (code.value,)
    # No chained exception that could carry details of the input into a traceback.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_error_codes_have_stable_values() -> None:
    assert [c.value for c in CprErrorCode] == ["empty", "format", "date"]
    assert str(CprErrorCode.DATE) == "date"
    assert isinstance(CprErrorCode.DATE, str)


def test_cpr_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(CprError(CprErrorCode.DATE)))
    assert isinstance(error, CprError)
    assert error.code is CprErrorCode.DATE


# --- masking and leaking -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("010180-1234", "010180-xxxx"),
        ("0101801234", "010180-xxxx"),
        ("  290204-4321 ", "290204-xxxx"),
    ],
)
def test_masking_hides_the_last_four_digits(text: str, expected: str) -> None:
    assert mask_cpr(text) == expected
    assert parse_cpr(text).masked == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", CprErrorCode.EMPTY),
        ("010180-12", CprErrorCode.FORMAT),
        ("310299-1234", CprErrorCode.DATE),
    ],
)
def test_masking_refuses_an_invalid_number(text: str, code: CprErrorCode) -> None:
    with pytest.raises(CprError) as excinfo:
        mask_cpr(text)
    assert excinfo.value.code is code


def test_formatted_shows_the_full_number_with_a_dash() -> None:
    assert parse_cpr("0101805678").formatted == "010180-5678"


def test_str_and_repr_never_contain_the_last_four_digits() -> None:
    cpr = parse_cpr("010180-5678")
    renderings = [
        str(cpr),
        repr(cpr),
        f"{cpr}",
        f"{cpr!r}",
        "%s %r" % (cpr, cpr),  # noqa: UP031
        str([cpr]),
        repr({"cpr": cpr}),
        str((cpr,)),
    ]
    for rendering in renderings:
        assert "5678" not in rendering
        assert "010180-xxxx" in rendering
    assert str(cpr) == repr(cpr) == "010180-xxxx"


# --- lookup hash ---------------------------------------------------------------------------


def test_the_lookup_hash_is_a_stable_hmac_sha256_hex_digest() -> None:
    first = cpr_lookup_hash("0101801234", KEY)
    second = cpr_lookup_hash("0101801234", KEY)
    assert first == second
    assert len(first) == 64
    assert all(c in "0123456789abcdef" for c in first)
    assert "0101801234" not in first


def test_the_lookup_hash_matches_a_known_value() -> None:
    import hashlib
    import hmac

    expected = hmac.new(KEY, b"0101801234", hashlib.sha256).hexdigest()
    assert cpr_lookup_hash("0101801234", KEY) == expected


def test_the_lookup_hash_differs_for_another_key() -> None:
    assert cpr_lookup_hash("0101801234", KEY) != cpr_lookup_hash("0101801234", OTHER_KEY)


def test_the_lookup_hash_differs_for_another_number() -> None:
    assert cpr_lookup_hash("0101801234", KEY) != cpr_lookup_hash("0101801235", KEY)


@pytest.mark.parametrize("text", ["010180-1234", "0101801234", " 010180-1234\n"])
def test_the_lookup_hash_is_the_same_with_or_without_dash_after_parsing(text: str) -> None:
    expected = cpr_lookup_hash("0101801234", KEY)
    assert cpr_lookup_hash(parse_cpr(text).digits, KEY) == expected


@pytest.mark.parametrize("digits", ["010180-1234", "010180123", "", "abcdefghij"])
def test_the_lookup_hash_refuses_anything_but_ten_digits(digits: str) -> None:
    with pytest.raises(CprError):
        cpr_lookup_hash(digits, KEY)


def test_the_lookup_hash_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError):
        cpr_lookup_hash("0101801234", b"")
