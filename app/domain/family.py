"""The family's own page: who may see a young person's page, and what it says. Pure: no I/O,
no clock.

A citizen (logged in through the MitID broker, known by the keyed hash of their CPR number)
sees the page of a young person when they are that young person, or when they hold custody of
them (a custody holder on the network map whose CPR number is registered) and the young person
is under 18. From the 18th birthday a custody holder sees the page only while a consent from
the young person to share it with them counts (consent.timing_problem: from the day it was
given, until it is withdrawn or runs out). The birthday itself is the first day without access.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from app.domain.consent import ConsentFacts, eighteenth_birthday, timing_problem
from app.models.handover import GiverRole, Purpose


class Relation(StrEnum):
    SELF = "self"  # the young person
    CUSTODY = "custody"  # a custody holder of the young person


def share_counts(consent: ConsentFacts, birth_date: date, on: date) -> bool:
    """Does this consent let a custody holder named in it see the page on the day `on`?"""
    return (consent.giver_role is GiverRole.YOUTH
            and Purpose.SHARE_WITH_FAMILY in consent.purposes
            and timing_problem(consent, birth_date, on) is None)


def may_see(relation: Relation, birth_date: date, today: date,
            shares: Iterable[ConsentFacts] = ()) -> bool:
    """May a citizen in `relation` to the young person see their page today? `shares` are the
    young person's consents naming this custody holder."""
    if relation is Relation.SELF:
        return True
    if today < eighteenth_birthday(birth_date):
        return True
    return any(share_counts(c, birth_date, today) for c in shares)
