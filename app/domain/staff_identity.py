"""Who a staff member is, from the claims of the municipality's login: username, name,
e-mail and the app's role mapped from a claim by the settings. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.models.user import Role

# When claim values map to several roles, the first of these wins.
ROLE_PRECEDENCE = (Role.ADMIN, Role.COORDINATOR, Role.ADULT_CASEWORKER, Role.CHILD_CASEWORKER)
USERNAME_MAX = 64
FULL_NAME_MAX = 120
EMAIL_MAX = 254


@dataclass(frozen=True)
class ClaimNames:
    """Which claims carry what; each municipality's provider names them its own way."""

    username: str
    full_name: str
    email: str
    roles: str


@dataclass(frozen=True)
class StaffIdentity:
    username: str  # empty when the claims carry none the app can use
    full_name: str
    email: str
    role: Role | None  # None when no claim value maps to a role


def claim_values(value: object) -> list[str]:
    """A claim holding one value or a list of them (groups, roles)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def role_for(values: list[str], role_map: Mapping[str, Role]) -> Role | None:
    roles = {role_map[value] for value in values if value in role_map}
    return next((role for role in ROLE_PRECEDENCE if role in roles), None)


def _text(claims: Mapping[str, object], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def staff_identity(
    claims: Mapping[str, object], names: ClaimNames, role_map: Mapping[str, Role]
) -> StaffIdentity:
    username = _text(claims, names.username)
    username = username if len(username) <= USERNAME_MAX else ""
    email = _text(claims, names.email)
    return StaffIdentity(
        username=username,
        full_name=(_text(claims, names.full_name) or username)[:FULL_NAME_MAX],
        email=email if len(email) <= EMAIL_MAX else "",
        role=role_for(claim_values(claims.get(names.roles)), role_map),
    )
