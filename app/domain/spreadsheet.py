"""Cells for files a spreadsheet opens (CSV exports): pure, no I/O.

A cell that begins with = + - @, a tab or a carriage return is read by Excel and
LibreOffice as a formula, so a name typed as ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0``
would run when a coordinator opens the export. Following OWASP's advice on CSV injection,
such a cell gets a leading single quote, which makes the spreadsheet show it as text.
The full-width forms (＝ ＋ － ＠), which some spreadsheets read as their ASCII
counterparts, are treated the same way.

A cell that is a plain number (``-3``, ``+45``, ``-1,5``) cannot be a formula and stays
as it is, so negative figures stay numbers. Everything else that begins with a trigger
character, also ``+45 12 34 56 78``, is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def safe_cell(value: object) -> str:
    """The text of one cell, quoted with ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(value) for value in values]
