"""The SQLite database file: its integrity check, whether a process has it open, restoring
a backup.

A backup must never be copied over the file while an old `-wal` file lies beside it: at the
next start SQLite replays that write-ahead log onto the restored pages, and the result is a
database with rows missing from its indexes and wrong counts that still opens and answers.
`restore` removes the `-wal` and `-shm` files, copies the backup with SQLite's backup API
into a new file next to the database, checks that copy (`PRAGMA integrity_check` and
`PRAGMA foreign_key_check`) and only then moves it into place.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from app.settings import Settings

# SQLite's dead-man switch: every connection to a database in WAL mode holds a shared lock
# on this byte of the `-shm` file while it is open (UNIX_SHM_DMS in SQLite's os_unix.c).
_SHM_DMS_BYTE = 128
_SIDE_FILES = ("-wal", "-shm", "-journal")
_PROBLEMS_SHOWN = 10


class RestoreError(Exception):
    """The restore was refused; the database was left as it was."""


def database_path(settings: Settings) -> Path | None:
    """The SQLite file the app uses, or None on PostgreSQL."""
    if not settings.is_sqlite:
        return None
    name = make_url(settings.effective_database_url).database
    return Path(name) if name else None


def integrity_problems(path: Path, *, quick: bool = False) -> list[str]:
    """What `PRAGMA integrity_check` (or the faster `quick_check`, which does not compare the
    indexes with the tables) and `PRAGMA foreign_key_check` find wrong; [] when nothing."""
    conn = sqlite3.connect(path)
    try:
        rows = [str(row[0]) for row in conn.execute(
            f"PRAGMA {'quick_check' if quick else 'integrity_check'}({_PROBLEMS_SHOWN})")]
        problems = [] if rows == ["ok"] else rows
        if not quick:
            problems += [
                f"{table} row {rowid} refers to a missing row in {parent}"
                for table, rowid, parent, _key in conn.execute("PRAGMA foreign_key_check")
            ][:_PROBLEMS_SHOWN]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    finally:
        conn.close()
    return problems


def in_use(path: Path) -> bool:
    """True when another process has the database open and has used it (a running
    `overgang serve` or `overgang scheduler`, or a `sqlite3` shell). SQLite itself tells
    whether it is the only user this way."""
    shm = Path(f"{path}-shm")
    if not shm.exists():
        return False
    with shm.open("r+b") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
    return False


def _remove(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _copy(backup: Path, destination: Path) -> None:
    """The backup, page by page through SQLite's backup API (as `sqlite3 .restore` does)."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"{backup} cannot be read as an SQLite database: {exc}.") from exc
    finally:
        target.close()
        source.close()


def restore(backup: Path, database: Path) -> None:
    """Replaces `database` with a checked copy of `backup`; raises RestoreError, and leaves
    the database as it was, when the app is running or the copy fails its checks."""
    if not backup.is_file():
        raise RestoreError(f"There is no backup file {backup}.")
    if backup.resolve() == database.resolve():
        raise RestoreError("The backup is the database itself.")
    if in_use(database):
        raise RestoreError(f"{database} is in use: stop `overgang serve` and `overgang "
                           "scheduler` (and any sqlite3 shell on it) first.")
    staging = database.with_name(f"{database.name}.restoring")
    _remove(staging)
    try:
        _copy(backup, staging)
        if problems := integrity_problems(staging):
            raise RestoreError(f"{backup} failed the integrity check:\n  "
                               + "\n  ".join(problems[:_PROBLEMS_SHOWN]))
        for suffix in _SIDE_FILES:
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(staging, database)
    finally:
        _remove(staging)
