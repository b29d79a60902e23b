"""The `overgang` command against the test database: import-youths and recompute-timeline."""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import text, update
from sqlmodel import col, func, select

from app import cli
from app.domain.youth import YouthData
from app.models.audit import AuditAction, AuditEvent
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, UserSession
from app.models.youth import EventKind, SupportExpected, Youth, YouthEvent
from app.services import auth, youths
from tests.conftest import make_user

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ERRORS_FILE = FIXTURES / "youths_with_errors.csv"
CPRS_IN_ERRORS_FILE = re.findall(r"[0-9O]{6}-?[0-9]{3,4}", ERRORS_FILE.read_text())
HEADER = "cpr;fornavn;efternavn;sagsbehandler;voksenstoette"
GOOD_ROWS = [
    "150610-4123;Freja;Østergaard;sara;ja",
    "0203084567;Mikkel;Nielsen;sara;nej",
    "230909-4321;Oscar;Berg;;ikke vurderet",
]
GOOD_CPRS = ["150610-4123", "0203084567", "230909-4321"]


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings):  # type: ignore[no-untyped-def]
    """`load_settings()` inside the command reads these: the same database as the test."""
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.delenv("FLAG_AGE_YEARS", raising=False)
    monkeypatch.delenv("FLAG_AGE_MONTHS", raising=False)
    return monkeypatch


@pytest.fixture
def sara(session):  # type: ignore[no-untyped-def]
    return make_user(session, Role.CHILD_CASEWORKER, "sara")


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "unge.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def _count(session, model=Youth) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _output(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err + caplog.text


def _assert_no_cpr(output: str, cprs: list[str]) -> None:
    assert cprs
    for cpr in cprs:
        digits = cpr.replace("-", "")
        assert cpr not in output and digits not in output
        assert digits[:6] not in output  # not even the birth-date part
    assert not re.search(r"\d{6}-?\d{3,4}", output)


# --- import-youths ---------------------------------------------------------------------


def test_import_youths_imports_every_row_as_the_named_user(
    cli_env, session, sara, tmp_path, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    path = _csv(tmp_path, *GOOD_ROWS)

    code = cli.main(["import-youths", str(path), "--as", "sara"])

    output = _output(capsys, caplog)
    assert code == 0
    assert "imported: 3" in output and "Imported 3 young people." in output
    _assert_no_cpr(output, GOOD_CPRS)
    people = {y.first_name: y for y in session.exec(select(Youth))}
    assert set(people) == {"Freja", "Mikkel", "Oscar"}
    assert {y.created_by_id for y in people.values()} == {sara.id}
    assert people["Freja"].child_caseworker_id == sara.id
    assert people["Oscar"].child_caseworker_id is None
    assert people["Oscar"].adult_support_expected is SupportExpected.NOT_ASSESSED
    assert people["Freja"].flag_due_on == date(2026, 12, 15)  # the timeline is set up too
    assert _count(session, YouthStep) == 3 * _count(session, TimelineStep)
    assert {e.kind for e in session.exec(select(YouthEvent))} == {EventKind.IMPORTED}
    imports = session.exec(select(AuditEvent).where(AuditEvent.action == AuditAction.IMPORT))
    assert [(a.user_id, a.detail) for a in imports] == [(sara.id, "rows=3")]


def test_import_youths_dry_run_reports_and_writes_nothing(
    cli_env, session, sara, tmp_path, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    audit_before = _count(session, AuditEvent)
    path = _csv(tmp_path, *GOOD_ROWS)

    code = cli.main(["import-youths", str(path), "--as", "sara", "--dry-run"])

    output = _output(capsys, caplog)
    assert code == 0
    assert "rows: 3, valid: 3, with errors: 0" in output
    assert "imported: 0" in output and "Dry run: nothing was written." in output
    _assert_no_cpr(output, GOOD_CPRS)
    assert _count(session) == 0 and _count(session, YouthStep) == 0
    assert _count(session, AuditEvent) == audit_before


def test_import_youths_with_one_bad_row_writes_nothing_and_exits_1(
    cli_env, session, sara, tmp_path, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    path = _csv(tmp_path, *GOOD_ROWS[:2], "230909-4321;Oscar;Berg;ukendt;ja")

    code = cli.main(["import-youths", str(path), "--as", "sara"])

    output = _output(capsys, caplog)
    assert code == 1
    assert "line 4 [sagsbehandler]:" in output
    assert "with errors: 1" in output and "imported: 0" in output
    assert "Nothing was imported." in output
    _assert_no_cpr(output, GOOD_CPRS)
    assert _count(session) == 0 and _count(session, YouthEvent) == 0


def test_import_youths_dry_run_of_a_file_full_of_errors_names_lines_never_numbers(
    cli_env, session, sara, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    make_user(session, Role.ADULT_CASEWORKER, "anders")

    code = cli.main(["import-youths", str(ERRORS_FILE), "--as", "sara", "--dry-run"])

    output = _output(capsys, caplog)
    assert code == 1
    reported = sorted({int(n) for n in re.findall(r"^line (\d+)\b", output, re.MULTILINE)})
    assert reported == [3, 4, 5, 6, 7, 8, 11]
    _assert_no_cpr(output, CPRS_IN_ERRORS_FILE)
    assert _count(session) == 0


def test_a_cpr_number_already_registered_is_skipped_by_line(
    cli_env, session, settings, sara, tmp_path, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    existing = YouthData(cpr="150610-4123", first_name="Freja", last_name="Østergaard")
    youths.create(session, settings, sara, existing, date(2026, 3, 2))
    session.commit()
    path = _csv(tmp_path, *GOOD_ROWS)

    code = cli.main(["import-youths", str(path), "--as", "sara"])

    output = _output(capsys, caplog)
    assert code == 0
    assert "already in the register (skipped), lines: 2" in output
    assert "imported: 2" in output
    _assert_no_cpr(output, GOOD_CPRS)
    assert _count(session) == 3


@pytest.mark.parametrize(
    ("argv_user", "setup_role", "message"),
    [
        ("nobody", None, "No user named 'nobody'."),
        ("anders", Role.ADULT_CASEWORKER, "anders may not import young people"),
    ],
)
def test_import_youths_refuses_an_unknown_or_unauthorised_user_with_exit_2(
    cli_env, session, sara, tmp_path, capsys, argv_user, setup_role, message
):
    if setup_role is not None:
        make_user(session, setup_role, argv_user)
    path = _csv(tmp_path, *GOOD_ROWS)

    code = cli.main(["import-youths", str(path), "--as", argv_user])

    assert code == 2
    assert message in capsys.readouterr().out
    assert _count(session) == 0


def test_import_youths_refuses_a_missing_or_unusable_file_with_exit_2(
    cli_env, session, sara, tmp_path, capsys
):
    missing = tmp_path / "findes-ikke.csv"
    assert cli.main(["import-youths", str(missing), "--as", "sara"]) == 2
    assert "The file cannot be read" in capsys.readouterr().out

    no_header = tmp_path / "uden-overskrift.csv"
    no_header.write_text("150610-4123;Freja;Østergaard\n", encoding="utf-8")
    assert cli.main(["import-youths", str(no_header), "--as", "sara"]) == 2
    output = capsys.readouterr().out
    assert "imported: 0" in output
    _assert_no_cpr(output, ["150610-4123"])
    assert _count(session) == 0


def test_import_youths_needs_the_as_option(cli_env, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["import-youths", str(_csv(tmp_path, *GOOD_ROWS))])
    assert exit_info.value.code == 2
    assert "--as" in capsys.readouterr().err


# --- recompute-timeline ----------------------------------------------------------------


def _due_dates(session, youth_id: int) -> dict[str, date]:  # type: ignore[no-untyped-def]
    session.expire_all()
    rows = session.exec(
        select(TimelineStep.key, YouthStep.due_on)
        .join(YouthStep, col(YouthStep.step_id) == TimelineStep.id)
        .where(YouthStep.youth_id == youth_id)
    )
    return dict(rows.all())


def test_recompute_timeline_applies_a_new_flag_age_to_every_young_person(
    cli_env, session, settings, sara, capsys
):
    births = [date(2010, 8, 31), date(2011, 2, 28), date(2009, 12, 31)]
    created = [
        youths.create(
            session, settings, sara,
            YouthData(birth_date=b, birth_date_reason="Test", first_name=f"Ung{n}",
                      last_name="Testesen"),
            date(2026, 3, 2),
        )
        for n, b in enumerate(births)
    ]
    assert created[0].flag_due_on == date(2027, 2, 28)  # 16½ under the default setting
    session.commit()
    cli_env.setenv("FLAG_AGE_YEARS", "16")
    cli_env.setenv("FLAG_AGE_MONTHS", "0")

    assert cli.main(["recompute-timeline"]) == 0

    assert "Recomputed the due dates of 3 young people." in capsys.readouterr().out
    steps = {s.key: s for s in session.exec(select(TimelineStep))}
    for youth, born in zip(created, births, strict=True):
        session.expire_all()
        assert session.get(Youth, youth.id).flag_due_on == born + relativedelta(years=16)
        dues = _due_dates(session, youth.id)
        assert dues["flag"] == born + relativedelta(years=16)
        for key, step in steps.items():
            if key != "flag":
                offset = relativedelta(years=step.offset_years, months=step.offset_months)
                assert dues[key] == born + offset


def test_recompute_timeline_repairs_stale_dates_and_adds_missing_steps(
    cli_env, session, settings, sara, capsys
):
    born = date(2010, 2, 28)
    youth = youths.create(
        session, settings, sara,
        YouthData(birth_date=born, birth_date_reason="Test", first_name="Ung",
                  last_name="Testesen"),
        date(2026, 3, 2),
    )
    expected = _due_dates(session, youth.id)
    # Stale data, as a bulk load or an old migration might leave it.
    session.execute(update(YouthStep).values(due_on=date(2000, 1, 1)))
    session.execute(update(Youth).values(flag_due_on=None))
    session.execute(text(
        "INSERT INTO timeline_step (key, name, description, offset_years, offset_months, "
        "department, completion) VALUES ('extra', 'Ekstra', '', 17, 9, 'both', 'manual')"
    ))
    session.commit()

    assert cli.main(["recompute-timeline"]) == 0

    assert "Recomputed the due dates of 1 young people." in capsys.readouterr().out
    session.expire_all()
    assert session.get(Youth, youth.id).flag_due_on == date(2026, 8, 28)
    assert _due_dates(session, youth.id) == {**expected, "extra": date(2027, 11, 28)}


def test_recompute_timeline_on_an_empty_register(cli_env, capsys):
    assert cli.main(["recompute-timeline"]) == 0
    assert "Recomputed the due dates of 0 young people." in capsys.readouterr().out


# --- run-jobs ----------------------------------------------------------------------------


def test_run_jobs_as_of_a_day_flags_who_is_due_then_and_keeps_live_sessions(
    cli_env, session, settings, sara, capsys
):
    due = youths.create(
        session, settings, sara,
        YouthData(birth_date=date(2010, 7, 15), birth_date_reason="Test", first_name="Sigrid",
                  last_name="Flagesen", adult_support_expected=SupportExpected.YES),
        date(2026, 3, 2),
    )
    auth.open_session(session, settings, sara)
    session.commit()

    assert cli.main(["run-jobs", "--today", "2027-01-14"]) == 0
    assert "flagging: 0 flagged" in capsys.readouterr().out
    assert cli.main(["run-jobs", "--today", "2027-01-15"]) == 0

    assert "flagging: 1 flagged (0 late, 0 for assessment)" in capsys.readouterr().out
    session.expire_all()
    assert session.get(Youth, due.id).transition_started_on == date(2027, 1, 15)
    # A later --today is a calendar day for the due-date jobs, not a clock that expires
    # everyone's login.
    assert _count(session, UserSession) == 1
