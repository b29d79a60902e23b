"""The request size limit holds for the body as it arrives: a chunked body (no
Content-Length) over the limit gets 413 from a real uvicorn server, without the app
reading the rest of it or acting on it."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, func, select

from app.models.user import Role
from app.models.youth import Youth
from app.services import auth
from app.web.middleware import MAX_BODY_BYTES, MAX_UPLOAD_BYTES
from tests.conftest import TEST_PASSWORD, csrf_from, make_user
from tests.live import serve

CHUNK = 64 * 1024


@pytest.fixture
def live_port(app: FastAPI) -> Iterator[int]:
    with serve(app) as base_url:
        yield int(base_url.rsplit(":", 1)[1])


def _post_chunked(port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """POSTs the body in 64 KB chunks without a Content-Length; returns the raw answer."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Transfer-Encoding: chunked\r\n{head}\r\n".encode())
        try:
            for start in range(0, len(body), CHUNK):
                piece = body[start:start + CHUNK]
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server answered and closed without reading the rest
            pass
        return _read_all(sock)


def _read_all(sock: socket.socket) -> bytes:
    answer = b""
    try:
        while data := sock.recv(65536):
            answer += data
    except ConnectionResetError:
        pass
    return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_a_chunked_json_body_over_the_limit_gets_413_and_is_never_acted_on(
    live_port: int, session: Session
) -> None:
    user = make_user(session, Role.COORDINATOR, "koord")
    token = auth.issue_api_token(session, user)
    youth = {"first_name": "Stor", "last_name": "Krop", "birth_date": "2009-01-01",
             "birth_date_reason": "Ingen CPR-nummer endnu", "adult_support_expected": "yes"}
    body = json.dumps(youth).encode().ljust(MAX_BODY_BYTES + 8 * CHUNK)  # valid JSON
    answer = _post_chunked(live_port, "/api/v1/youths", {
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"}, body)
    assert _status(answer) == 413, answer[:300]
    assert b"Connection: close" in answer or b"connection: close" in answer
    assert session.exec(select(func.count()).select_from(Youth)).one() == 0


def test_the_import_takes_a_larger_chunked_upload_but_not_one_over_its_own_limit(
    live_port: int, session: Session
) -> None:
    make_user(session, Role.COORDINATOR, "koord")
    base = f"http://127.0.0.1:{live_port}"
    with httpx.Client(base_url=base) as browser:
        token = csrf_from(browser.get("/login").text)
        browser.post("/login", data={"username": "koord", "password": TEST_PASSWORD,
                                     "csrf_token": token})
        csrf = csrf_from(browser.get("/youths/import").text)
        cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())

    def upload(size: int) -> int:
        boundary = "graense42"
        part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"unge.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
        body = part + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
        return _status(_post_chunked(live_port, "/youths/import", {
            "Cookie": cookies, "X-CSRF-Token": csrf,
            "Content-Type": f"multipart/form-data; boundary={boundary}"}, body))

    assert upload(MAX_BODY_BYTES + CHUNK) != 413  # read, and refused as a CSV file
    assert upload(MAX_UPLOAD_BYTES + CHUNK) == 413
