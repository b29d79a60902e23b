from __future__ import annotations

from datetime import date

import pytest

from app.domain.timeline import (
    Offset,
    StepStatus,
    check_offsets_unique,
    due_date,
    is_late_flag,
    step_status,
)
from app.domain.validation import FieldError

FLAG = Offset(16, 6)


@pytest.mark.parametrize(
    ("birth", "offset", "expected"),
    [
        (date(2010, 8, 31), FLAG, date(2027, 2, 28)),  # last day of February
        (date(2011, 8, 31), FLAG, date(2028, 2, 29)),  # ... in a leap year
        (date(2008, 2, 29), Offset(16, 0), date(2024, 2, 29)),
        (date(2008, 2, 29), Offset(17, 0), date(2025, 2, 28)),
        (date(2008, 2, 29), Offset(18, 0), date(2026, 2, 28)),
        (date(2008, 2, 29), FLAG, date(2024, 8, 29)),
        (date(2010, 12, 31), Offset(17, 3), date(2028, 3, 31)),
        (date(2010, 5, 31), Offset(17, 6), date(2027, 11, 30)),
        (date(2010, 1, 31), Offset(18, 3), date(2028, 4, 30)),
        # births in the weeks of the DST changes: dates, not times, so no hour is lost
        (date(2010, 3, 28), FLAG, date(2026, 9, 28)),
        (date(2010, 4, 25), FLAG, date(2026, 10, 25)),
        (date(2009, 9, 29), FLAG, date(2026, 3, 29)),
    ],
)
def test_due_dates_use_calendar_arithmetic(birth, offset, expected):
    assert due_date(birth, offset) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 1), StepStatus.UPCOMING),
        (date(2026, 5, 1), StepStatus.UPCOMING),
        (date(2026, 5, 2), StepStatus.DUE),  # 30 days before
        (date(2026, 6, 1), StepStatus.DUE),  # the due date itself
        (date(2026, 6, 2), StepStatus.OVERDUE),
    ],
)
def test_a_step_is_upcoming_then_due_then_overdue(today, expected):
    assert step_status(date(2026, 6, 1), today) is expected


def test_done_and_not_applicable_win_over_the_date():
    assert step_status(date(2020, 1, 1), date(2026, 1, 1), done=True) is StepStatus.DONE
    assert step_status(date(2020, 1, 1), date(2026, 1, 1), not_applicable=True) is (
        StepStatus.NOT_APPLICABLE
    )


def test_negative_offsets_and_bad_months_are_refused():
    with pytest.raises(FieldError):
        Offset(-1, 0)
    with pytest.raises(FieldError):
        Offset(16, 12)
    with pytest.raises(FieldError):
        Offset(16, -1)


def test_duplicate_offsets_are_refused():
    check_offsets_unique([Offset(16, 0), Offset(16, 6)])
    with pytest.raises(FieldError):
        check_offsets_unique([Offset(16, 6), Offset(17, 0), Offset(16, 6)])


def test_a_flag_is_late_only_when_its_date_passed_before_the_record_was_created():
    assert is_late_flag(date(2026, 1, 1), date(2026, 1, 2))
    assert not is_late_flag(date(2026, 1, 2), date(2026, 1, 2))
