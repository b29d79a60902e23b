"""Reading a CSV file exported from the children's case system: pure, no I/O and no database.

`parse` decodes the bytes (UTF-8 with or without a byte order mark, or Windows-1252), finds the
delimiter and the header, and returns rows of named cells by physical line number; the cell
parsers read a birth date and the adult-support answer. Messages never contain a cell's value,
so a CPR number cannot leak into an error message: rows are referred to by line number only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from app.domain.validation import FieldError
from app.i18n import N_, Msg
from app.models.youth import SupportExpected

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

# Accepted header names (after normalising: case-folded, æ/ø/å spelt ae/oe/aa, spaces and
# dashes as underscores) and the field each one fills. The Danish name is listed first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "cpr": ("cpr",),
    "first_name": ("fornavn", "first_name"),
    "last_name": ("efternavn", "last_name"),
    "address": ("adresse", "address"),
    "postal_code": ("postnummer", "postal_code"),
    "city": ("by", "city"),
    "school": ("skole", "school"),
    "adult_support_expected": ("voksenstoette", "adult_support_expected"),
    "caseworker": ("sagsbehandler", "caseworker"),
    "birth_date": ("foedselsdato", "birth_date"),
    "birth_date_reason": ("foedselsdato_begrundelse", "birth_date_reason"),
}
REQUIRED_COLUMNS = ("cpr", "first_name", "last_name")
_HEADER_FIELD = {name: fld for fld, names in COLUMNS.items() for name in names}
_SUPPORT = {
    "": SupportExpected.NOT_ASSESSED,
    "ja": SupportExpected.YES,
    "yes": SupportExpected.YES,
    "nej": SupportExpected.NO,
    "no": SupportExpected.NO,
    "ikke vurderet": SupportExpected.NOT_ASSESSED,
    "not assessed": SupportExpected.NOT_ASSESSED,
}
_DMY = re.compile(r"([0-9]{1,2})[-./]([0-9]{1,2})[-./]([0-9]{4})")
_YMD = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_SEP_LINE = re.compile(r"sep=([;,])", re.IGNORECASE)
_LOOKS_LIKE_DATA = re.compile(r"[0-9]{4}")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (encoding, size, header)."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(msg.msgid)
        self.msg = msg


@dataclass
class Row:
    line: int
    cells: dict[str, str]  # field -> the cell's text
    extra: bool = False  # more non-empty cells than the header has columns


@dataclass
class Parsed:
    columns: dict[str, str]  # field -> heading as written in the file
    rows: list[Row]


# --- reading the file ----------------------------------------------------------------


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without a byte order mark), falling back to Windows-1252."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError(Msg(N_(
                "The file could not be read as text. Save it as CSV (UTF-8 or Windows-1252)."
            ))) from None
    if "\x00" in text:
        raise ImportFileError(Msg(N_(
            "The file could not be read as text. Save it as CSV (UTF-8 or Windows-1252)."
        )))
    return text


def detect_delimiter(header_line: str) -> str:
    """`;` or `,`, whichever the header line uses more."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def normalise_heading(heading: str) -> str:
    name = heading.strip().casefold()
    for danish, spelt in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        name = name.replace(danish, spelt)
    return re.sub(r"[\s-]+", "_", name)


def _layout(text: str) -> tuple[str, int]:
    """The delimiter, and how many lines come before the header: Excel may write a first
    line such as `sep=;` that names the delimiter."""
    first = text.partition("\n")[0]
    if sep := _SEP_LINE.fullmatch(first.strip()):
        return sep[1], 1
    if not first.strip():
        raise ImportFileError(Msg(N_("The file is empty.")))
    return detect_delimiter(first), 0


def _map_header(cells: list[str]) -> dict[int, str]:
    """Column index -> field; raises ImportFileError for unknown, repeated or missing columns."""
    if any(_LOOKS_LIKE_DATA.search(cell) for cell in cells):
        # Never echo a heading that may be a data row (it could be a CPR number).
        raise ImportFileError(Msg(N_(
            "The first line must hold the column names, such as cpr;fornavn;efternavn."
        )))
    index: dict[int, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for i, cell in enumerate(cells):
        name = normalise_heading(cell)
        if not name:
            continue
        fld = _HEADER_FIELD.get(name)
        if fld is None:
            unknown.append(cell.strip()[:40])
        elif fld in index.values():
            repeated.append(cell.strip())
        else:
            index[i] = fld
    if unknown:
        raise ImportFileError(Msg(N_("Unknown columns: %(columns)s."), columns=", ".join(unknown)))
    if repeated:
        raise ImportFileError(Msg(
            N_("A column appears more than once: %(columns)s."), columns=", ".join(repeated)
        ))
    missing = [COLUMNS[f][0] for f in REQUIRED_COLUMNS if f not in index.values()]
    if missing:
        raise ImportFileError(Msg(
            N_("Required columns are missing: %(columns)s."), columns=", ".join(missing)
        ))
    return index


def _records(text: str, delimiter: str, skip: int) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of every record after the `skip` first lines."""
    stream = io.StringIO(text, newline="")
    for _ in range(skip):
        stream.readline()
    reader = csv.reader(stream, delimiter=delimiter)
    previous = skip
    try:
        for cells in reader:
            yield previous + 1, cells
            previous = skip + reader.line_num
    except csv.Error:
        raise ImportFileError(Msg(
            N_("The file is not a valid CSV file (near line %(line)s)."), line=previous + 1
        )) from None


def _too_many_rows() -> ImportFileError:
    return ImportFileError(Msg(
        N_("The file has more than %(n)s rows. Split it into smaller files."), n=MAX_ROWS
    ))


def parse(raw: bytes) -> Parsed:
    """Decodes and splits the file into rows of named cells; raises ImportFileError."""
    if len(raw) > MAX_BYTES:
        raise ImportFileError(Msg(
            N_("The file is larger than %(mb)s MB. Split it into smaller files."),
            mb=MAX_BYTES // (1024 * 1024),
        ))
    text = decode_csv(raw)
    delimiter, skip = _layout(text)
    records = _records(text, delimiter, skip)
    _line, header = next(records, (0, []))
    index = _map_header(header)
    columns = {fld: header[i].strip() for i, fld in index.items()}
    rows: list[Row] = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        named = {fld: cells[i] if i < len(cells) else "" for i, fld in index.items()}
        extra = any(cell.strip() for cell in cells[len(header):])
        rows.append(Row(line, named, extra))
    if not rows:
        raise ImportFileError(Msg(N_("The file contains no young people.")))
    return Parsed(columns, rows)




def parse_birth_date(text: str) -> date | None:
    """dd-mm-yyyy (also with . or /) or yyyy-mm-dd; empty is None; raises FieldError."""
    value = text.strip()
    if not value:
        return None
    try:
        if match := _DMY.fullmatch(value):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := _YMD.fullmatch(value):
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise FieldError(N_("Write the birth date as dd-mm-yyyy or yyyy-mm-dd."), field="birth_date")


def parse_support(text: str) -> SupportExpected:
    key = re.sub(r"[\s_-]+", " ", text.strip().casefold())
    try:
        return _SUPPORT[key]
    except KeyError:
        raise FieldError(
            N_("Write yes, no or not assessed (ja, nej or ikke vurderet)."),
            field="adult_support_expected",
        ) from None
