"""A 10,000-row CSV import on SQLite while the web app keeps writing.

Three processes share one SQLite file:

* the import (`services.youth_import.run`, as the upload page and `overgang import-youths`
  call it) of `--rows` valid young people;
* a "web" writer that every `--interval` seconds commits a small write transaction the
  way a page does (an audit row through the app's engine: WAL, 10 s busy timeout) and
  records how long it took and whether it failed with "database is locked";
* a probe that tries `BEGIN IMMEDIATE` without waiting every few milliseconds; the longest
  unbroken run of refusals is the longest time the write lock was held.

    python -m bench.import_lock [--rows 10000] [--interval 0.1]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from app.cli import migrate
from app.db import make_engine, new_session, unit_of_work
from app.models.audit import AuditAction
from app.models.user import Role, User
from app.services import audit, auth, youth_import
from app.settings import Settings
from bench.common import bench_settings, table
from seeds import data

TODAY = date(2026, 3, 2)
PROBE_EVERY = 0.005


@dataclass
class Writes:
    latencies_ms: list[float]  # every attempt, failed ones too
    locked: int

    def row(self) -> list[str]:
        done = sorted(self.latencies_ms) or [0.0]
        p95 = done[min(len(done) - 1, round(0.95 * (len(done) - 1)))]
        return [str(len(self.latencies_ms)), str(self.locked),
                f"{statistics.median(done):.0f}", f"{p95:.0f}", f"{done[-1]:.0f}"]


def _csv(rows: int) -> bytes:
    """`rows` valid young people born 2009-2011, each with a distinct CPR number."""
    lines = ["cpr;fornavn;efternavn;adresse;postnummer;by;sagsbehandler;voksenstoette"]
    first_day = date(2009, 1, 1)
    for i in range(rows):
        born = first_day + timedelta(days=i % 1000)
        cpr = data.fictitious_cpr(born, i // 1000)
        postal, town = data.TOWNS[i % len(data.TOWNS)]
        first = data.GIRLS_FIRST_NAMES[i % len(data.GIRLS_FIRST_NAMES)]
        last = data.LAST_NAMES[i % len(data.LAST_NAMES)]
        street = data.STREETS[i % len(data.STREETS)]
        lines.append(f"{cpr[:6]}-{cpr[6:]};{first};{last};{street} {i % 90 + 1};{postal};"
                     f"{town};bench-sagsbehandler;ikke vurderet")
    return ("\n".join(lines) + "\n").encode()


def _web_writer(settings: Settings, interval: float, stop: Event, out: Connection) -> None:
    engine = make_engine(settings)
    latencies: list[float] = []
    locked = 0
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with new_session(engine) as session:
                audit.record(session, AuditAction.READ, user_id=None, object_type="bench")
                session.commit()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            locked += 1
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(max(0.0, interval - (time.perf_counter() - started)))
    engine.dispose()
    out.send(Writes(latencies, locked))


def _probe(path: str, stop: Event, out: Connection) -> None:
    """The longest unbroken time `BEGIN IMMEDIATE` was refused, in milliseconds."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    longest = 0.0
    busy_since: float | None = None
    while not stop.is_set():
        now = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            if busy_since is not None:
                longest = max(longest, now - busy_since)
                busy_since = None
        except sqlite3.OperationalError:
            busy_since = now if busy_since is None else busy_since
        time.sleep(PROBE_EVERY)
    conn.close()
    out.send(longest * 1000)


def _setup(settings: Settings) -> None:
    migrate(settings)
    engine = make_engine(settings)
    with new_session(engine) as session:
        for name, role in (("bench-import", Role.COORDINATOR),
                           ("bench-sagsbehandler", Role.CHILD_CASEWORKER)):
            auth.create_user(session, username=name, full_name=name, role=role,
                             email=f"{name}@bench.example", password="bench-password-123")
        session.commit()
    engine.dispose()


def _import(settings: Settings, raw: bytes) -> tuple[float, int]:
    engine = make_engine(settings)
    started = time.perf_counter()
    with unit_of_work(engine) as session:  # as the upload page's request
        user = session.exec(select(User).where(User.username == "bench-import")).one()
        report = youth_import.run(session, settings, user, raw, TODAY)
    elapsed = time.perf_counter() - started
    engine.dispose()
    if not report.ok:
        raise RuntimeError(f"the generated file has errors: {report.errors[:3]}")
    return elapsed, report.imported


def run(rows: int, interval: float) -> list[str]:
    raw = _csv(rows)
    with tempfile.TemporaryDirectory(prefix="overgang-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        settings = bench_settings(Path(tmp), f"sqlite:///{path}")
        _setup(settings)
        stop = multiprocessing.Event()
        writes_in, writes_out = multiprocessing.Pipe(duplex=False)
        probe_in, probe_out = multiprocessing.Pipe(duplex=False)
        workers = [
            multiprocessing.Process(target=_web_writer,
                                    args=(settings, interval, stop, writes_out)),
            multiprocessing.Process(target=_probe, args=(str(path), stop, probe_out)),
        ]
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        elapsed, imported = _import(settings, raw)
        time.sleep(1.0)
        stop.set()
        writes: Writes = writes_in.recv()
        longest_hold: float = probe_in.recv()
        for worker in workers:
            worker.join()
    return [f"{imported:,}", f"{elapsed:.1f}", f"{longest_hold:,.0f}", *writes.row()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=0.1)
    args = parser.parse_args(argv)
    result = run(args.rows, args.interval)
    print(table(["imported", "import s", "longest write lock ms", "web writes",
                 "'database is locked'", "median ms", "p95 ms", "max ms"], [result]))


if __name__ == "__main__":
    main()
