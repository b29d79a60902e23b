"""Danish CPR numbers (personnummer): parsing, validation, masking and lookup hashing.

Rules:

* Accepted input is ``DDMMYY-SSSS`` or ``DDMMYYSSSS`` (ASCII digits only), optionally
  surrounded by whitespace. Empty or blank input is ``EMPTY``; anything else that does not
  have that shape (wrong length, letters, a misplaced or extra dash) is ``FORMAT``.
* The first six digits must form a real calendar date once the century is known; an
  impossible date (31 April, 30 February, 29 February in a non-leap year, day or month 00)
  is ``DATE``.
* The century comes from the 7th digit (the first digit of ``SSSS``) and ``YY``:

  - 0, 1, 2, 3: 1900 + YY
  - 4 or 9: 2000 + YY if YY <= 36, else 1900 + YY
  - 5, 6, 7, 8: 2000 + YY if YY <= 57, else 1800 + YY

* The modulus 11 check is NEVER used to reject a number: numbers issued since
  1 October 2007 need not pass it. ``passes_modulus11`` is informational only.
* ``str()`` and ``repr()`` of a :class:`Cpr` only ever show the masked form
  ``DDMMYY-xxxx``, so a full number does not end up in logs by accident. Error messages
  carry only the error code, never the input.
* Exact-match lookups use ``cpr_lookup_hash``: an HMAC-SHA256 of the 10 digits under a
  secret key, so the number itself is not stored or sent in clear (for example in URLs).

All functions are pure: no I/O and no clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "Cpr",
    "CprError",
    "CprErrorCode",
    "birth_date_from_cpr",
    "century_year",
    "contains_cpr_like",
    "cpr_lookup_hash",
    "mask_cpr",
    "parse_cpr",
    "passes_modulus11",
]

# ``[0-9]`` rather than ``\d``: ``\d`` also matches non-ASCII digits such as "٣".
_CPR_INPUT_RE = re.compile(r"([0-9]{6})-?([0-9]{4})")
_DIGITS_RE = re.compile(r"[0-9]{10}")
# Six digits, an optional separator (a dash, possibly with one space on either side, or one
# whitespace character), four digits, not part of a longer run of digits.
_CPR_IN_TEXT_RE = re.compile(
    r"(?<![0-9])([0-9]{6})(?:\s?[-\u2010\u2011\u2013]\s?|\s)?([0-9]{4})(?![0-9])"
)

_MODULUS11_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


class CprErrorCode(StrEnum):
    """Why a CPR number was rejected. The UI maps each code to a user-facing message."""

    EMPTY = "empty"
    FORMAT = "format"
    DATE = "date"


class CprError(ValueError):
    """A CPR number was rejected. The message is the code value and never contains the input."""

    code: CprErrorCode

    def __init__(self, code: CprErrorCode) -> None:
        # ``CprErrorCode(...)`` also accepts the plain string value, which keeps the
        # exception picklable (``args`` holds only the value).
        self.code = CprErrorCode(code)
        super().__init__(self.code.value)


def century_year(yy: int, seventh_digit: int) -> int:
    """Return the four-digit birth year from ``YY`` and the 7th digit of a CPR number."""
    if not 0 <= yy <= 99:
        raise ValueError("yy must be between 0 and 99")
    if not 0 <= seventh_digit <= 9:
        raise ValueError("seventh_digit must be between 0 and 9")
    if seventh_digit <= 3:
        return 1900 + yy
    if seventh_digit in (4, 9):
        return 2000 + yy if yy <= 36 else 1900 + yy
    # 5, 6, 7, 8
    return 2000 + yy if yy <= 57 else 1800 + yy


def _require_digits(digits: str) -> None:
    if not digits:
        raise CprError(CprErrorCode.EMPTY)
    if _DIGITS_RE.fullmatch(digits) is None:
        raise CprError(CprErrorCode.FORMAT)


def _birth_date(digits: str) -> date:
    """Birth date of 10 already format-checked digits; raises ``CprError(DATE)``."""
    day = int(digits[0:2])
    month = int(digits[2:4])
    year = century_year(int(digits[4:6]), int(digits[6]))
    try:
        return date(year, month, day)
    except ValueError:
        raise CprError(CprErrorCode.DATE) from None


def birth_date_from_cpr(digits: str) -> date:
    """Return the birth date encoded in 10 CPR digits (no dash).

    Raises ``CprError`` with ``EMPTY``, ``FORMAT`` (not exactly 10 ASCII digits) or ``DATE``.
    """
    _require_digits(digits)
    return _birth_date(digits)


@dataclass(frozen=True, slots=True)
class Cpr:
    """A CPR number with a valid birth date. ``digits`` holds the 10 digits without a dash.

    ``str()`` and ``repr()`` return only the masked form.
    """

    digits: str

    def __post_init__(self) -> None:
        _require_digits(self.digits)
        _birth_date(self.digits)

    @property
    def birth_date(self) -> date:
        return _birth_date(self.digits)

    @property
    def masked(self) -> str:
        """``DDMMYY-xxxx``."""
        return f"{self.digits[:6]}-xxxx"

    @property
    def formatted(self) -> str:
        """``DDMMYY-SSSS``: the full number. Do not log it."""
        return f"{self.digits[:6]}-{self.digits[6:]}"

    def __repr__(self) -> str:
        return self.masked

    def __str__(self) -> str:
        return self.masked


def parse_cpr(text: str) -> Cpr:
    """Parse ``DDMMYY-SSSS`` or ``DDMMYYSSSS`` (surrounding whitespace allowed).

    Raises ``CprError`` with ``EMPTY``, ``FORMAT`` or ``DATE``. Never checks modulus 11.
    """
    stripped = text.strip()
    if not stripped:
        raise CprError(CprErrorCode.EMPTY)
    match = _CPR_INPUT_RE.fullmatch(stripped)
    if match is None:
        raise CprError(CprErrorCode.FORMAT)
    return Cpr(match.group(1) + match.group(2))


def mask_cpr(text: str) -> str:
    """Return ``DDMMYY-xxxx`` for a valid CPR number; raises ``CprError`` otherwise."""
    return parse_cpr(text).masked


def passes_modulus11(digits: str) -> bool:
    """Whether the 10 digits pass the classic modulus 11 check.

    Informational only: numbers issued since 1 October 2007 need not pass it, so it must
    never be used to reject a number. Raises ``CprError`` if ``digits`` is not 10 digits.
    """
    _require_digits(digits)
    total = sum(int(d) * w for d, w in zip(digits, _MODULUS11_WEIGHTS, strict=True))
    return total % 11 == 0


def cpr_lookup_hash(digits: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of the 10 CPR digits under ``key``, for exact-match lookups.

    Parse the input with ``parse_cpr`` first and pass ``Cpr.digits``, so that
    ``DDMMYY-SSSS`` and ``DDMMYYSSSS`` give the same hash.
    Raises ``CprError`` if ``digits`` is not 10 digits, ``ValueError`` if ``key`` is empty.
    """
    _require_digits(digits)
    if not key:
        raise ValueError("key must not be empty")
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def contains_cpr_like(text: str) -> bool:
    """Whether ``text`` contains something that looks like a CPR number.

    A match is ``DDMMYY``, an optional separator (a hyphen, non-breaking hyphen or en dash,
    with at most one space on either side, or a single whitespace character), then
    ``SSSS``, not inside a longer run of digits, whose first six digits form a real date
    under the century rules. Modulus 11 is not checked. Used to refuse free text (meeting
    titles, e-mail bodies) that would carry a CPR number out of the system; it errs on the
    side of refusing.
    """
    for match in _CPR_IN_TEXT_RE.finditer(text):
        try:
            _birth_date(match.group(1) + match.group(2))
        except CprError:
            continue
        return True
    return False
