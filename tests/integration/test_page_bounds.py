"""Pages do not grow with the register: with a couple of thousand generated young people
(and five hundred for each children's caseworker, as at 100,000), each page issues a bounded
number of statements, loads a bounded number of rows as objects and stays under 100 KB.
No timings are asserted (bench/http.py measures those)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

import bench.generate as bench
from app.models.network import NetworkMember
from app.settings import Settings
from tests.conftest import login

MAX_BYTES = 100_000
# (user, path, statements at most, objects loaded at most)
PAGES = [
    ("bench-koordinator-0001", "/youths", 8, 30),
    ("bench-koordinator-0001", "/youths?page=40", 8, 30),
    ("bench-koordinator-0001", "/youths?q=nielsen", 8, 30),
    ("bench-koordinator-0001", "/youths?sort=next_due&order=desc&page=40", 8, 30),
    ("bench-koordinator-0001", "/youths?sort=turns18&status=active", 8, 30),
    ("bench-boern-0001", "/youths", 8, 30),
    ("bench-koordinator-0001", "/youths/{youth}", 19, 80),
    ("bench-koordinator-0001", "/youths/{youth}/network", 8, 20),
    ("bench-koordinator-0001", "/tasks", 15, 10),
    ("bench-boern-0001", "/tasks", 15, 140),
    ("bench-boern-0001", "/tasks?show=steps", 15, 300),
    ("bench-koordinator-0001", "/overview", 36, 5),
    ("bench-koordinator-0001", "/api/v1/youths", 6, 30),
    # The start page: a few lists of START_SHOWN; the status updates due are found per
    # agreed frequency, START_SHOWN of each.
    ("bench-koordinator-0001", "/", 7, 5),
    ("bench-boern-0001", "/", 10, 40),
]
# Every page for staff counts the tasks beside "My tasks" in the navigation: one statement.
NAV_COUNT_STATEMENTS = 1


@pytest.fixture
def generated(engine: Engine, settings: Settings, session: Session, today: date) -> int:
    bench.generate(engine, settings, 2000, today=today, seed=3)
    youth = session.exec(select(NetworkMember.youth_id).order_by(  # type: ignore[call-overload]
        NetworkMember.youth_id)).first()
    return int(youth[0])


def _get_counting(client: TestClient, url: str) -> tuple[Response, list[str], Counter[str]]:
    """GET `url`, with the SQL statements every engine ran (the app's own too) and the rows
    loaded as ORM objects, by class."""
    statements: list[str] = []
    loaded: Counter[str] = Counter()

    def count_statement(*args: object) -> None:
        statements.append(str(args[2]))

    def count_object(_session: object, instance: object) -> None:
        loaded[type(instance).__name__] += 1

    event.listen(Engine, "before_cursor_execute", count_statement)
    event.listen(OrmSession, "loaded_as_persistent", count_object)
    try:
        response = client.get(url)
    finally:
        event.remove(Engine, "before_cursor_execute", count_statement)
        event.remove(OrmSession, "loaded_as_persistent", count_object)
    return response, statements, loaded


@pytest.mark.parametrize(("username", "path", "most_statements", "most_objects"), PAGES)
def test_a_page_reads_and_writes_a_bounded_amount_at_two_thousand_young_people(
    client: TestClient, engine: Engine, generated: int, username: str, path: str,
    most_statements: int, most_objects: int,
) -> None:
    login(client, username, bench.BENCH_PASSWORD)
    url = path.format(youth=generated)
    response, statements, loaded = _get_counting(client, url)

    assert response.status_code == 200
    assert len(response.content) < MAX_BYTES
    assert len(statements) <= most_statements + NAV_COUNT_STATEMENTS, statements
    assert sum(loaded.values()) <= most_objects, loaded


def test_the_csv_of_the_whole_list_is_read_in_chunks_of_columns_not_objects(
    client: TestClient, engine: Engine, generated: int,
) -> None:
    """Every young person the coordinator may see, a few statements per thousand of them and
    no row loaded as an object (the columns only)."""
    login(client, "bench-koordinator-0001", bench.BENCH_PASSWORD)
    response, statements, loaded = _get_counting(client, "/youths/export.csv?sort=next_due")

    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2001  # the header and every young person
    assert len(statements) <= 14, statements  # 2 chunks of 1000: 3 statements each
    assert sum(loaded.values()) <= 3, loaded  # the user and their login session only
