"""What the benchmarks share: a generated database on SQLite or PostgreSQL, timing, output.

SQLite databases live in a temporary directory; PostgreSQL ones in a fresh schema of the
database named by BENCH_DATABASE_URL (default: the local `test` database), dropped after.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from app.cli import migrate
from app.db import make_engine
from app.settings import PROJECT_ROOT, Environment, MailBackend, Settings
from bench.generate import BENCH_PASSWORD, generate

KEPT_DIR = PROJECT_ROOT / "data" / "bench"
PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def bench_settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        environment=Environment.DEVELOPMENT,
        data_dir=data_dir,
        database_url=database_url,
        secret_key="bench-secret-key-" + "b" * 32,
        scheduler_enabled=False,
        mail_backend=MailBackend.FILE,
        public_base_url="http://bench.example",
    )


@contextmanager
def generated_database(backend: str, n: int, today: date) -> Iterator[Settings]:
    """A migrated database holding `n` generated young people, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="overgang-bench-") as tmp:
        data_dir = Path(tmp)
        if backend == "sqlite":
            settings = bench_settings(data_dir, f"sqlite:///{data_dir / 'bench.db'}")
            _fill(settings, n, today)
            yield settings
            return
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            settings = bench_settings(data_dir, pg_schema_url(schema))
            _fill(settings, n, today)
            yield settings
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


def pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def kept_database(backend: str, n: int, today: date, *, rebuild: bool = False) -> Settings:
    """A database of `n` generated young people that outlives the run, generated the first
    time and reused after (migrated to the newest revision): a SQLite file under
    data/bench/, a schema `bench_kept_<n>` on PostgreSQL. `rebuild` generates it anew."""
    data_dir = KEPT_DIR / f"{backend}-{n}"
    data_dir.mkdir(parents=True, exist_ok=True)
    ready = data_dir / "generated-on"
    if backend == "sqlite":
        settings = bench_settings(data_dir, f"sqlite:///{data_dir / 'bench.db'}")
        if rebuild or not ready.exists():
            ready.unlink(missing_ok=True)
            for name in ("bench.db", "bench.db-wal", "bench.db-shm"):
                (data_dir / name).unlink(missing_ok=True)
            _fill(settings, n, today)
            ready.write_text(today.isoformat())
        else:
            migrate(settings)
            print(f"  reusing {n:,} young people generated on {ready.read_text()} "
                  f"({data_dir / 'bench.db'})")
        return settings
    schema = f"bench_kept_{n}"
    settings = bench_settings(data_dir, pg_schema_url(schema))
    admin = create_engine(PG_URL)
    try:
        generated = _schema_comment(admin, schema)
        if rebuild or not generated:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            _fill(settings, n, today)
            with admin.begin() as conn:
                conn.execute(text(f"COMMENT ON SCHEMA {schema} IS '{today.isoformat()}'"))
        else:
            migrate(settings)
            print(f"  reusing {n:,} young people generated on {generated} (schema {schema})")
    finally:
        admin.dispose()
    return settings


def _schema_comment(admin: Engine, schema: str) -> str:
    """The day a kept schema's data was generated; empty when it is missing or unfinished."""
    with admin.connect() as conn:
        comment = conn.execute(text(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = :s"
        ), {"s": schema}).scalar()
    return comment or ""


def _fill(settings: Settings, n: int, today: date) -> None:
    migrate(settings)
    engine = make_engine(settings)
    started = time.perf_counter()
    try:
        generate(engine, settings, n, today=today)
    finally:
        engine.dispose()
    print(f"  generated {n:,} young people in {time.perf_counter() - started:.1f} s")


def login(client: httpx.Client, username: str) -> None:
    page = client.get("/login")
    token = _CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    response = client.post("/login", data={
        "username": username, "password": BENCH_PASSWORD, "csrf_token": token.group(1),
    }, follow_redirects=False)
    if response.status_code != 303:
        raise RuntimeError(f"login as {username} failed: {response.status_code}")


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    runs: int


def measure(action: Callable[[], object], *, runs: int, warmup: int = 3) -> Timing:
    """Runs `action` `warmup` times untimed, then `runs` times; milliseconds."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95, runs)


def pg_available() -> bool:
    try:
        engine = create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


PAGE_TARGET_MS = 150.0
PAGE_HEADERS = ["backend", "young people", "request", "median ms", "p95 ms",
                f"< {PAGE_TARGET_MS:.0f} ms"]


def page_main(argv: list[str] | None, doc: str | None, default_runs: int,
              run: Callable[[str, int, int], list[list[str]]]) -> int:
    """The command line shared by the page benchmarks: --n, --runs, --backend; a table of
    medians at the end; exit status 1 when a median misses the target."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=default_runs)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    for backend in BACKENDS if args.backend == "both" else (args.backend,):
        if backend == "postgresql" and not pg_available():
            print("postgresql: not reachable (set BENCH_DATABASE_URL); skipped")
            continue
        rows += run(backend, args.n, args.runs)
    print()
    print(table(PAGE_HEADERS, rows))
    return 0 if all(r[-1] == "ok" for r in rows) else 1


def page_row(backend: str, n: int, label: str, timing: Timing) -> list[str]:
    print(f"  {label}: median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms")
    verdict = "ok" if timing.median_ms < PAGE_TARGET_MS else "SLOW"
    return [backend, f"{n:,}", label, f"{timing.median_ms:.1f}", f"{timing.p95_ms:.1f}",
            verdict]
