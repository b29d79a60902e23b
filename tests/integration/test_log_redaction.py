"""The access log of the real server (``overgang serve``, uvicorn) never holds a reply token
or a feed token: the request line shows ``[redacted]`` in its place."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.cli import migrate
from app.domain.meeting import reply_token
from app.web.log_redaction import redact
from tests.conftest import make_settings
from tests.unit.test_reply_token import _legacy

EXPIRES = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, bytes]]:
    url = f"sqlite:///{tmp_path / 'overgang.db'}"
    settings = make_settings(tmp_path, url)
    migrate(settings)
    port, log = _free_port(), tmp_path / "server.log"
    env = {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": url,
           "SECRET_KEY": settings.secret_key, "ENVIRONMENT": "test"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--no-scheduler"],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base, log, settings.key
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_access_log_never_holds_a_reply_or_feed_token(server):
    base, log, key = server
    token = reply_token(key, 41, 7, EXPIRES)
    legacy = _legacy(key, 41, 7, EXPIRES)
    feed = "Zk3" + "a" * 40
    assert httpx.get(f"{base}/meetings/reply/{token}?answer=accepted").status_code == 200
    assert httpx.get(f"{base}/meetings/reply/{legacy}").status_code == 200
    assert httpx.get(f"{base}/meetings/reply/{token}x").status_code == 400
    assert httpx.get(f"{base}/feeds/{feed}.ics").status_code == 404
    for q in ("180812-4559", "1808124559", "180812 4559"):  # a CPR number in the name search
        assert httpx.get(f"{base}/youths", params={"q": q}).status_code in (303, 400)
    httpx.get(f"{base}/health")  # the line after the last one checked
    for _ in range(50):
        if '"GET /health' in log.read_text():
            break
        time.sleep(0.1)
    text = log.read_text()
    assert '"GET /meetings/reply/[redacted]?answer=accepted HTTP/1.1" 200' in text, text
    assert text.count('"GET /meetings/reply/[redacted] HTTP/1.1"') == 2
    assert '"GET /feeds/[redacted].ics HTTP/1.1" 404' in text
    assert text.count('"GET /youths?q=[cpr] HTTP/1.1"') == 3, text
    for secret in (token, legacy, "1806224400", feed, "4559"):
        assert secret not in text


def test_redact_keeps_the_rest_of_the_line():
    line = '10.0.0.1:5000 - "GET /meetings/reply/41.7.1806224400.abc?answer=declined HTTP/1.1"'
    assert redact(line) == ('10.0.0.1:5000 - "GET /meetings/reply/[redacted]?answer=declined '
                            'HTTP/1.1"')
    assert redact("/meetings/42/edit /feeds/abc.ics") == "/meetings/42/edit /feeds/[redacted].ics"
    assert redact('"GET /youths?q=180812%2D4559&page=2 HTTP/1.1" 400') == (
        '"GET /youths?q=[cpr]&page=2 HTTP/1.1" 400')
    path_only = '"GET /youths/1808124559 HTTP/1.1" 404'
    assert redact(path_only) == path_only
    assert redact('"GET /youths?page=12345678901 HTTP/1.1"') == (
        '"GET /youths?page=12345678901 HTTP/1.1"')
