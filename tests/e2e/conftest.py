"""Browser journeys: the real app in a uvicorn process on a free port with a temporary
SQLite database, driven by Playwright through Debian's chromium. axe-core checks every
page a test visits; a page that breaks the Content-Security-Policy fails the test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.cli import migrate
from app.db import make_engine, unit_of_work
from app.models.user import Role
from app.services import auth
from tests.conftest import TEST_PASSWORD, make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
E2E_USERS = {
    "boern": Role.CHILD_CASEWORKER,
    "voksen": Role.ADULT_CASEWORKER,
    "koordinator": Role.COORDINATOR,
    "admin": Role.ADMIN,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    data_dir = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{data_dir / 'overgang.db'}"
    settings = make_settings(data_dir, url)
    migrate(settings)
    with unit_of_work(make_engine(settings)) as session:
        for username, role in E2E_USERS.items():
            auth.create_user(
                session, username=username, full_name=username.title() + " Testesen",
                email=f"{username}@kommune.example", role=role, password=TEST_PASSWORD,
            )
    port = _free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": url,
        "SECRET_KEY": settings.secret_key,
        "ENVIRONMENT": "test",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--no-scheduler"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.terminate()
        raise RuntimeError((data_dir / "server.log").read_text())
    # "env": the server's environment, for commands run against the same database.
    yield {"base_url": base, "settings": settings, "data_dir": data_dir, "env": env}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing (scripts/ensure-chromium.sh installs it)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def run_axe(browser, page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core on the page's URL, in a context that may inject the script despite the CSP."""
    context = browser.new_context(bypass_csp=True, storage_state=page.context.storage_state(),
                                  viewport=page.viewport_size)
    try:
        checker = context.new_page()
        checker.goto(page.url)
        checker.add_script_tag(path=str(AXE))
        result = checker.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=str(live_server["base_url"]), locale="da-DK")
    page = context.new_page()
    visited: list[str] = []
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.on("load", lambda p: visited.append(p.url) if p.url not in visited else None)
    yield page
    problems: list[str] = []
    for url in visited:
        page.goto(url)
        problems += [f"{url}: {v}" for v in run_axe(browser, page)]
    context.close()
    assert not csp_errors, csp_errors
    assert not problems, "\n".join(problems)


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/")
