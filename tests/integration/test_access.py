"""The access rule (services/access.py) for every role, on real rows."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from sqlmodel import select

from app.models.user import Role
from app.models.youth import Youth, YouthStatus
from app.services import youths
from app.services.access import youth_access, youth_access_parts
from tests.conftest import make_user


def _youth(session, name: str, **values) -> Youth:
    youth = Youth(first_name=name, last_name="Test", birth_date=date(2009, 5, 1), **values)
    session.add(youth)
    session.commit()
    return youth


@pytest.fixture
def world(session):
    people = {
        "child": make_user(session, Role.CHILD_CASEWORKER, "child"),
        "child2": make_user(session, Role.CHILD_CASEWORKER, "child2"),
        "adult": make_user(session, Role.ADULT_CASEWORKER, "adult"),
        "adult2": make_user(session, Role.ADULT_CASEWORKER, "adult2"),
        "coordinator": make_user(session, Role.COORDINATOR, "coordinator"),
        "admin": make_user(session, Role.ADMIN, "admin"),
    }
    cases = {
        "active": _youth(session, "active", child_caseworker_id=people["child2"].id),
        "in_transition": _youth(session, "in_transition", transition_started_on=date(2026, 1, 1),
                                child_caseworker_id=people["child2"].id),
        "transferred": _youth(session, "transferred", status=YouthStatus.TRANSFERRED),
        "closed_own": _youth(session, "closed_own", status=YouthStatus.CLOSED,
                             closed_reason="Fraflyttet", child_caseworker_id=people["child"].id),
        "closed_other": _youth(session, "closed_other", status=YouthStatus.CLOSED,
                               closed_reason="Fraflyttet"),
        "assigned_adult": _youth(session, "assigned_adult",
                                 adult_caseworker_id=people["adult2"].id),
    }
    return people, cases


EXPECTED = {
    "child": {"active", "in_transition", "assigned_adult", "closed_own"},
    "child2": {"active", "in_transition", "assigned_adult"},
    "adult": {"in_transition", "transferred"},
    "adult2": {"in_transition", "transferred", "assigned_adult"},
    "coordinator": {"active", "in_transition", "transferred", "closed_own", "closed_other",
                    "assigned_adult"},
    "admin": {"active", "in_transition", "transferred", "closed_own", "closed_other",
              "assigned_adult"},
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_exactly_the_young_people_the_rule_allows(session, world, who):
    people, _ = world
    seen = {y.first_name for y in session.exec(select(Youth).where(youth_access(people[who])))}
    assert seen == EXPECTED[who]


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_the_parts_of_the_rule_are_disjoint_and_together_the_rule(session, world, who):
    people, _ = world
    parts = [{y.first_name for y in session.exec(select(Youth).where(part))}
             for part in youth_access_parts(people[who])]
    assert set().union(*parts) == EXPECTED[who]
    assert sum(len(part) for part in parts) == len(EXPECTED[who])


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_the_register_counts_what_the_user_may_see(session, world, who):
    people, _ = world
    total = youths.count_filtered(session, people[who], youths.YouthFilters(), date(2026, 6, 1),
                                  UTC)
    assert total == len(EXPECTED[who])


def test_a_deactivated_user_sees_nobody(session, world):
    people, _ = world
    people["coordinator"].is_active = False
    assert session.exec(select(Youth).where(youth_access(people["coordinator"]))).all() == []


def test_reading_a_case_the_user_may_not_see_is_refused_and_not_audited_as_a_read(session, world):
    people, cases = world
    with pytest.raises(youths.YouthForbiddenError):
        youths.get_visible(session, people["adult"], cases["active"].id)
    with pytest.raises(youths.YouthNotFoundError):
        youths.get_visible(session, people["adult"], 987654)


def test_the_page_for_a_case_out_of_reach_answers_403_in_danish(client, session, world):
    from tests.conftest import login

    _, cases = world
    login(client, "adult")
    response = client.get(f"/youths/{cases['active'].id}")
    assert response.status_code == 403
    assert "Du har ikke adgang til denne unge" in response.text
