"""The OpenID Connect settings refuse to start half configured."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.models.user import Role
from app.settings import Environment, load_settings

COMPLETE = {"oidc_issuer": "https://login.kommune.example", "oidc_client_id": "overgang",
            "oidc_role_map": {"g-koordinator": "coordinator"}}


def test_complete_settings_turn_the_login_on_and_name_the_callback():
    settings = load_settings(**COMPLETE, public_base_url="https://overgang.kommune.example/")
    assert settings.oidc_enabled
    assert settings.oidc_role_map == {"g-koordinator": Role.COORDINATOR}
    assert settings.oidc_redirect_uri == "https://overgang.kommune.example/login/oidc/callback"
    assert not load_settings().oidc_enabled


@pytest.mark.parametrize(("change", "message"), [
    ({"oidc_client_id": ""}, "OIDC_CLIENT_ID"),
    ({"oidc_role_map": {}}, "OIDC_ROLE_MAP"),
    ({"oidc_role_map": {"g": "chef"}}, "oidc_role_map"),
    ({"oidc_scopes": "profile email"}, "OIDC_SCOPES"),
])
def test_an_incomplete_configuration_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        load_settings(**(COMPLETE | change))


def test_production_needs_an_https_issuer():
    production = {"environment": Environment.PRODUCTION, "secret_key": "k" * 40,
                  "database_url": "postgresql+psycopg://db/overgang"}
    with pytest.raises(ValidationError, match="https"):
        load_settings(**(COMPLETE | production | {"oidc_issuer": "http://login.kommune.example"}))
    assert load_settings(**COMPLETE, **production).oidc_enabled
