"""The coordinators' monthly overview with many young people: server time, medians.

    python -m bench.overview [--n 100000] [--runs 20] [--backend sqlite|postgresql|both]

Target: the overview answers within 150 ms (median) with 100,000 young people, on SQLite
and on PostgreSQL. Each request goes through the whole app in-process (authentication,
cohort queries, readiness for the rows shown, sections, charts, the audit row, rendering).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from bench.common import BACKENDS, generated_database, login, measure, pg_available, table

TARGET_MS = 150.0
COORDINATOR = "bench-koordinator-0001"


def _scenarios(today: date) -> tuple[tuple[str, str], ...]:
    next_month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return (
        ("this month", "/overview"),
        ("next month", f"/overview?month={next_month:%Y-%m}"),
        ("one caseworker", "/overview?caseworker=1"),
        ("JSON API", "/api/v1/overview"),
    )


def run(backend: str, n: int, runs: int) -> list[list[str]]:
    print(f"{backend}: monthly overview with {n:,} young people")
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    with generated_database(backend, n, today) as settings:
        return measure_on(settings, backend, n, runs)


def measure_on(settings: Settings, backend: str, n: int, runs: int) -> list[list[str]]:
    """The scenarios against an already generated database."""
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    rows = []
    with TestClient(create_app(settings)) as client:
        login(client, COORDINATOR)
        for label, url in _scenarios(today):
            def request(url: str = url) -> None:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code}")

            timing = measure(request, runs=runs)
            verdict = "ok" if timing.median_ms < TARGET_MS else "SLOW"
            print(f"  {label}: median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms")
            rows.append([backend, f"{n:,}", label, f"{timing.median_ms:.1f}",
                         f"{timing.p95_ms:.1f}", verdict])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    for backend in BACKENDS if args.backend == "both" else (args.backend,):
        if backend == "postgresql" and not pg_available():
            print("postgresql: not reachable (set BENCH_DATABASE_URL); skipped")
            continue
        rows += run(backend, args.n, args.runs)
    print()
    print(table(["backend", "young people", "request", "median ms", "p95 ms",
                 f"< {TARGET_MS:.0f} ms"], rows))
    return 0 if all(r[-1] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
