"""Configuration, read only here: environment variables or a .env file."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.models.user import Role

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
INSECURE_KEYS = {"", "change-me", "changeme", "secret", "dev"}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class MailBackend(StrEnum):
    FILE = "file"
    SMTP = "smtp"
    CONSOLE = "console"


class Settings(BaseSettings):
    """Every setting the app reads. See the README for each one."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    secret_key: str = ""
    timezone: str = "Europe/Copenhagen"
    public_base_url: str = "http://127.0.0.1:8000"
    default_locale: str = "da"

    # Mail
    mail_backend: MailBackend = MailBackend.FILE
    smtp_url: str = "smtp://127.0.0.1:25"
    mail_from: str = "overgang@kommune.example"
    mail_from_name: str = "Overgang"
    adult_intake_email: str = "voksen-modtagelse@kommune.example"
    # How long the outbox keeps retrying a message before it is marked failed.
    outbox_deadline_hours: int = Field(default=48, ge=1)
    # The reply mailbox: the ORGANIZER address of every invite, where calendar programs send
    # their answers, received by `overgang mail-receiver`. Empty: invites name the
    # caseworker as organiser (answers then reach her own mailbox, not the app).
    reply_address: str = ""
    mail_receiver_host: str = "127.0.0.1"
    mail_receiver_port: int = Field(default=2525, ge=1, le=65535)
    # The largest incoming message the receiver takes (an answer is a few kilobytes).
    mail_receiver_max_bytes: int = Field(default=1_000_000, ge=10_000)

    # Sessions and login throttling
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    # Failed logins for one account from one address before each further try waits
    # (1, 2, 4 … minutes, at most login_max_delay_minutes); see domain/login_delay.py.
    login_failures_before_delay: int = Field(default=5, ge=1)
    login_max_delay_minutes: int = Field(default=15, ge=1)
    # Within the window: failures from one address (any accounts), or for one account (any
    # addresses), after which the pairs that have failed there wait from their first failure.
    login_address_failures: int = Field(default=20, ge=1)
    login_account_failures: int = Field(default=10, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)

    # Staff login through OpenID Connect (Entra ID, a KOMBIT broker ...), beside passwords.
    # An empty issuer leaves it off. See the README's Settings and Architecture sections.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile email"
    oidc_username_claim: str = "preferred_username"
    oidc_name_claim: str = "name"
    oidc_email_claim: str = "email"
    oidc_roles_claim: str = "groups"
    # Claim values (group ids, role names) to the app's roles, as JSON in the environment:
    # OIDC_ROLE_MAP='{"overgang-koordinatorer": "coordinator"}'.
    oidc_role_map: dict[str, Role] = Field(default_factory=dict)

    # Citizens' login to the family's page (/borger) through a MitID broker's OpenID Connect;
    # the CPR number arrives in the claim CITIZEN_CPR_CLAIM. An empty issuer leaves it off.
    citizen_oidc_issuer: str = ""
    citizen_oidc_client_id: str = ""
    citizen_oidc_client_secret: str = ""
    citizen_oidc_scopes: str = "openid"
    citizen_cpr_claim: str = "dk:gov:saml:attribute:CprNumberIdentifier"
    citizen_name_claim: str = "name"

    # Transition rules
    flag_age_years: int = Field(default=16, ge=14, le=18)
    flag_age_months: int = Field(default=6, ge=0, le=11)

    # Scheduler
    scheduler_enabled: bool = True
    scheduler_lock: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @model_validator(mode="after")
    def _production_needs_a_real_key(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            if self.secret_key.strip() in INSECURE_KEYS or len(self.secret_key) < 32:
                raise ValueError(
                    "SECRET_KEY must be set to a random value of at least 32 characters "
                    "when ENVIRONMENT=production"
                )
            if not self.database_url:
                raise ValueError("DATABASE_URL must be set when ENVIRONMENT=production")
        return self

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if not self.oidc_issuer:
            return self
        if not self.oidc_client_id:
            raise ValueError("OIDC_CLIENT_ID must be set when OIDC_ISSUER is")
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("OIDC_SCOPES must include openid")
        if not self.oidc_role_map:
            raise ValueError("OIDC_ROLE_MAP must map at least one claim value to a role")
        if self.environment is Environment.PRODUCTION and not self.oidc_issuer.startswith(
            "https://"
        ):
            raise ValueError("OIDC_ISSUER must be an https:// URL when ENVIRONMENT=production")
        return self

    @model_validator(mode="after")
    def _citizen_oidc_complete(self) -> Settings:
        if not self.citizen_oidc_issuer:
            return self
        if not self.citizen_oidc_client_id:
            raise ValueError("CITIZEN_OIDC_CLIENT_ID must be set when CITIZEN_OIDC_ISSUER is")
        if "openid" not in self.citizen_oidc_scopes.split():
            raise ValueError("CITIZEN_OIDC_SCOPES must include openid")
        if not self.citizen_cpr_claim:
            raise ValueError("CITIZEN_CPR_CLAIM must name the claim that carries the CPR number")
        if (self.environment is Environment.PRODUCTION
                and not self.citizen_oidc_issuer.startswith("https://")):
            raise ValueError(
                "CITIZEN_OIDC_ISSUER must be an https:// URL when ENVIRONMENT=production")
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'overgang.db'}"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def oidc_redirect_uri(self) -> str:
        """Where the provider sends the browser back: register it with the provider."""
        return self.public_base_url.rstrip("/") + "/login/oidc/callback"

    @property
    def citizen_oidc_enabled(self) -> bool:
        return bool(self.citizen_oidc_issuer)

    @property
    def citizen_redirect_uri(self) -> str:
        """Where the MitID broker sends the citizen back: register it with the broker."""
        return self.public_base_url.rstrip("/") + "/borger/login/callback"

    @property
    def secure_cookies(self) -> bool:
        return self.public_base_url.startswith("https://")

    @cached_property
    def key(self) -> bytes:
        """The secret key; in development it is generated once and kept under data/."""
        if self.secret_key:
            return self.secret_key.encode()
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip().encode()


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
