"""Who may be invited to a young person's meeting, and who may own its action points.

Pure: the callers read the rows, these rules decide.

- Invited can be the young person, the members of their network and the active staff on the
  case (the caseworkers in both departments, the coordinating caseworker and the buddy), each
  once: someone already on the list (and not taken off it) cannot be invited again.
- An action point is owned by an active member of staff on the case, the meeting's organiser
  or a member of staff invited to the meeting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from app.models.user import User
from app.models.youth import Youth


class Invitable(Protocol):
    """Someone on, or for, an invitee list: a network member, a member of staff, or neither
    (the young person)."""

    @property
    def member_id(self) -> int | None: ...

    @property
    def user_id(self) -> int | None: ...


C = TypeVar("C", bound=Invitable)


def _who(person: Invitable) -> tuple[str, int | None]:
    if person.member_id is not None:
        return "member", person.member_id
    if person.user_id is not None:
        return "user", person.user_id
    return "youth", None


def is_invited(person: Invitable, invited: Iterable[Invitable]) -> bool:
    """Whether ``person`` is already among ``invited`` (the current list)."""
    return _who(person) in {_who(i) for i in invited}


def still_invitable(candidates: Sequence[C], invited: Iterable[Invitable]) -> list[C]:
    """The candidates not on the current list, in their order."""
    taken = {_who(i) for i in invited}
    return [c for c in candidates if _who(c) not in taken]


def case_staff_ids(youth: Youth) -> set[int]:
    """The members of staff on the case (inactive ones are left out by ``active``)."""
    return {i for i in (youth.child_caseworker_id, youth.adult_caseworker_id,
                        youth.coordinator_id, youth.buddy_id) if i is not None}


def active(users: Iterable[User]) -> list[User]:
    """The active users, by name."""
    return sorted((u for u in users if u.is_active), key=lambda u: u.full_name)


def action_owner_ids(youth: Youth, organiser_id: int,
                     invited_user_ids: Iterable[int | None]) -> set[int]:
    """Who may own an action point of a meeting (before leaving out inactive users): the staff
    on the case, the organiser and the staff invited."""
    return case_staff_ids(youth) | {organiser_id} | {i for i in invited_user_ids
                                                        if i is not None}


def may_own_action(user: User | None, youth: Youth, organiser_id: int,
                   invited_user_ids: Iterable[int | None]) -> bool:
    return (user is not None and user.is_active and user.id is not None
            and user.id in action_owner_ids(youth, organiser_id, invited_user_ids))
