"""The OpenID provider the tests start (provider.mjs: the npm package oidc-provider run by
node), the accounts it knows, and a person logging in through it over plain HTTP.

The accounts are a small fixed list: staff with groups (the municipality's directory) and a
citizen with a CPR-number claim (for the citizens' login that builds on the same provider).
A test changes an account's claims with `OpenIdProvider.set_claims`; the provider reads the
file at every look-up, so the next login sees the change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

HERE = Path(__file__).resolve().parent
CLIENT_ID = "overgang"
CLIENT_SECRET = "test-client-secret-" + "x" * 16
CPR_CLAIM = "dk:gov:saml:attribute:CprNumberIdentifier"
PASSWORD = "any password works in the test provider"

# The municipality's groups and the roles the app's settings map them to.
ROLE_MAP = {
    "overgang-boern": "child_caseworker",
    "overgang-voksen": "adult_caseworker",
    "overgang-koordinator": "coordinator",
    "overgang-admin": "admin",
}
ACCOUNTS: dict[str, dict[str, Any]] = {
    "kirsten": {"preferred_username": "kirsten@kommune.example", "name": "Kirsten Koordinator",
                "email": "kirsten@kommune.example",
                "groups": ["alle-medarbejdere", "overgang-koordinator"]},
    "bo": {"preferred_username": "bo@kommune.example", "name": "Bo Børnesagsbehandler",
           "email": "bo@kommune.example", "groups": ["overgang-boern"]},
    "ingen": {"preferred_username": "ingen@kommune.example", "name": "Ib Ingenadgang",
              "email": "ingen@kommune.example", "groups": ["alle-medarbejdere"]},
    # A citizen as a MitID broker presents one: a name and a CPR number, no groups.
    "borger": {"name": "Ulla Ung", CPR_CLAIM: "0101089995"},
    # A parent who holds custody of a child under 18 (the family's page).
    "forælder": {"name": "Mette Mor", CPR_CLAIM: "1505754321"},
}
SCOPES = {
    "profile": ["name", "preferred_username"],
    "email": ["email"],
    "groups": ["groups"],
    "cpr": [CPR_CLAIM],
}


@dataclass
class OpenIdProvider:
    issuer: str
    accounts_file: Path
    log_file: Path

    def reset(self) -> None:
        self.accounts_file.write_text(json.dumps(ACCOUNTS))

    def set_claims(self, login: str, **claims: Any) -> None:
        accounts = json.loads(self.accounts_file.read_text())
        accounts.setdefault(login, {}).update(claims)
        self.accounts_file.write_text(json.dumps(accounts))

    def citizen_settings(self) -> dict[str, object]:
        """The app's settings for citizens' login (the family's page) at this provider, as
        at a MitID broker: the CPR number in its own claim."""
        return {
            "citizen_oidc_issuer": self.issuer,
            "citizen_oidc_client_id": CLIENT_ID,
            "citizen_oidc_client_secret": CLIENT_SECRET,
            "citizen_oidc_scopes": "openid profile cpr",
            "citizen_cpr_claim": CPR_CLAIM,
        }

    def app_settings(self) -> dict[str, object]:
        """The app's OIDC settings for this provider."""
        return {
            "oidc_issuer": self.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_scopes": "openid profile email groups",
            "oidc_role_map": ROLE_MAP,
        }


def require_node() -> str:
    """node, or a skip (a failure under CI, where node is installed)."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing: the OpenID provider for the login tests needs it")
        pytest.skip("node is not installed: the OpenID provider for the login tests needs it")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("tests/oidc/node_modules is missing: `make test` installs it (npm ci)")
    return node


@contextmanager
def start_provider(directory: Path, port: int, redirect_uri: str | list[str]
                   ) -> Iterator[OpenIdProvider]:
    node = require_node()
    provider = OpenIdProvider(f"http://127.0.0.1:{port}", directory / "accounts.json",
                              directory / "provider.log")
    provider.reset()
    config = directory / "config.json"
    config.write_text(json.dumps({
        "port": port,
        "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                   "redirect_uris": [redirect_uri] if isinstance(redirect_uri, str)
                   else redirect_uri},
        "scopes": SCOPES,
        "accounts_file": str(provider.accounts_file),
    }))
    with provider.log_file.open("w") as log:
        process = subprocess.Popen([node, str(HERE / "provider.mjs"), str(config)],
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_discovery(provider, process)
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_discovery(provider: OpenIdProvider, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    url = provider.issuer + "/.well-known/openid-configuration"
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the OpenID provider did not start:\n" + provider.log_file.read_text())


class _Form(HTMLParser):
    """The first form of a page: its action and its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action, self._open = values.get("action", ""), True
        elif tag == "input" and self._open and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def through_provider(
    client: httpx.Client, url: str, issuer: str, login: str, *, cancel: bool = False
) -> str:
    """Opens `url` at the provider and logs in there as `login` (any password), or cancels;
    returns the address the provider sends the browser back to."""
    response = client.get(url)
    for _ in range(20):
        location = urljoin(str(response.url), response.headers.get("location", ""))
        if response.is_redirect and not location.startswith(issuer):
            return location
        if response.is_redirect:
            response = client.get(location)
        elif cancel:
            response = client.get(str(response.url).rstrip("/") + "/abort")
        else:
            form = _Form()
            form.feed(response.text)
            assert form.action is not None, response.text
            fields = form.fields | ({"login": login, "password": PASSWORD}
                                    if "login" in form.fields else {})
            response = client.post(urljoin(str(response.url), form.action), data=fields)
    raise AssertionError("the provider did not send the browser back")


def log_in(
    client: httpx.Client, app_url: str, issuer: str, login: str, *, next: str | None = None,
    cancel: bool = False, callback: Callable[[str], str] = lambda url: url,
) -> httpx.Response:
    """A person who clicks "Log ind med kommunens login" and logs in at the provider as
    `login` (or cancels there). `callback` may change the provider's answer on its way back
    to the app. Returns the page the app shows in the end."""
    start = client.get(app_url + "/login/oidc", params={"next": next} if next else None)
    assert start.is_redirect and start.headers["location"].startswith(issuer), start.text
    back = through_provider(client, start.headers["location"], issuer, login, cancel=cancel)
    response = client.get(callback(back))
    while response.is_redirect:
        response = client.get(urljoin(str(response.url), response.headers["location"]))
    return response
