"""The `overgang` command."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from app.settings import PROJECT_ROOT, Settings, load_settings

Handler = Callable[[argparse.Namespace, Settings], int]
_COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _COMMANDS[name] = fn
        return fn

    return register


def alembic_config(settings: Settings) -> object:
    from alembic.config import Config

    root = PROJECT_ROOT if (PROJECT_ROOT / "alembic").is_dir() else Path.cwd()
    cfg = Config()
    cfg.set_main_option("script_location", str(root / "alembic"))
    cfg.set_main_option("sqlalchemy.url", settings.effective_database_url.replace("%", "%%"))
    cfg.attributes["settings"] = settings
    return cfg


def migrate(settings: Settings, revision: str = "head") -> None:
    from alembic import command as alembic_command

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    alembic_command.upgrade(alembic_config(settings), revision)  # type: ignore[arg-type]


@command("migrate")
def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings)
    print("Database is up to date.")
    return 0


@command("serve")
def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.main import create_app

    if not _sqlite_sound(settings):
        return 1
    if args.no_scheduler:
        settings = settings.model_copy(update={"scheduler_enabled": False})
    app = create_app(settings)
    if settings.is_sqlite:
        app.state.integrity = "ok"  # /health tells it
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True)
    return 0


def _sqlite_sound(settings: Settings) -> bool:
    """On SQLite, `PRAGMA quick_check` of the database file before the app starts; prints
    what is wrong and what to do when it fails."""
    from app import sqlite_file

    path = sqlite_file.database_path(settings)
    if path is None or not path.exists():
        return True
    problems = sqlite_file.integrity_problems(path, quick=True)
    if problems:
        print(f"The database {path} failed its integrity check (PRAGMA quick_check):")
        print("\n".join(f"  {problem}" for problem in problems))
        print("Overgang was not started. Restore the latest backup with "
              "`overgang restore BACKUP_FILE` (README, Operations).")
    return not problems


@command("restore")
def _restore(args: argparse.Namespace, settings: Settings) -> int:
    """SQLite only: exit 0 restored, 1 refused (the database is left as it was)."""
    from app import sqlite_file

    target = sqlite_file.database_path(settings)
    if target is None:
        print("DATABASE_URL is PostgreSQL: restore with pg_restore (README, Operations).")
        return 1
    if target.exists() and not args.force:
        print(f"{target} exists. Stop the app, then run the command again with --force to "
              "replace it with the backup.")
        return 1
    try:
        sqlite_file.restore(Path(args.file), target)
    except sqlite_file.RestoreError as exc:
        print(f"{exc}\nNothing was restored; {target} is as it was.")
        return 1
    print(f"Restored {args.file} into {target}: integrity check ok. Run `overgang migrate` "
          "if the backup is from an older version.")
    return 0


@command("scheduler")
def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from app import jobs
    from app.db import make_engine

    engine = make_engine(settings)
    jobs.run_all(engine, settings)
    print("Scheduler started; press Ctrl+C to stop.")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        jobs.build_scheduler(settings, engine, blocking=True).start()
    return 0


@command("mail-receiver")
def _mail_receiver(args: argparse.Namespace, settings: Settings) -> int:
    import threading

    from app import mail_receiver
    from app.db import make_engine

    if not settings.reply_address:
        print("Set REPLY_ADDRESS (the reply mailbox's address) first.", file=sys.stderr)
        return 2
    receiver = mail_receiver.start(make_engine(settings), settings, host=args.host,
                                   port=args.port, lmtp=args.lmtp)
    print(f"Receiving mail for {settings.reply_address} by {'LMTP' if args.lmtp else 'SMTP'} "
          f"on {receiver.hostname}:{receiver.port}; press Ctrl+C to stop.")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        threading.Event().wait()
    receiver.stop()
    return 0


@command("run-jobs")
def _run_jobs(args: argparse.Namespace, settings: Settings) -> int:
    from app import jobs
    from app.db import make_engine

    today = date.fromisoformat(args.today) if args.today else None
    results = jobs.run_all(make_engine(settings), settings, today)
    for name, result in results.items():
        print(f"{name}: {result}")
    return 1 if "failed" in results.values() else 0


@command("create-user")
def _create_user(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, unit_of_work
    from app.models.user import Role
    from app.services import auth, users

    password = args.password or getpass.getpass("Password: ")
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        print(f"The password must be at least {auth.MIN_PASSWORD_LENGTH} characters.")
        return 2
    with unit_of_work(make_engine(settings)) as session:
        if users.username_exists(session, args.username):
            print(f"The username {args.username!r} is taken.")
            return 2
        auth.create_user(
            session, username=args.username, full_name=args.full_name or args.username,
            email=args.email, role=Role(args.role), password=password,
        )
    print(f"Created {args.username} ({args.role}).")
    return 0


@command("create-token")
def _create_token(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import select

    from app.db import make_engine, unit_of_work
    from app.models.user import User
    from app.services import auth

    with unit_of_work(make_engine(settings)) as session:
        user = session.exec(select(User).where(User.username == args.username)).first()
        if user is None:
            print(f"No user named {args.username!r}.")
            return 2
        token = auth.issue_api_token(session, user, args.name)
    print(token)
    return 0


@command("import-youths")
def _import_youths(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the file was imported (or would be), 1 when rows have errors, 2 when the
    user or the file cannot be used. Prints line numbers and reasons, never a cell's value."""
    from sqlmodel import func, select

    from app import clock, i18n
    from app.db import make_engine, unit_of_work
    from app.models.user import User
    from app.services import youth_import

    try:
        with Path(args.file).open("rb") as handle:
            raw = handle.read(youth_import.MAX_BYTES + 1)
    except OSError as exc:
        print(f"The file cannot be read: {exc.strerror or 'unknown error'}.")
        return 2
    # hide_parameters: a database error must not print a row's values (a CPR number).
    engine = make_engine(settings, hide_parameters=True)
    try:
        with unit_of_work(engine) as session:
            user = session.exec(
                select(User).where(func.lower(User.username) == args.as_user.strip().lower())
            ).first()
            if user is None:
                print(f"No user named {args.as_user!r}.")
                return 2
            if not youth_import.may_import(user):
                print(f"{user.username} may not import young people: an active coordinator, "
                      "administrator or children's caseworker account is needed.")
                return 2
            today = clock.now().astimezone(settings.tz).date()
            with i18n.locale(settings.default_locale):
                if args.dry_run:
                    report = youth_import.check(session, settings, raw, today)
                else:
                    report = youth_import.run(session, settings, user, raw, today)
                lines = youth_import.format_report(report)
    finally:
        engine.dispose()
    print("\n".join(lines))
    if report.file_errors:
        return 2
    if report.errors:
        print("Nothing was imported." if not args.dry_run else "Dry run: nothing was written.")
        return 1
    if args.dry_run:
        print("Dry run: nothing was written.")
    else:
        print(f"Imported {report.imported} young people.")
    return 0


@command("recompute-timeline")
def _recompute_timeline(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, unit_of_work
    from app.services import timeline

    engine = make_engine(settings)
    try:
        with unit_of_work(engine) as session:
            count = timeline.recompute_all(session, settings)
    finally:
        engine.dispose()
    print(f"Recomputed the due dates of {count} young people.")
    return 0


@command("seed-demo")
def _seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from seeds import demo

    return demo.main(settings, if_empty=args.if_empty)


@command("outbox")
def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, unit_of_work
    from app.models.outbox import OutboxStatus
    from app.services import outbox

    engine = make_engine(settings)
    try:
        if args.retry is not None:
            with unit_of_work(engine) as session:
                count = outbox.retry(session, settings, args.retry or None)
            print(f"{count} failed message(s) queued again.")
        if args.send:
            print(outbox.send_due(engine, settings))
        status = OutboxStatus(args.status) if args.status else None
        with unit_of_work(engine) as session:
            messages = outbox.listing(session, status=status, limit=args.limit)
    finally:
        engine.dispose()
    for message in messages:
        error = f"  {message.last_error}" if message.last_error else ""
        print(f"{message.id}\t{message.status.value}\t{message.kind.value}\t"
              f"{message.attempts}\t{message.next_attempt_at:%Y-%m-%d %H:%M}Z\t"
              f"{message.message_id}{error}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="overgang", description="Overgang")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app (with the scheduler in-process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-scheduler", action="store_true")
    sub.add_parser("scheduler", help="run the scheduled jobs in this process")
    receiver = sub.add_parser(
        "mail-receiver", help="receive the answers sent to the reply mailbox (SMTP or LMTP)")
    receiver.add_argument("--host", help="address to listen on (MAIL_RECEIVER_HOST)")
    receiver.add_argument("--port", type=int, help="port to listen on (MAIL_RECEIVER_PORT)")
    receiver.add_argument("--lmtp", action="store_true",
                          help="speak LMTP (delivery from the municipality's mail server)")
    sub.add_parser("migrate", help="apply database migrations")
    run_jobs = sub.add_parser("run-jobs", help="run every job once")
    run_jobs.add_argument("--today", help="run as of this day (YYYY-MM-DD)")
    create_user = sub.add_parser("create-user", help="create a user account")
    create_user.add_argument("username")
    create_user.add_argument(
        "--role", required=True,
        choices=["child_caseworker", "adult_caseworker", "coordinator", "admin"],
    )
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--full-name", default="")
    create_user.add_argument("--password", help="read from the terminal when left out")
    token = sub.add_parser("create-token", help="issue an API token for a user")
    token.add_argument("username")
    token.add_argument("--name", default="integration")
    import_youths = sub.add_parser(
        "import-youths",
        help="import young people from a CSV file (all rows or none)",
        description="Import young people from a CSV file exported from the children's case "
        "system. The import is all or nothing: if any row has an error, nothing is written. "
        "Exit status: 0 imported (or would be), 1 rows with errors, 2 unusable user or file.",
    )
    import_youths.add_argument("file", metavar="FILE.csv")
    import_youths.add_argument(
        "--as", dest="as_user", required=True, metavar="USERNAME",
        help="the user the import is made as (coordinator, administrator or children's "
        "caseworker)",
    )
    import_youths.add_argument(
        "--dry-run", action="store_true", help="check the file and report; write nothing",
    )
    sub.add_parser(
        "recompute-timeline",
        help="recompute every young person's step due dates (after changing FLAG_AGE)",
    )
    box = sub.add_parser(
        "outbox", help="list outgoing messages; retry failed ones",
        description="Lists the outbox, newest first (id, status, kind, attempts, next "
        "attempt, Message-ID, last error). Recipients and texts are not printed.",
    )
    box.add_argument("--status", choices=["pending", "sent", "failed", "manual"])
    box.add_argument("--limit", type=int, default=50)
    box.add_argument("--retry", type=int, nargs="*", metavar="ID",
                     help="queue failed messages again (all failed ones when no ID is given)")
    box.add_argument("--send", action="store_true", help="send the due messages now")
    restore = sub.add_parser(
        "restore", help="replace the SQLite database with a backup, checked first",
        description="Replaces the SQLite database with a copy of FILE made with SQLite's "
        "backup API, after removing the database's -wal and -shm files. The copy must pass "
        "PRAGMA integrity_check and foreign_key_check, or nothing is changed. Refused while "
        "the app has the database open. Exit status: 0 restored, 1 refused.",
    )
    restore.add_argument("file", metavar="FILE", help="a backup made with sqlite3 .backup")
    restore.add_argument("--force", action="store_true",
                         help="replace the database that is there now")
    seed = sub.add_parser("seed-demo", help="load the demo municipality")
    seed.add_argument("--if-empty", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # One line per job run every minute would drown what matters; failures still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    settings = load_settings()
    return _COMMANDS[args.command](args, settings)


if __name__ == "__main__":
    sys.exit(main())
