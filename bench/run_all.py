"""Every benchmark with its default sizes: `make bench` (PostgreSQL parts are skipped when
BENCH_DATABASE_URL, default the local `test` database, cannot be reached).

Exit status 1 when a benchmark misses its target. This takes several minutes: each
benchmark generates its own databases of up to 100,000 young people.
"""

from __future__ import annotations

import sys

from bench import flagging, list_page, overview, sqlite_concurrency


def main() -> int:
    print("== SQLite, concurrent writers ==")
    sqlite_concurrency.main([])
    print("\n== The register's list page ==")
    status = list_page.main([])
    print("\n== The flagging job ==")
    status |= flagging.main([])
    print("\n== The monthly overview ==")
    status |= overview.main([])
    return status


if __name__ == "__main__":
    sys.exit(main())
