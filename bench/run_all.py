"""Every benchmark with its default sizes: `make bench` (PostgreSQL parts are skipped when
BENCH_DATABASE_URL, default the local `test` database, cannot be reached).

One database of 100,000 young people per backend serves the list page, the overview and
the flagging job (which leaves it as it found it); the flagging job also runs on 10,000 to
show that its time follows the due rows, not all rows. Exit status 1 when a benchmark
misses its target. Takes several minutes, mostly generating the data.
"""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bench import flagging, list_page, overview, sqlite_concurrency
from bench.common import BACKENDS, generated_database, pg_available, table

N = 100_000
SMALL = 10_000
DUE = 1_000


def main() -> int:
    print("== SQLite, concurrent writers ==")
    sqlite_concurrency.main([])
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    pages: list[list[str]] = []
    jobs: list[list[str]] = []
    for backend in BACKENDS:
        if backend == "postgresql" and not pg_available():
            print("postgresql: not reachable (set BENCH_DATABASE_URL); skipped")
            continue
        print(f"\n== {backend}, {N:,} young people ==")
        with generated_database(backend, N, today) as settings:
            print("list page:")
            pages += list_page.measure_on(settings, backend, N, 30)
            print("monthly overview:")
            pages += overview.measure_on(settings, backend, N, 20)
            print("flagging job:")
            jobs += flagging.measure_on(settings, backend, N, DUE, 5)
        print(f"\n== {backend}, {SMALL:,} young people ==")
        jobs += flagging.run(backend, SMALL, DUE, 5)
    print()
    print(table(["backend", "young people", "request", "median ms", "p95 ms", "< 150 ms"],
                pages))
    print()
    print(table(["backend", "young people", "run", "median ms", "min ms", "max ms",
                 "< 1000 ms"], jobs))
    return 0 if all(r[-1] == "ok" for r in pages + jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
