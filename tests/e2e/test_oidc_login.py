"""A coordinator logs in through the municipality's login (the test OpenID provider) in a
real browser. axe-core and the Content-Security-Policy check the app's pages; the provider's
own development pages are not ours to check."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from app.cli import migrate
from app.main import create_app
from tests.conftest import make_settings
from tests.e2e.conftest import run_axe
from tests.live import serve
from tests.oidc.provider import OpenIdProvider, start_provider


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, OpenIdProvider]]:
    port = _free_port()
    directory = tmp_path_factory.mktemp("e2e-oidc")
    redirect_uri = f"http://127.0.0.1:{port}/login/oidc/callback"
    with start_provider(directory, _free_port(), redirect_uri) as provider:
        settings = make_settings(directory, f"sqlite:///{directory / 'overgang.db'}",
                                 public_base_url=f"http://127.0.0.1:{port}",
                                 **provider.app_settings())
        migrate(settings)
        with serve(create_app(settings), port=port) as url:
            yield url, provider


def test_a_coordinator_logs_in_through_the_municipality_login(browser, oidc_app):
    base_url, provider = oidc_app
    context = browser.new_context(base_url=base_url, locale="da-DK")
    page = context.new_page()
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text)
            if m.location.get("url", "").startswith(base_url)
            and ("Content Security Policy" in m.text or "Refused to" in m.text) else None)
    try:
        page.goto("/login?next=/profile")
        assert run_axe(browser, page) == []
        page.get_by_role("link", name="Log ind med kommunens login").click()
        page.wait_for_url(provider.issuer + "/interaction/**")
        page.locator("input[name=login]").fill("kirsten")
        page.locator("input[name=password]").fill("hvad som helst")
        page.locator("button[type=submit]").click()
        page.wait_for_url(base_url + "/profile")
        page.goto("/")
        expect(page.get_by_role("heading", name="Velkommen, Kirsten Koordinator")).to_be_visible()
        assert run_axe(browser, page) == []
    finally:
        context.close()
    assert csp_errors == []
