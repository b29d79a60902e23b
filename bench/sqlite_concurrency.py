"""Concurrent read-then-write transactions on one SQLite file from several processes.

Compares the engine the app uses (the driver begins the transaction at the first write)
with an explicit deferred BEGIN at the start of every transaction, the pattern that fails
with "database is locked" when a reader upgrades to a writer.

    python -m bench.sqlite_concurrency [--processes 4] [--transactions 300]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from app.cli import migrate
from app.db import make_engine
from app.settings import Settings


def _settings(directory: Path) -> Settings:
    return Settings(data_dir=directory, database_url=f"sqlite:///{directory / 'c.db'}",
                    secret_key="bench-" + "x" * 40)


def _worker(args: tuple[str, str, int]) -> tuple[int, int]:
    directory, mode, count = args
    engine = make_engine(_settings(Path(directory)))
    if mode == "deferred-begin":
        @event.listens_for(engine, "connect")
        def _autocommit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

    ok = locked = 0
    for _ in range(count):
        try:
            with engine.begin() as conn:
                conn.execute(text("SELECT count(*) FROM audit_event")).scalar()
                conn.execute(text(
                    "INSERT INTO audit_event (at, action, object_type, object_id, client_addr,"
                    " detail) VALUES (CURRENT_TIMESTAMP, 'read', 'bench', '', '', '')"
                ))
            ok += 1
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            locked += 1
    engine.dispose()
    return ok, locked


def run(mode: str, processes: int, transactions: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        migrate(_settings(Path(directory)))
        started = time.perf_counter()
        with multiprocessing.Pool(processes) as pool:
            results = pool.map(_worker, [(directory, mode, transactions)] * processes)
        elapsed = time.perf_counter() - started
    ok = sum(r[0] for r in results)
    locked = sum(r[1] for r in results)
    print(f"{mode:16} {processes} processes x {transactions}: {ok} committed, "
          f"{locked} 'database is locked', {ok / elapsed:.0f} tx/s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--transactions", type=int, default=300)
    args = parser.parse_args(argv)
    for mode in ("app-engine", "deferred-begin"):
        run(mode, args.processes, args.transactions)


if __name__ == "__main__":
    main()
