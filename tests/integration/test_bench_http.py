"""The HTTP benchmark's floor: the captured page plus exactly one SQL query per request,
against the app's own database and session. No timings are asserted."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event

from app.models.user import Role
from bench import http_ceiling, http_floor
from bench.http_ceiling import Page
from tests.conftest import login, make_user


def test_the_floor_serves_the_page_after_one_query_for_the_session(
    client, session, engine, tmp_path: Path
):
    make_user(session, Role.COORDINATOR, "koordinator")
    login(client, "koordinator")
    cookie = client.cookies["overgang_session"]
    body = "<h1>Månedsoverblik</h1>\n".encode()
    http_ceiling.write_pages(tmp_path / "pages.json", {
        (cookie, "/overview"): Page(200, {"content-type": "text/html; charset=utf-8"}, body)})
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement))
    floor = TestClient(http_floor.create_app(tmp_path / "pages.json", engine))

    floor.cookies.set("overgang_session", cookie)
    response = floor.get("/overview")

    assert response.status_code == 200 and response.content == body
    assert len(statements) == 1 and "user_session" in statements[0]
    statements.clear()
    floor.cookies.set("overgang_session", "no-such-session")
    refused = floor.get("/overview")
    assert refused.status_code == 401 and len(statements) == 1
