"""The register's list page with many young people: server time per request, medians.

    python -m bench.list_page [--n 100000] [--runs 30] [--backend sqlite|postgresql|both]

Target: the list page answers within 150 ms (median) with 100,000 young people. Each
request goes through the whole app in-process (routing, authentication, the access rule,
the count, the page query, the audit row, template rendering) without a network, so the
time measured is the server's time.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from bench.common import generated_database, login, measure, page_main, page_row

# (label, user, query string): the register as coordinators and caseworkers use it.
SCENARIOS = (
    ("coordinator, first page", "bench-koordinator-0001", ""),
    ("coordinator, page 400", "bench-koordinator-0001", "page=400"),
    ("coordinator, name search", "bench-koordinator-0001", "q=nielsen"),
    ("coordinator, age 17½-18, active", "bench-koordinator-0001", "age=17_5&status=active"),
    ("coordinator, adult department", "bench-koordinator-0001", "department=adults"),
    ("coordinator, overdue", "bench-koordinator-0001", "overdue=1"),
    ("coordinator, flagged this month", "bench-koordinator-0001", "flagged=month"),
    ("children's caseworker, own view", "bench-boern-0001", ""),
    ("adult caseworker, own view", "bench-voksen-0001", ""),
)


def run(backend: str, n: int, runs: int) -> list[list[str]]:
    print(f"{backend}: list page with {n:,} young people")
    with generated_database(backend, n, _today()) as settings:
        return measure_on(settings, backend, n, runs)


def measure_on(settings: Settings, backend: str, n: int, runs: int) -> list[list[str]]:
    """The scenarios against an already generated database."""
    rows = []
    app = create_app(settings)
    clients: dict[str, TestClient] = {}
    try:
        for label, username, query in SCENARIOS:
            client = clients.get(username)
            if client is None:
                client = clients[username] = TestClient(app).__enter__()
                login(client, username)

            def request(client: TestClient = client, query: str = query) -> None:
                response = client.get(f"/youths?{query}")
                if response.status_code != 200:
                    raise RuntimeError(f"/youths?{query}: {response.status_code}")

            rows.append(page_row(backend, n, label, measure(request, runs=runs)))
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)
    return rows


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/Copenhagen")).date()


def main(argv: list[str] | None = None) -> int:
    return page_main(argv, __doc__, 30, run)


if __name__ == "__main__":
    sys.exit(main())
