"""The coordinators' monthly overview with many young people: server time, medians.

    python -m bench.overview [--n 100000] [--runs 20] [--backend sqlite|postgresql|both]

Target: the overview answers within 150 ms (median) with 100,000 young people, on SQLite
and on PostgreSQL. Each request goes through the whole app in-process (authentication,
cohort queries, readiness for the rows shown, sections, charts, the audit row, rendering).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from bench.common import generated_database, login, measure, page_main, page_row

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

            rows.append(page_row(backend, n, label, measure(request, runs=runs)))
    return rows


def main(argv: list[str] | None = None) -> int:
    return page_main(argv, __doc__, 20, run)


if __name__ == "__main__":
    sys.exit(main())
