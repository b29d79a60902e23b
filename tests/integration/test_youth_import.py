"""Importing young people from CSV: the dry run, the all-or-nothing import and the upload page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from app.db import unit_of_work
from app.domain import youth_csv
from app.domain.youth import YouthData
from app.main import create_app
from app.models.audit import AuditAction, AuditEvent
from app.models.timeline import YouthStep
from app.models.user import Role, User
from app.models.youth import EventKind, SupportExpected, Youth, YouthEvent
from app.services import youth_import, youths
from app.web import youth_import as youth_import_web
from seeds.data import fictitious_cpr
from tests.conftest import login, make_user

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TODAY = date(2026, 3, 2)
ERRORS_FILE = (FIXTURES / "youths_with_errors.csv").read_bytes()
UNREADABLE = "The file could not be read as text. Save it as CSV (UTF-8 or Windows-1252)."
CPRS_IN_ERRORS_FILE = re.findall(r"[0-9O]{6}-?[0-9]{3,4}", ERRORS_FILE.decode())


def _is_import_route(route: object) -> bool:
    return (
        str(getattr(route, "path", "")).startswith("/youths/import")
        or getattr(route, "original_router", None) is youth_import_web.router
    )


@pytest.fixture
def app(settings):  # type: ignore[no-untyped-def]
    """The real app. Until app/main.py registers the import router, it is included here, ahead
    of the youth pages (whose /youths/{youth_id} would otherwise catch /youths/import)."""
    application = create_app(settings)
    routes = application.router.routes
    if not any(_is_import_route(route) for route in routes):
        application.include_router(youth_import_web.router)
        mine = [route for route in routes if _is_import_route(route)]
        routes[:] = mine + [route for route in routes if route not in mine]
    return application


@pytest.fixture
def sara(session):  # type: ignore[no-untyped-def]
    return make_user(session, Role.CHILD_CASEWORKER, "sara")


@pytest.fixture
def anders(session):  # type: ignore[no-untyped-def]
    return make_user(session, Role.ADULT_CASEWORKER, "anders")


def _count(session, model=Youth) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(func.count()).select_from(model)).one()


def _errors(report: youth_import.ImportReport) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for error in report.errors:
        found.setdefault(error.line, set()).add(error.field)
    return found


def _csv(*lines: str, header: str = "cpr;fornavn;efternavn;sagsbehandler") -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode()


# --- the service ------------------------------------------------------------------------


def test_the_dry_run_reports_every_invalid_row_by_line_and_reason_and_writes_nothing(
    session, settings, sara, anders
):
    audit_before = _count(session, AuditEvent)

    report = youth_import.check(session, settings, ERRORS_FILE, TODAY)

    assert _errors(report) == {
        3: {"cpr"},  # 31 February
        4: {"cpr"},  # nine digits
        5: {"cpr"},  # a letter O instead of a zero
        6: {"first_name"},
        7: {"caseworker"},  # no such user
        8: {"cpr"},  # the same number as line 2, written without the dash
        11: {"caseworker"},  # an adult caseworker
    }
    by_line = {e.line: e for e in report.errors}
    assert by_line[3].message.msgid == "The first six digits of the CPR number are not a real date."
    assert by_line[4].message.msgid.startswith("A CPR number has 10 digits")
    assert by_line[5].message.msgid.startswith("A CPR number has 10 digits")
    assert by_line[6].message.msgid == "This field is required."
    assert by_line[6].column == "fornavn"
    assert by_line[7].message.msgid.startswith("Unknown caseworker")
    assert by_line[7].column == "sagsbehandler"
    assert by_line[8].message.params == {"line": 2}
    assert "children's department" in by_line[11].message.msgid
    assert (report.rows_total, report.valid, report.lines_with_errors) == (9, 2, 7)
    assert report.already_registered == [] and report.imported == 0
    assert _count(session) == 0 and _count(session, AuditEvent) == audit_before


def test_no_message_in_the_report_carries_a_cpr_number(session, settings, sara):
    report = youth_import.check(session, settings, ERRORS_FILE, TODAY)
    text = "\n".join(youth_import.format_report(report))
    assert "line 8 [cpr]" in text
    for cpr in CPRS_IN_ERRORS_FILE:
        assert cpr not in text and cpr.replace("-", "") not in text


def test_an_import_with_one_bad_row_writes_nothing(session, settings, sara):
    raw = _csv(
        "150610-4123;Freja;Østergaard;sara",
        "020308-4567;Mikkel;Nielsen;sara",
        "230909-4321;Oscar;Berg;ukendt",
    )
    report = youth_import.run(session, settings, sara, raw, TODAY)

    assert [(e.line, e.field) for e in report.errors] == [(4, "caseworker")]
    assert report.imported == 0
    assert _count(session) == 0 and _count(session, YouthEvent) == 0
    imports = select(AuditEvent).where(AuditEvent.action == AuditAction.IMPORT)
    assert session.exec(imports).all() == []


def test_a_valid_file_imports_every_row_in_one_transaction(session, settings, sara):
    raw = _csv(
        "150610-4123;Freja;Østergaard;sara;ja;;",
        "0203084567;Mikkel;Nielsen;SARA;nej;;",
        ";Mads;Ørnsø;;ikke vurderet;2009-02-14;Har endnu ikke et CPR-nummer",
        header="cpr;fornavn;efternavn;sagsbehandler;voksenstoette;foedselsdato;"
        "foedselsdato_begrundelse",
    )

    report = youth_import.run(session, settings, sara, raw, TODAY)

    assert report.ok and report.imported == 3 and report.valid == 3
    people = {y.first_name: y for y in session.exec(select(Youth))}
    assert set(people) == {"Freja", "Mikkel", "Mads"}
    assert people["Freja"].birth_date == date(2010, 6, 15)
    assert people["Freja"].adult_support_expected is SupportExpected.YES
    assert people["Freja"].child_caseworker_id == sara.id
    assert people["Mikkel"].child_caseworker_id == sara.id  # usernames match in any case
    assert people["Mikkel"].adult_support_expected is SupportExpected.NO
    assert people["Mads"].cpr is None and people["Mads"].birth_date == date(2009, 2, 14)
    assert people["Mads"].birth_date_reason == "Har endnu ikke et CPR-nummer"
    kinds = {e.kind for e in session.exec(select(YouthEvent))}
    assert kinds == {EventKind.IMPORTED}
    imports = session.exec(select(AuditEvent).where(AuditEvent.action == AuditAction.IMPORT)).all()
    assert [(a.user_id, a.detail) for a in imports] == [(sara.id, "rows=3")]


def test_a_cpr_number_already_in_the_register_is_reported_and_never_doubled(
    session, settings, sara
):
    existing = YouthData(cpr="150610-4123", first_name="Freja", last_name="Østergaard")
    youths.create(session, settings, sara, existing, TODAY)
    raw = _csv("1506104123;Freja;Østergaard;", "020308-4567;Mikkel;Nielsen;")

    dry = youth_import.check(session, settings, raw, TODAY)
    assert dry.ok and dry.already_registered == [2] and dry.valid == 1

    report = youth_import.run(session, settings, sara, raw, TODAY)
    assert report.already_registered == [2] and report.imported == 1
    assert _count(session) == 2
    again = youth_import.run(session, settings, sara, raw, TODAY)
    assert again.already_registered == [2, 3] and again.imported == 0
    assert _count(session) == 2


def test_someone_without_a_cpr_number_is_recognised_by_name_and_birth_date(
    session, settings, sara
):
    header = "cpr;fornavn;efternavn;foedselsdato;foedselsdato_begrundelse"
    raw = _csv(";Mads;Ørnsø;14-02-2009;Intet CPR-nummer endnu", header=header)
    assert youth_import.run(session, settings, sara, raw, TODAY).imported == 1

    again = _csv(
        ";mads ; ØRNSØ;2009-02-14;Intet CPR-nummer endnu",
        ";Mads;Ørnsø;15-02-2009;Intet CPR-nummer endnu",
        ";Mads;Ørnsø;15.02.2009;Intet CPR-nummer endnu",
        header=header,
    )
    report = youth_import.check(session, settings, again, TODAY)
    assert report.already_registered == [2]
    assert [(e.line, e.field, e.message.params) for e in report.errors] == [
        (4, "__all__", {"line": 3}),
    ]
    assert _count(session) == 1


def test_a_windows_1252_file_with_semicolons_keeps_the_danish_letters(session, settings, sara):
    raw = (FIXTURES / "youths_windows1252_semicolon.csv").read_bytes()
    assert "ø".encode("cp1252") in raw  # really not UTF-8

    report = youth_import.run(session, settings, sara, raw, TODAY)

    assert report.ok and report.imported == 2
    names = {(y.first_name, y.last_name, y.address) for y in session.exec(select(Youth))}
    assert names == {("Søren", "Ærøbo", "Åbrinken 3"), ("Åse", "Bækgård", "Møllevej 12")}
    soren = session.exec(select(Youth).where(Youth.first_name == "Søren")).one()
    assert soren.school == "Skovløkkeskolen" and soren.child_caseworker_id == sara.id


def test_a_utf8_file_with_a_byte_order_mark_and_commas_is_read(session, settings, sara):
    raw = (FIXTURES / "youths_utf8_bom_comma.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")

    report = youth_import.run(session, settings, sara, raw, TODAY)

    assert report.ok and report.imported == 2
    assert {y.last_name for y in session.exec(select(Youth))} == {"Østergaard", "Ørnsø"}


def test_line_numbers_are_physical_lines_even_with_a_line_break_inside_a_cell(
    session, settings
):
    raw = _csv(
        '150610-4123;Freja;Østergaard;"Vestergade 1',
        'baghuset"',
        "020308-4567;;Nielsen;",
        header="cpr;fornavn;efternavn;adresse",
    )
    report = youth_import.check(session, settings, raw, TODAY)
    assert [(e.line, e.field) for e in report.errors] == [(4, "first_name")]


def test_an_excel_sep_line_and_extra_cells_are_understood(session, settings):
    raw = b"sep=,\ncpr,fornavn,efternavn\n150610-4123,Freja,Holm,,\n0203084567,Mikkel,Berg,x\n"
    report = youth_import.check(session, settings, raw, TODAY)
    assert [(e.line, e.field) for e in report.errors] == [(4, "__all__")]
    assert report.valid == 1


def test_a_bad_birth_date_or_support_value_is_reported_on_its_own_column(session, settings):
    raw = _csv(
        ";Mads;Ørnsø;31-02-2009;Intet CPR-nummer;måske",
        header="cpr;fornavn;efternavn;foedselsdato;foedselsdato_begrundelse;voksenstoette",
    )
    report = youth_import.check(session, settings, raw, TODAY)
    assert {(e.field, e.column) for e in report.errors} == {
        ("birth_date", "foedselsdato"), ("adult_support_expected", "voksenstoette"),
    }


@pytest.mark.parametrize(
    ("raw", "msgid"),
    [
        (b"cpr;fornavn;efternavn;skonummer\n1;a;b;c\n", "Unknown columns: %(columns)s."),
        (b"cpr;fornavn\n150610-4123;Freja\n", "Required columns are missing: %(columns)s."),
        (b"", "The file is empty."),
        (b"cpr;fornavn;efternavn\n", "The file contains no young people."),
        ("cpr;fornavn;efternavn\n".encode("utf-16"), UNREADABLE),  # Excel's "Unicode text"
        (b"cpr;fornavn;efternavn\n\x81;a;b\n", UNREADABLE),  # 0x81: neither UTF-8 nor 1252
    ],
)
def test_a_file_level_error_stops_the_whole_file(session, settings, raw, msgid):
    report = youth_import.check(session, settings, raw, TODAY)
    assert [m.msgid for m in report.file_errors] == [msgid]
    assert not report.ok and report.errors == []


def test_unknown_columns_are_named(session, settings):
    raw = b"CPR;Fornavn;Efternavn;Skonummer;Farve\n"
    report = youth_import.check(session, settings, raw, TODAY)
    assert report.file_errors[0].params == {"columns": "Skonummer, Farve"}


def test_a_file_without_a_header_line_is_refused_without_echoing_the_number(session, settings):
    report = youth_import.check(session, settings, b"150610-4123;Freja;Ostergaard\n", TODAY)
    assert report.file_errors[0].msgid.startswith("The first line must hold the column names")
    assert "150610" not in str(report.file_errors[0])


def test_files_over_the_limits_are_refused(session, settings):
    too_big = b"cpr;fornavn;efternavn\n" + b"x" * youth_csv.MAX_BYTES
    assert youth_import.check(session, settings, too_big, TODAY).file_errors[0].params == {"mb": 10}
    rows = b"".join(b";A;B\n" for _ in range(youth_csv.MAX_ROWS + 1))
    too_long = youth_import.check(session, settings, b"cpr;fornavn;efternavn\n" + rows, TODAY)
    assert too_long.file_errors[0].params == {"n": 20_000}


# --- one short write transaction ---------------------------------------------------------


def _many(count: int) -> bytes:
    rows = []
    for i in range(count):
        cpr = fictitious_cpr(date(2009, 3, 1) + timedelta(days=i), 0)
        rows.append(f"{cpr[:6]}-{cpr[6:]};Ung{i};Testesen;sara")
    return _csv(*rows)


def _statements_while_writing(engine: Engine, action: Callable[[], object]) -> list[str]:
    """The statements run from the first write to the commit: SQLite holds its write lock
    for all of them."""
    seen: list[str] = []
    writing = False

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        nonlocal writing
        writing = writing or statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        if writing:
            seen.append(statement)

    def committed(conn):  # type: ignore[no-untyped-def]
        nonlocal writing
        writing = False

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", committed)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "commit", committed)
    return seen


def test_the_import_writes_in_one_short_transaction_that_reads_nothing(
    session, engine, settings, sara
):
    raw = _many(300)

    statements = _statements_while_writing(
        engine, lambda: youth_import.run(session, settings, sara, raw, TODAY))

    assert _count(session) == 300
    # Everything is read and checked before the write lock is taken ...
    assert [s for s in statements if s.lstrip().upper().startswith("SELECT")] == []
    # ... and each table gets multi-row INSERTs (pages of up to 1,000 rows), not a
    # handful of statements per young person.
    assert len(statements) <= 10


def _columns(row: object, leave_out: set[str]) -> dict[str, object]:
    table = type(row).__table__  # type: ignore[attr-defined]
    return {c.key: getattr(row, c.key) for c in table.columns if c.key not in leave_out}


def _as_created(session, youth: Youth) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Everything the register stores about a new young person, but who it is."""
    who = {"id", "cpr", "cpr_hash", "first_name", "last_name", "name_search",
           "birth_date_reason", "created_at", "updated_at"}
    steps = session.exec(select(YouthStep).where(YouthStep.youth_id == youth.id)).all()
    events = session.exec(select(YouthEvent).where(YouthEvent.youth_id == youth.id)).all()
    audits = session.exec(select(AuditEvent).where(AuditEvent.youth_id == youth.id)).all()
    return {
        "record": _columns(youth, who),
        "steps": sorted(_columns(s, {"id", "youth_id"}).items() for s in steps),
        "events": [_columns(e, {"id", "youth_id", "at"}) for e in events],
        "audit": [(a.action, a.user_id, a.object_type, a.object_id == str(youth.id), a.detail)
                  for a in audits],
    }


def test_imported_records_and_timelines_are_the_ones_created_one_by_one(
    session, settings, sara
):
    raw = _csv(
        "150610-4123;Freja;Østergaard;sara;ja;;",
        ";Mads;Ørnsø;;nej;2009-02-14;Har endnu ikke et CPR-nummer",
        header="cpr;fornavn;efternavn;sagsbehandler;voksenstoette;foedselsdato;"
        "foedselsdato_begrundelse",
    )
    assert youth_import.run(session, settings, sara, raw, TODAY).imported == 2
    imported = {y.first_name: y for y in session.exec(select(Youth))}
    twins = {
        name: youths.create(session, settings, sara, YouthData(
            birth_date=youth.birth_date, birth_date_reason="Tvilling", first_name="Tvilling",
            last_name=name, child_caseworker_id=youth.child_caseworker_id,
            adult_support_expected=youth.adult_support_expected,
        ), TODAY, event=EventKind.IMPORTED)
        for name, youth in imported.items()
    }
    session.expire_all()

    for name, youth in imported.items():
        assert _as_created(session, youth) == _as_created(session, twins[name])
    assert imported["Freja"].next_open_due_on is not None


def test_a_cpr_number_registered_while_the_file_was_checked_stops_the_import(
    session, engine, settings, sara
):
    raw = _csv("150610-4123;Freja;Østergaard;sara", "020308-4567;Mikkel;Nielsen;sara")
    registered: list[Youth] = []

    def someone_registers_mikkel(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO youth ") and not registered:
            registered.append(Youth())  # once
            with unit_of_work(engine) as other:
                registered[0] = youths.create(other, settings, sara, YouthData(
                    cpr="020308-4567", first_name="Mikkel", last_name="Nielsen"), TODAY)

    event.listen(engine, "before_cursor_execute", someone_registers_mikkel)
    try:
        report = youth_import.run(session, settings, sara, raw, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", someone_registers_mikkel)

    assert [(e.line, e.field) for e in report.errors] == [(3, "cpr")]
    assert report.errors[0].message.msgid.startswith("A young person with this CPR number")
    assert report.imported == 0 and report.valid == 0
    session.expire_all()
    assert [y.first_name for y in session.exec(select(Youth))] == ["Mikkel"]


# --- the upload page ------------------------------------------------------------------


def _post(client, token: str, raw: bytes, action: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/youths/import",
        data={"csrf_token": token, "action": action},
        files={"file": ("unge.csv", raw, "text/csv")},
    )


def test_the_upload_page_shows_the_dry_run_report_without_any_cpr_number(
    client, session, sara, anders
):
    make_user(session, Role.COORDINATOR, "kirsten")
    token = login(client, "kirsten")
    page = client.get("/youths/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'accept=".csv,text/csv"' in page.text
    assert 'name="action" value="check"' in page.text
    assert 'name="action" value="import"' in page.text

    response = _post(client, token, ERRORS_FILE, "check")

    assert response.status_code == 400
    cells = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", response.text)
    assert [line for line, _column in cells] == ["3", "4", "5", "6", "7", "8", "11"]
    assert ("6", "fornavn") in cells and ("7", "sagsbehandler") in cells
    assert "De første seks cifre i CPR-nummeret er ikke en rigtig dato" in response.text
    for cpr in CPRS_IN_ERRORS_FILE:
        assert cpr not in response.text and cpr.replace("-", "") not in response.text
    assert _count(session) == 0


def _english_user(session, role: Role, username: str) -> User:  # type: ignore[no-untyped-def]
    user = make_user(session, role, username)
    user.locale = "en"
    session.add(user)
    session.commit()
    return user


def test_the_upload_page_imports_a_valid_file_and_reports_skipped_rows(
    client, session, settings, sara
):
    _english_user(session, Role.COORDINATOR, "kirsten")
    existing = YouthData(cpr="150610-4123", first_name="Søren", last_name="Ærøbo")
    youths.create(session, settings, sara, existing, TODAY)
    token = login(client, "kirsten")
    raw = (FIXTURES / "youths_windows1252_semicolon.csv").read_bytes()

    response = _post(client, token, raw, "import")

    assert response.status_code == 200
    assert "Young people imported: 1. Already in the register (skipped): 1." in response.text
    assert "150610-4123" not in response.text and "1506104123" not in response.text
    assert "020308-4567" not in response.text and "0203084567" not in response.text
    assert _count(session) == 2


def test_a_failed_upload_import_says_nothing_was_imported(client, session, sara):
    _english_user(session, Role.CHILD_CASEWORKER, "lise")
    token = login(client, "lise")

    response = _post(client, token, ERRORS_FILE, "import")

    assert response.status_code == 400
    assert "Nothing was imported." in response.text
    assert _count(session) == 0


def test_an_upload_without_a_file_asks_for_one(client, session):
    make_user(session, Role.ADMIN, "admin")
    token = login(client, "admin")
    response = client.post(
        "/youths/import", data={"csrf_token": token, "action": "check"},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert response.status_code == 400 and 'aria-invalid="true"' in response.text


def test_an_adult_caseworker_may_not_import(client, session, anders):
    token = login(client, "anders")
    assert client.get("/youths/import").status_code == 403
    response = _post(client, token, (FIXTURES / "youths_utf8_bom_comma.csv").read_bytes(), "import")
    assert response.status_code == 403
    assert _count(session) == 0


def test_the_upload_needs_the_csrf_token(client, session):
    make_user(session, Role.COORDINATOR, "kirsten")
    login(client, "kirsten")
    raw = (FIXTURES / "youths_utf8_bom_comma.csv").read_bytes()
    response = _post(client, "wrong", raw, "import")
    assert response.status_code == 403
    assert _count(session) == 0
