"""The overview's pure rules: months, cohort birth ranges and readiness."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from app.domain import overview as rules
from app.domain.timeline import Offset, due_date
from app.domain.validation import FieldError

EIGHTEEN = rules.MILESTONE_AGE[rules.Milestone.EIGHTEEN]


def _reaches(born: date, age: relativedelta, first: date, last: date) -> bool:
    after, on_or_before = rules.births_reaching(age, first, last)
    return after < born <= on_or_before


@pytest.mark.parametrize(("born", "inside"), [
    (date(2008, 12, 1), True),    # 18 on the first day of December 2026
    (date(2008, 12, 31), True),   # and on the last
    (date(2008, 11, 30), False),
    (date(2009, 1, 1), False),
])
def test_turning_18_in_december_takes_the_first_and_the_last_day(born: date, inside: bool) -> None:
    assert _reaches(born, EIGHTEEN, date(2026, 12, 1), date(2026, 12, 31)) is inside


def test_born_on_29_february_turns_18_on_28_february_like_the_timeline() -> None:
    born = date(2008, 2, 29)
    assert due_date(born, Offset(18, 0)) == date(2026, 2, 28)
    assert _reaches(born, EIGHTEEN, date(2026, 2, 1), date(2026, 2, 28))
    assert not _reaches(born, EIGHTEEN, date(2026, 3, 1), date(2026, 3, 31))


@pytest.mark.parametrize("milestone", list(rules.Milestone))
def test_every_birth_date_lands_in_exactly_one_month_of_a_year(milestone: rules.Milestone) -> None:
    age = rules.MILESTONE_AGE[milestone]
    months = [date(2027, m, 1) for m in range(1, 13)]
    start = date(2008, 1, 1)
    for offset in range(0, 800, 7):
        born = date.fromordinal(start.toordinal() + offset)
        reached = born + age
        hits = [m for m in months if _reaches(born, age, m, rules.month_end(m))]
        assert hits == ([reached.replace(day=1)] if reached.year == 2027 else [])


def test_months_are_read_as_yyyy_mm_and_default_to_this_month() -> None:
    assert rules.parse_month("2026-02", date(2026, 11, 23)) == date(2026, 2, 1)
    assert rules.parse_month("", date(2026, 11, 23)) == date(2026, 11, 1)
    assert rules.month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    for bad in ("2026-13", "2026-00", "26-11", "2026-11-01", "<script>"):
        with pytest.raises(FieldError):
            rules.parse_month(bad, date(2026, 11, 23))


def _readiness(**changes: object) -> rules.Readiness:
    values: dict[str, object] = {
        "adult_caseworker": True, "coordinator_and_buddy": True, "network_started": True,
        "consent_for_adult_department": True, "first_meeting_held": True,
        "documents_handed_over": 7, "documents_required": 7, "own_consent_needed": False,
        "own_consent": False, "overdue_steps": 0,
    }
    values.update(changes)
    return rules.Readiness(**values)  # type: ignore[arg-type]


def test_ready_needs_every_item_and_counts_what_is_missing() -> None:
    assert _readiness().ready and _readiness().missing == 0
    assert not _readiness(documents_handed_over=6).ready
    assert not _readiness(overdue_steps=1).ready
    assert not _readiness(own_consent_needed=True).ready
    assert _readiness(own_consent_needed=True, own_consent=True).ready
    assert _readiness(adult_caseworker=False, network_started=False).missing == 2
