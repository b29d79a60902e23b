"""The HTTP benchmark's own parts that decide its figures: the ceiling answers with the real
app's bytes, the load tool's result line is read, and a profile is attributed to the right
part of the stack. No timings are asserted."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bench import http_ceiling, profile_summary
from bench.http import Memory, PageResult, Round, parse_result, show_json, write_json
from bench.http_ceiling import Page


def _result() -> PageResult:
    result = PageResult("sqlite", "/youths", "/youths", 1000)
    result.rounds["real"] = [Round(100, 10, 40, 90, 0, 2.0, None, 110_000),
                             Round(300, 10, 10, 30, 0, 2.0, None, 330_000)]
    result.rounds["ceiling"] = [Round(400, 10, 5, 9, 0, 0.8, None, 440_000)]
    result.rounds["floor"] = [Round(300, 10, 6, 12, 0, 0.9, None, 330_000)]
    return result


def _pages() -> dict[http_ceiling.PageKey, Page]:
    html = {"content-type": "text/html; charset=utf-8", "x-frame-options": "DENY"}
    return {
        ("coordinator", "/youths"): Page(200, html, "<p>Alle {{ unge }} – 100.000</p>\n".encode()),
        ("caseworker", "/youths"): Page(200, html, b"<p>Mine unge</p>"),
        ("coordinator", "/overview.csv?month=2026-11"): Page(
            200, {"content-type": "text/csv; charset=utf-8"},
            "navn;status\r\nÅse Ørum;aktiv\r\n".encode()),
    }


def test_the_ceiling_answers_each_session_and_url_with_the_captured_bytes(tmp_path: Path):
    pages = _pages()
    http_ceiling.write_pages(tmp_path / "pages.json", pages)
    client = TestClient(http_ceiling.create_app(tmp_path / "pages.json"))

    for (session, url), page in pages.items():
        client.cookies.set("overgang_session", session)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content == page.body
        for header, value in page.headers.items():
            assert response.headers[header] == value
    client.cookies.set("overgang_session", "someone")
    assert client.get("/youths").status_code == 404


def test_the_real_apps_moment_headers_are_not_repeated_by_the_ceiling():
    kept = http_ceiling.kept_headers([
        ("content-type", "text/html"), ("set-cookie", "a=b"), ("date", "today"),
        ("Content-Length", "12"), ("cache-control", "no-store"),
    ])
    assert kept == {"content-type": "text/html", "cache-control": "no-store"}


def test_the_load_tools_result_line_is_read_among_its_other_output():
    output = ("Running 10s test @ http://127.0.0.1:1/youths\n  1 threads and 4 connections\n"
              'WRK_RESULT {"requests": 120, "duration_us": 10000000, "bytes": 5, '
              '"p50_us": 30000, "p90_us": 40000, "p99_us": 90000, "max_us": 95000, '
              '"errors": {"connect": 0, "read": 0, "write": 0, "status": 2, "timeout": 0}}\n')
    result = parse_result(output)
    assert result["requests"] == 120 and result["errors"]["status"] == 2


def test_a_page_result_puts_real_against_ceiling_and_counts_cpu_per_request():
    result = _result()
    assert result.rate("real") == 20  # the median of the rounds' 10 and 30 req/s
    assert result.ratio == 0.5
    assert result.cpu_ms("real") == 10  # 4 s of CPU for 400 requests
    assert result.cpu_ms("real", db=True) is None
    assert result.cpu_ratio == 0.2
    assert result.floor_ratio == 20 / 30
    assert result.errors == 0


def test_a_round_of_short_answers_counts_as_failed():
    result = _result()
    # 200 answers of 300 bytes: redirects to the login page, not the 1000-byte page
    result.rounds["real"].append(Round(200, 10, 1, 2, 0, 0.1, None, 60_000))
    assert result.errors == 200


def test_a_saved_run_prints_the_same_table(tmp_path: Path, capsys):
    write_json(tmp_path / "run.json", [_result()], [Memory("sqlite", "real", 140, 180)],
               "2 young people")
    show_json(tmp_path / "run.json")
    shown = capsys.readouterr().out
    assert "2 young people" in shown
    assert "20 / 40 / 30" in shown and "0.500 LOW" in shown and "180" in shown


PROFILE = "\n".join([
    # an idle worker of the thread pool: left out
    "worker (anyio/_backends/_asyncio.py);Condition.wait (threading.py) 50",
    # SQLite running a statement for the app's service
    "youth_list (app/web/youths.py);list_youths (app/services/youths.py);"
    "Session.execute (sqlalchemy/orm/session.py);"
    "DefaultDialect.do_execute (sqlalchemy/engine/default.py) 30",
    # SQLAlchemy's own Python, building a statement
    "list_youths (app/services/youths.py);"
    "HasCacheKey._generate_cache_key (sqlalchemy/sql/cache_key.py) 20",
    # a lazy load while a template renders is SQL, the rendering around it Jinja2
    "render (app/web/templating.py);root (tasks.html);"
    "Session.execute (sqlalchemy/orm/session.py);wait (psycopg/waiting.py) 10",
    "render (app/web/templating.py);root (tasks.html);"
    "escape (markupsafe/__init__.py) 25",
    # the web stack
    "RequestResponseCycle.send (uvicorn/protocols/http/httptools_impl.py) 15",
]) + "\n"


def test_a_profile_is_split_into_sql_orm_jinja_and_the_web_stack(tmp_path: Path):
    (tmp_path / "profile.txt").write_text(PROFILE)

    summary = profile_summary.summarise(tmp_path / "profile.txt", "tasks")

    assert summary.idle_samples == 50 and summary.busy_samples == 100
    assert dict(summary.parts) == {"SQL in the driver": 40, "SQLAlchemy/SQLModel": 20,
                                   "Jinja2": 25, "web stack": 15}
    assert summary.top[0] == ("DefaultDialect.do_execute (sqlalchemy/engine/default.py)", 30)
    assert dict(summary.sql_callers) == {
        "list_youths (app/services/youths.py)": 30, "root (tasks.html)": 10}
    assert "SQL in the driver 40%" in profile_summary.render(summary)
