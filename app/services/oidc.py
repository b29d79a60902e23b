"""Staff login through OpenID Connect: the authorization-code flow with PKCE, state and nonce
(Authlib), the provider found from OIDC_ISSUER's discovery document, and the ID token checked
for issuer, audience, signature (the provider's published keys), expiry and nonce.

Between the two legs the browser keeps the flow (state, nonce, PKCE verifier, where to go
next) in a cookie signed with the app's key and valid for ten minutes, so any worker process
can finish a login another one started and nothing is written before the person comes back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, OctKey

from app.settings import Settings

FLOW_LIFETIME = timedelta(minutes=10)
METADATA_MAX_AGE = timedelta(hours=1)
HTTP_TIMEOUT_SECONDS = 10.0
CLOCK_LEEWAY_SECONDS = 60
# ID tokens are signed with the provider's private key; shared-secret and unsigned ones are
# refused whatever the discovery document offers.
SIGNING_ALGORITHMS = frozenset({
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
})


class Failure(StrEnum):
    DENIED = "denied"  # the person cancelled, or the provider refused them
    EXPIRED = "expired"  # no flow in this browser, or one older than FLOW_LIFETIME
    STATE = "state"  # the answer does not belong to this browser's flow
    PROVIDER = "provider"  # an error answer, a refused code, an ID token that fails a check
    UNAVAILABLE = "unavailable"  # the provider could not be reached


class LoginFailedError(Exception):
    def __init__(self, failure: Failure, detail: str = "") -> None:
        super().__init__(f"{failure}: {detail}" if detail else failure)
        self.failure = failure
        self.detail = detail


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    algorithms: tuple[str, ...]
    token_auth_method: str


@dataclass
class _Provider:
    metadata: ProviderMetadata
    keys: dict[str, Any]
    fetched_at: datetime


@dataclass(frozen=True)
class Started:
    url: str  # the provider's authorization URL
    flow: str  # for the browser to keep until it comes back


@dataclass(frozen=True)
class Finished:
    claims: dict[str, Any]  # the ID token's, completed by the userinfo endpoint's
    next: str


@dataclass(frozen=True)
class RelyingParty:
    """The app as one provider's client: staff log in at the municipality's provider,
    citizens at the MitID broker's (the family's page)."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str


def staff_party(settings: Settings) -> RelyingParty:
    return RelyingParty("staff", settings.oidc_issuer, settings.oidc_client_id,
                        settings.oidc_client_secret, settings.oidc_scopes,
                        settings.oidc_redirect_uri)


def citizen_party(settings: Settings) -> RelyingParty:
    return RelyingParty("citizen", settings.citizen_oidc_issuer, settings.citizen_oidc_client_id,
                        settings.citizen_oidc_client_secret, settings.citizen_oidc_scopes,
                        settings.citizen_redirect_uri)


_providers: dict[str, _Provider] = {}


def begin(settings: Settings, next: str, now: datetime,
          party: RelyingParty | None = None) -> Started:
    """A new flow: where to send the browser, and what it keeps meanwhile."""
    party = party or staff_party(settings)
    metadata = _provider(party, now).metadata
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    with _client(party, metadata) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
        )
    flow = {"state": state, "nonce": nonce, "verifier": verifier, "next": next}
    return Started(url=url, flow=_seal(settings, flow, now, party))


def finish(
    settings: Settings, params: Mapping[str, str], flow_cookie: str | None, now: datetime,
    party: RelyingParty | None = None,
) -> Finished:
    """Checks the provider's answer against the browser's flow, redeems the code and
    returns the person's claims. Raises LoginFailedError."""
    party = party or staff_party(settings)
    flow = _unseal(settings, flow_cookie, now, party)
    if not hmac.compare_digest(params.get("state", ""), flow["state"]):
        raise LoginFailedError(Failure.STATE)
    if "error" in params:
        denied = params["error"] in ("access_denied", "login_required", "consent_required")
        raise LoginFailedError(Failure.DENIED if denied else Failure.PROVIDER,
                               params["error"][:64])
    provider = _provider(party, now)
    if params.get("iss", provider.metadata.issuer) != provider.metadata.issuer:
        raise LoginFailedError(Failure.PROVIDER, "iss")  # RFC 9207: a mixed-up answer
    if not params.get("code"):
        raise LoginFailedError(Failure.PROVIDER, "no code")
    claims = _redeem(party, provider, params["code"], flow, now)
    return Finished(claims=claims, next=flow["next"])


def _redeem(
    party: RelyingParty, provider: _Provider, code: str, flow: Mapping[str, str], now: datetime
) -> dict[str, Any]:
    metadata = provider.metadata
    try:
        with _client(party, metadata) as client:
            token = client.fetch_token(
                metadata.token_endpoint, code=code, code_verifier=flow["verifier"]
            )
            claims = _id_token_claims(party, provider, token, flow["nonce"], now)
            info = _userinfo(client, metadata.userinfo_endpoint)
    except requests.HTTPError as error:
        raise LoginFailedError(Failure.PROVIDER, _status(error)) from error
    except requests.RequestException as error:
        raise LoginFailedError(Failure.UNAVAILABLE, type(error).__name__) from error
    except (AuthlibBaseError, ValueError) as error:
        reason = getattr(error, "error", None) or type(error).__name__
        raise LoginFailedError(Failure.PROVIDER, str(reason)[:64]) from error
    if info and info.get("sub") != claims["sub"]:
        raise LoginFailedError(Failure.PROVIDER, "userinfo sub")
    return {**info, **claims}


def _userinfo(client: OAuth2Session, endpoint: str) -> dict[str, Any]:
    if not endpoint:
        return {}
    response = client.get(endpoint)
    response.raise_for_status()
    info = response.json()
    return info if isinstance(info, dict) else {}


def _id_token_claims(
    party: RelyingParty, provider: _Provider, token: Mapping[str, Any], nonce: str,
    now: datetime,
) -> dict[str, Any]:
    raw = token.get("id_token")
    if not isinstance(raw, str):
        raise LoginFailedError(Failure.PROVIDER, "no id_token")
    try:
        try:
            decoded = _decode(raw, provider)
        except InvalidKeyIdError:  # the provider has rolled its keys since we fetched them
            provider.keys = _get_json(provider.metadata.jwks_uri)
            decoded = _decode(raw, provider)
        claims = CodeIDToken(
            decoded.claims, decoded.header,
            {"iss": {"essential": True, "value": provider.metadata.issuer},
             "aud": {"essential": True, "value": party.client_id}},
            {"nonce": nonce, "client_id": party.client_id,
             "access_token": token.get("access_token")},
        )
        claims.validate(now=int(now.timestamp()), leeway=CLOCK_LEEWAY_SECONDS)
    except JoseError as error:
        raise LoginFailedError(Failure.PROVIDER, f"id_token {error.error}") from error
    return dict(claims)


def _decode(raw: str, provider: _Provider) -> jwt.Token:
    return jwt.decode(raw, KeySet.import_key_set(provider.keys),  # type: ignore[arg-type]
                      algorithms=list(provider.metadata.algorithms))


def _client(party: RelyingParty, metadata: ProviderMetadata) -> OAuth2Session:
    return OAuth2Session(
        client_id=party.client_id,
        client_secret=party.client_secret or None,
        token_endpoint_auth_method=metadata.token_auth_method,
        scope=party.scopes,
        redirect_uri=party.redirect_uri,
        code_challenge_method="S256",
        default_timeout=HTTP_TIMEOUT_SECONDS,
    )


def _provider(party: RelyingParty, now: datetime) -> _Provider:
    """The provider's discovery document and keys, fetched at most hourly."""
    key = f"{party.issuer} {party.client_id} {bool(party.client_secret)}"
    cached = _providers.get(key)
    if cached is not None and now - cached.fetched_at < METADATA_MAX_AGE:
        return cached
    metadata = _discover(party)
    provider = _Provider(metadata, _get_json(metadata.jwks_uri), now)
    _providers[key] = provider
    return provider


def _discover(party: RelyingParty) -> ProviderMetadata:
    issuer = party.issuer
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if document.get("issuer") != issuer:
        raise LoginFailedError(Failure.PROVIDER, "discovery names another issuer")
    missing = [name for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
               if not document.get(name)]
    if missing:
        raise LoginFailedError(Failure.PROVIDER, f"discovery lacks {', '.join(missing)}")
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=str(document["authorization_endpoint"]),
        token_endpoint=str(document["token_endpoint"]),
        jwks_uri=str(document["jwks_uri"]),
        userinfo_endpoint=str(document.get("userinfo_endpoint") or ""),
        algorithms=tuple(alg for alg in offered if alg in SIGNING_ALGORITHMS),
        token_auth_method=(
            "none" if not party.client_secret
            else "client_secret_basic" if "client_secret_basic" in methods
            else "client_secret_post"
        ),
    )


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except requests.HTTPError as error:
        raise LoginFailedError(Failure.PROVIDER, _status(error)) from error
    except requests.RequestException as error:
        raise LoginFailedError(Failure.UNAVAILABLE, type(error).__name__) from error
    except ValueError as error:
        raise LoginFailedError(Failure.PROVIDER, "not JSON") from error
    if not isinstance(document, dict):
        raise LoginFailedError(Failure.PROVIDER, "not a JSON object")
    return document


def _status(error: requests.HTTPError) -> str:
    return f"HTTP {error.response.status_code}" if error.response is not None else "HTTP"


def _flow_key(settings: Settings, party: RelyingParty | None) -> OctKey:
    """One key per party: a flow started for staff cannot finish as a citizen's."""
    name = party.name if party else "staff"
    label = b"oidc-flow" if name == "staff" else f"oidc-flow-{name}".encode()
    return OctKey.import_key(hmac.new(settings.key, label, hashlib.sha256).digest())


def _seal(settings: Settings, flow: Mapping[str, str], now: datetime,
          party: RelyingParty | None = None) -> str:
    expires = int((now + FLOW_LIFETIME).timestamp())
    return jwt.encode({"alg": "HS256"}, {**flow, "exp": expires}, _flow_key(settings, party))


def _unseal(settings: Settings, sealed: str | None, now: datetime,
            party: RelyingParty | None = None) -> dict[str, str]:
    if not sealed:
        raise LoginFailedError(Failure.EXPIRED, "no flow")
    try:
        token = jwt.decode(sealed, _flow_key(settings, party), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(now=int(now.timestamp()), exp={"essential": True}).validate(
            token.claims)
    except ExpiredTokenError as error:
        raise LoginFailedError(Failure.EXPIRED, "flow expired") from error
    except (JoseError, ValueError) as error:
        raise LoginFailedError(Failure.STATE, "flow cookie") from error
    claims = token.claims
    if not all(isinstance(claims.get(k), str) for k in ("state", "nonce", "verifier", "next")):
        raise LoginFailedError(Failure.STATE, "flow cookie")
    return {k: str(claims[k]) for k in ("state", "nonce", "verifier", "next")}
