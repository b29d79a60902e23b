"""Who is asking: a member of staff (a `User`) or a citizen.

A citizen is the young person or someone with custody of them, identified by a login broker
(MitID through OpenID Connect) by their CPR number; the app keeps only its keyed lookup hash
(domain/cpr.cpr_lookup_hash), never the number. Access rules (services/access.youth_access) and
the audit log take a principal, so the same WHERE clause and the same log serve both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.models.user import User


class ActorKind(StrEnum):
    STAFF = "staff"
    CITIZEN = "citizen"


@dataclass(frozen=True)
class Citizen:
    cpr_hash: str  # the keyed lookup hash of the citizen's CPR number
    name: str = ""
    # The young people in the citizen's custody whose page they may see today
    # (domain/family.may_see, worked out when the request is authenticated).
    custody_youth_ids: frozenset[int] = frozenset()

    @property
    def ref(self) -> str:
        """How the audit log names the citizen: part of the keyed hash, never the number."""
        return f"citizen:{self.cpr_hash[:16]}"


Principal = User | Citizen


def actor_kind(principal: Principal) -> ActorKind:
    return ActorKind.CITIZEN if isinstance(principal, Citizen) else ActorKind.STAFF
