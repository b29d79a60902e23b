"""Importing young people from a CSV file exported from the children's case system.

`check` is a dry run: it reports every invalid row by its physical line number (the header
is line 1) and writes nothing. `run` checks first, without a write transaction, and then
creates every valid row in one short transaction, or nothing at all. A CPR number already
in the register is reported and skipped, never doubled. Messages never contain a cell's
value, so a CPR number cannot leak into an error message or a log: rows are referred to by
line number only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Table, func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from app.domain.cpr import CprError, cpr_lookup_hash, parse_cpr
from app.domain.errors import field_errors
from app.domain.validation import FieldError
from app.domain.youth import YouthData
from app.domain.youth_csv import COLUMNS, Row, parse, parse_birth_date, parse_support
from app.domain.youth_csv import MAX_BYTES as MAX_BYTES
from app.domain.youth_csv import ImportFileError as ImportFileError
from app.i18n import N_, Msg
from app.models.audit import AuditAction, AuditEvent
from app.models.timeline import YouthStep
from app.models.user import Role, User
from app.models.youth import EventKind, Youth, YouthEvent
from app.services import audit, timeline, youths
from app.settings import Settings

log = logging.getLogger("overgang.import")
T = TypeVar("T")

IMPORT_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.CHILD_CASEWORKER)
_CHUNK = 500
_TEXT_FIELDS = ("cpr", "first_name", "last_name", "address", "postal_code", "city", "school",
                "birth_date_reason")

@dataclass
class RowError:
    line: int
    field: str
    message: Msg
    column: str = ""  # the column's heading as written in the file, for display


@dataclass
class ImportReport:
    rows_total: int = 0
    valid: int = 0
    errors: list[RowError] = field(default_factory=list)
    already_registered: list[int] = field(default_factory=list)
    file_errors: list[Msg] = field(default_factory=list)
    imported: int = 0
    columns: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way of importing the valid rows."""
        return not self.errors and not self.file_errors

    @property
    def lines_with_errors(self) -> int:
        return len({error.line for error in self.errors})


@dataclass
class _Valid:
    line: int
    data: YouthData
    identity: str | None  # see `_identity`


def may_import(user: User) -> bool:
    return user.is_active and user.role in IMPORT_ROLES


# --- checking the rows ---------------------------------------------------------------


def _chunks(items: list[T]) -> Iterable[list[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _caseworkers(session: Session, rows: list[Row]) -> dict[str, User]:
    """The users named in the caseworker column, by lower-cased username."""
    names = sorted({row.cells.get("caseworker", "").strip().lower() for row in rows} - {""})
    found: dict[str, User] = {}
    for chunk in _chunks(names):
        stmt = select(User).where(func.lower(User.username).in_(chunk))
        found.update({user.username.lower(): user for user in session.exec(stmt)})
    return found


def _cpr_digits(text: str) -> str | None:
    try:
        return parse_cpr(text).digits if text.strip() else None
    except CprError:
        return None


def _identity(cells: dict[str, str]) -> str | None:
    """Who the row is about: the CPR number, or for someone without one, the name and birth
    date. Used to find people already in the register and rows repeated in the file."""
    if cells.get("cpr", "").strip():
        digits = _cpr_digits(cells["cpr"])
        return f"cpr:{digits}" if digits else None
    first, last = cells.get("first_name", "").strip(), cells.get("last_name", "").strip()
    try:
        born = parse_birth_date(cells.get("birth_date", ""))
    except FieldError:
        return None
    if born is None or not first or not last:
        return None
    return _name_identity(born, youths.normalise_name(first, last))


def _name_identity(born: date, name_search: str) -> str:
    return f"name:{born.isoformat()}:{name_search}"


def _stored_identity(cpr: str | None, born: date, name_search: str) -> str:
    """`_identity` of a stored record."""
    return f"cpr:{cpr}" if cpr else _name_identity(born, name_search)


def _registered(session: Session, settings: Settings, identities: set[str]) -> set[str]:
    """The identities (see `_identity`) that are already in the register."""
    by_hash = {
        cpr_lookup_hash(identity[4:], settings.key): identity
        for identity in identities if identity.startswith("cpr:")
    }
    found: set[str] = set()
    for digests in _chunks(sorted(by_hash)):
        stmt = select(Youth.cpr_hash).where(col(Youth.cpr_hash).in_(digests))
        found.update(by_hash[digest] for digest in session.exec(stmt) if digest)
    dates = sorted({date.fromisoformat(i.split(":")[1]) for i in identities
                    if i.startswith("name:")})
    for chunk in _chunks(dates):
        rows = session.exec(
            select(col(Youth.birth_date), col(Youth.name_search))
            .where(col(Youth.cpr_hash).is_(None), col(Youth.birth_date).in_(chunk))
        )
        found.update(_name_identity(born, name) for born, name in rows)
    return found & identities


def _caseworker_id(name: str, caseworkers: dict[str, User]) -> int | None:
    if not name.strip():
        return None
    user = caseworkers.get(name.strip().lower())
    if user is None or not user.is_active:
        raise FieldError(
            N_("Unknown caseworker: no active user has this username."), field="caseworker"
        )
    if user.role is not Role.CHILD_CASEWORKER:
        raise FieldError(
            N_("This user is not a caseworker in the children's department."),
            field="caseworker",
        )
    return user.id


def _converted(
    row: Row, caseworkers: dict[str, User]
) -> tuple[dict[str, Any], dict[str, Msg]]:
    """The row's cells as YouthData input, and the errors of the cells that need converting."""
    cells = row.cells
    values: dict[str, Any] = {name: cells.get(name, "") for name in _TEXT_FIELDS}
    values["postal_code"] = values["postal_code"].strip()
    errors: dict[str, Msg] = {}
    if row.extra:
        errors["__all__"] = Msg(N_("The line has more fields than the header line."))
    try:
        values["birth_date"] = parse_birth_date(cells.get("birth_date", ""))
    except FieldError as exc:
        errors["birth_date"] = exc.msg
    try:
        values["adult_support_expected"] = parse_support(cells.get("adult_support_expected", ""))
    except FieldError as exc:
        errors["adult_support_expected"] = exc.msg
    try:
        values["child_caseworker_id"] = _caseworker_id(cells.get("caseworker", ""), caseworkers)
    except FieldError as exc:
        errors["caseworker"] = exc.msg
    return values, errors


def _row_data(
    row: Row, caseworkers: dict[str, User], today: date
) -> tuple[YouthData | None, dict[str, Msg]]:
    """The row as YouthData (the same validation as the form and the API), or its errors."""
    values, errors = _converted(row, caseworkers)
    try:
        data = YouthData.model_validate(values)
        data.check_not_born_in_future(today)
    except ValidationError as exc:
        found = field_errors(exc.errors())
    except FieldError as exc:
        found = {exc.field or "cpr": exc.msg}
    else:
        return (None if errors else data), errors
    if "birth_date" in errors and not values["cpr"].strip():
        found.pop("cpr", None)  # "enter the CPR number or the birth date": the date was bad
    return None, {**found, **errors}


def _display_column(fld: str, columns: dict[str, str]) -> str:
    fld = "caseworker" if fld == "child_caseworker_id" else fld
    if fld in columns:
        return columns[fld]
    return COLUMNS[fld][0] if fld in COLUMNS else ""


def _repeated(identity: str, line: int) -> dict[str, Msg]:
    if identity.startswith("cpr:"):
        return {"cpr": Msg(N_("The same CPR number is also on line %(line)s."), line=line)}
    return {"__all__": Msg(
        N_("The same young person (name and birth date) is also on line %(line)s."), line=line
    )}


def _check(
    session: Session, settings: Settings, raw: bytes, today: date
) -> tuple[ImportReport, list[_Valid]]:
    report = ImportReport()
    try:
        parsed = parse(raw)
    except ImportFileError as exc:
        report.file_errors.append(exc.msg)
        return report, []
    report.rows_total = len(parsed.rows)
    report.columns = parsed.columns
    caseworkers = _caseworkers(session, parsed.rows)
    identities = {row.line: _identity(row.cells) for row in parsed.rows}
    registered = _registered(session, settings, {i for i in identities.values() if i})
    first_line: dict[str, int] = {}
    valid: list[_Valid] = []
    for row in parsed.rows:
        identity = identities[row.line]
        if identity in registered and identity not in first_line:
            first_line[identity] = row.line
            report.already_registered.append(row.line)
            continue
        data, errors = _row_data(row, caseworkers, today)
        if identity and identity in first_line:
            errors.update(_repeated(identity, first_line[identity]))
        elif identity:
            first_line[identity] = row.line
        for fld, message in errors.items():
            report.errors.append(
                RowError(row.line, fld, message, _display_column(fld, parsed.columns))
            )
        if data is not None and not errors:
            valid.append(_Valid(row.line, data, identity))
    report.valid = len(valid)
    return report, valid


def check(session: Session, settings: Settings, raw: bytes, today: date) -> ImportReport:
    """The dry run: reports what an import would do, and writes nothing."""
    report, _valid = _check(session, settings, raw, today)
    return report


def run(
    session: Session, settings: Settings, user: User, raw: bytes, today: date
) -> ImportReport:
    """Imports every valid row, or nothing if any row has an error. Every row is read and
    checked first, outside any write transaction; then all of them are written in one short
    transaction (`_write`), so SQLite's write lock is held for a moment, not for the import."""
    report, valid = _check(session, settings, raw, today)
    if not report.ok:
        return report
    try:
        _write(session, settings, user, valid, today)
    except IntegrityError:
        session.rollback()
        if not _taken_since_check(session, settings, valid, report):
            raise
        return report
    except BaseException:
        session.rollback()
        raise
    report.imported = len(valid)
    log.info("youth import by user %s: %s rows imported, %s already registered",
             user.id, report.imported, len(report.already_registered))
    return report


def _values(row: SQLModel) -> dict[str, Any]:
    """A new row's column values, as the ORM would insert them (the id left to the
    database)."""
    return {column.key: getattr(row, column.key)
            for column in _table(type(row)).columns if column.key != "id"}


@dataclass
class Rows:
    """The rows an import writes, built before its transaction begins; the new young
    people's ids are filled in once they are known."""

    youths: list[dict[str, Any]]
    steps: list[list[dict[str, Any]]]  # per young person
    events: list[dict[str, Any]]
    audits: list[dict[str, Any]]

    def with_ids(self, ids: list[int]) -> None:
        for youth_id, steps, event, audit_row in zip(
                ids, self.steps, self.events, self.audits, strict=True):
            for step in steps:
                step["youth_id"] = youth_id
            event["youth_id"] = youth_id
            audit_row["youth_id"] = youth_id
            audit_row["object_id"] = str(youth_id)


def _rows(session: Session, settings: Settings, user: User, valid: list[_Valid],
          today: date) -> Rows:
    """The same rows `youths.create` writes for each person (record, timeline steps, event,
    audit row), built from the same functions."""
    steps = timeline.template(session)
    records = [youths.new_record(settings, user, row.data, today) for row in valid]
    for record in records:
        record.flag_due_on = timeline.flag_date(settings, record.birth_date)
    return Rows(
        youths=[_values(record) for record in records],
        steps=[[_values(YouthStep(youth_id=0, step_id=step_id, due_on=due))
                for step_id, due in timeline.due_dates(settings, record.birth_date,
                                                       steps).items()]
               for record in records],
        events=[_values(YouthEvent(youth_id=0, actor_id=user.id, kind=EventKind.IMPORTED))
                for _record in records],
        audits=[_values(AuditEvent(user_id=user.id, action=AuditAction.CREATE,
                                   object_type="youth"))
                for _record in records],
    )


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _write(session: Session, settings: Settings, user: User, valid: list[_Valid],
           today: date) -> None:
    """One transaction, one multi-row INSERT per table (executemany), then the young
    people's earliest open due date; nothing is read or checked inside it."""
    rows = _rows(session, settings, user, valid, today)
    if valid:
        youth = _table(Youth)
        returned = session.execute(
            insert(youth).returning(youth.c.id, youth.c.cpr, youth.c.birth_date,
                                    youth.c.name_search),
            rows.youths,
        )
        # The rows come back in any order; each is matched to its line by who it is about,
        # which `_check` made unique within the file.
        ids_by_identity = {_stored_identity(cpr, born, name): youth_id
                           for youth_id, cpr, born, name in returned}
        ids = [ids_by_identity[row.identity or ""] for row in valid]
        rows.with_ids(ids)
        if steps := [step for steps in rows.steps for step in steps]:
            session.execute(insert(_table(YouthStep)), steps)
        session.execute(insert(_table(YouthEvent)), rows.events)
        session.execute(insert(_table(AuditEvent)), rows.audits)
        timeline.refresh_next_open_due(session, ids)
    audit.record(session, AuditAction.IMPORT, user_id=user.id, object_type="youth",
                 detail=f"rows={len(valid)}")
    session.commit()


def _taken_since_check(session: Session, settings: Settings, valid: list[_Valid],
                       report: ImportReport) -> bool:
    """After the insert failed: reports the rows whose CPR number someone registered since
    the check (nothing was imported). False when that is not why it failed."""
    taken = _registered(session, settings, {row.identity for row in valid if row.identity})
    lines = [row.line for row in valid if row.identity in taken]
    message = Msg(youths.DUPLICATE_CPR)
    report.errors.extend(
        RowError(line, "cpr", message, _display_column("cpr", report.columns)) for line in lines
    )
    if lines:
        report.valid = 0
    return bool(lines)


def format_report(report: ImportReport) -> list[str]:
    """The report as plain text lines (for the command line); never shows a CPR number."""
    lines = [str(msg) for msg in report.file_errors]
    lines += [
        f"line {e.line}{f' [{e.column}]' if e.column else ''}: {e.message}" for e in report.errors
    ]
    if report.already_registered:
        lines.append("already in the register (skipped), lines: "
                     + ", ".join(str(n) for n in report.already_registered))
    lines.append(
        f"rows: {report.rows_total}, valid: {report.valid}, "
        f"with errors: {report.lines_with_errors}, "
        f"already registered: {len(report.already_registered)}, imported: {report.imported}"
    )
    return lines
