"""Who may be invited to a meeting and who may own its action points."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain import meeting_people
from app.models.user import Role, User
from app.models.youth import Youth


@dataclass(frozen=True)
class Someone:
    member_id: int | None = None
    user_id: int | None = None


YOUNG = Someone()
MOTHER = Someone(member_id=1)
CASEWORKER = Someone(user_id=1)  # the same number as the mother's, another kind of person


def _youth(**ids: int | None) -> Youth:
    return Youth(first_name="Freja", last_name="Holm", birth_date=date(2009, 3, 12), **ids)


def _user(user_id: int, *, active: bool = True) -> User:
    return User(id=user_id, username=f"u{user_id}", full_name=f"User {user_id}",
                email=f"u{user_id}@example.dk", role=Role.CHILD_CASEWORKER, is_active=active)


def test_someone_already_on_the_list_is_not_offered_again_and_kinds_are_not_mixed_up():
    assert meeting_people.still_invitable([YOUNG, MOTHER, CASEWORKER], [MOTHER]) == [
        YOUNG, CASEWORKER]
    assert meeting_people.still_invitable([YOUNG, MOTHER, CASEWORKER], [YOUNG]) == [
        MOTHER, CASEWORKER]
    assert meeting_people.is_invited(CASEWORKER, [MOTHER, YOUNG]) is False
    assert meeting_people.is_invited(Someone(user_id=1), [CASEWORKER]) is True


def test_the_staff_on_the_case_are_its_four_caseworkers():
    youth = _youth(child_caseworker_id=1, adult_caseworker_id=2, coordinator_id=1, buddy_id=None)
    assert meeting_people.case_staff_ids(youth) == {1, 2}


def test_an_action_point_is_owned_by_staff_on_the_case_the_organiser_or_staff_invited():
    youth = _youth(child_caseworker_id=1, coordinator_id=2)
    invited = [5, None]
    for user_id in (1, 2, 4, 5):
        assert meeting_people.may_own_action(_user(user_id), youth, 4, invited), user_id
    assert not meeting_people.may_own_action(_user(3), youth, 4, invited)  # not on the case
    assert not meeting_people.may_own_action(_user(1, active=False), youth, 4, invited)
    assert not meeting_people.may_own_action(None, youth, 4, invited)


def test_the_owners_offered_are_the_active_ones_by_name():
    users = [_user(2), _user(1), _user(3, active=False)]
    assert [u.id for u in meeting_people.active(users)] == [1, 2]
