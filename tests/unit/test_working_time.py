from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.working_time import (
    COPENHAGEN,
    customary_closing_days,
    due_at,
    is_public_holiday,
    is_working_day,
    next_working_day,
    public_holidays,
)


def cph(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN)


def elapsed(start, end):
    """Real time between two instants. (Subtracting two datetimes that share a tzinfo
    object gives the wall-clock difference instead.)"""
    return end.astimezone(UTC) - start.astimezone(UTC)


def assert_same_instant_and_zone(actual, expected):
    assert actual == expected
    assert actual.tzinfo is COPENHAGEN
    assert actual.utcoffset() == expected.utcoffset()


# --- working days ----------------------------------------------------------------------------


def test_weekdays_are_working_days_and_weekends_are_not():
    assert is_working_day(date(2026, 1, 9))  # Friday
    assert not is_working_day(date(2026, 1, 10))  # Saturday
    assert not is_working_day(date(2026, 1, 11))  # Sunday
    assert is_working_day(date(2026, 1, 12))  # Monday


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2027, 1, 1), "Nytårsdag"),
        (date(2027, 3, 25), "Skærtorsdag"),
        (date(2027, 3, 26), "Langfredag"),
        (date(2027, 3, 29), "Anden påskedag"),
        (date(2027, 5, 6), "Kristi himmelfartsdag"),
        (date(2027, 5, 17), "Anden pinsedag"),
        (date(2026, 12, 25), "Juledag"),
        (date(2026, 12, 26), "Anden juledag"),
    ],
)
def test_danish_public_holidays_are_not_working_days(day, name):
    assert is_public_holiday(day)
    assert public_holidays(day.year)[day] == name
    assert not is_working_day(day)


def test_store_bededag_is_a_holiday_until_2023_and_a_working_day_from_2024():
    assert not is_working_day(date(2023, 5, 5))  # the last store bededag
    assert is_working_day(date(2024, 4, 26))  # the fourth Friday after Easter 2024
    assert is_working_day(date(2025, 5, 16))
    assert is_working_day(date(2026, 5, 1))
    assert is_working_day(date(2027, 4, 23))


@pytest.mark.parametrize(
    "day",
    [date(2026, 6, 5), date(2026, 12, 24), date(2026, 12, 31), date(2026, 5, 1)],
)
def test_grundlovsdag_christmas_eve_new_years_eve_and_1_may_are_working_days(day):
    assert not is_public_holiday(day)
    assert is_working_day(day)
    assert day in customary_closing_days(day.year)


def test_an_administrator_set_closing_day_is_not_a_working_day():
    assert not is_working_day(date(2026, 6, 5), frozenset({date(2026, 6, 5)}))


def test_public_holidays_returns_a_copy():
    public_holidays(2027).clear()
    assert date(2027, 1, 1) in public_holidays(2027)


def test_next_working_day_skips_easter():
    assert next_working_day(date(2027, 3, 24)) == date(2027, 3, 30)


# --- due_at ------------------------------------------------------------------------------------


def test_within_one_working_week():
    assert_same_instant_and_zone(due_at(cph(2026, 1, 7, 14)), cph(2026, 1, 9, 14))


def test_across_a_weekend():
    assert_same_instant_and_zone(due_at(cph(2026, 1, 9, 10)), cph(2026, 1, 13, 10))


def test_received_on_a_saturday_starts_counting_on_monday_at_midnight():
    assert_same_instant_and_zone(due_at(cph(2026, 1, 10, 15)), cph(2026, 1, 14))


def test_received_on_a_sunday_just_before_midnight():
    assert_same_instant_and_zone(due_at(cph(2026, 1, 11, 23, 59)), cph(2026, 1, 14))


def test_count_ending_at_midnight_before_a_weekend_is_due_on_monday_at_midnight():
    # Thursday 00:00 + 48 h ends exactly at Friday 24:00.
    assert_same_instant_and_zone(due_at(cph(2026, 1, 8)), cph(2026, 1, 12))


def test_received_on_wednesday_before_easter_is_due_after_easter():
    # Skærtorsdag 25/3, langfredag 26/3, påskedag 28/3 and 2. påskedag 29/3 2027 do not
    # count; summer time starts on 28/3 as well.
    due = due_at(cph(2027, 3, 24, 14))
    assert_same_instant_and_zone(due, cph(2027, 3, 31, 14))
    assert due.utcoffset() == timedelta(hours=2)
    assert due.astimezone(UTC) == datetime(2027, 3, 31, 12, tzinfo=UTC)


def test_received_on_langfredag_starts_counting_after_easter():
    assert_same_instant_and_zone(due_at(cph(2027, 3, 26, 11)), cph(2027, 4, 1))


def test_across_kristi_himmelfartsdag():
    assert_same_instant_and_zone(due_at(cph(2027, 5, 5, 9)), cph(2027, 5, 10, 9))


def test_friday_after_kristi_himmelfartsdag_as_closing_day():
    closing = frozenset({date(2027, 5, 7)})
    assert_same_instant_and_zone(
        due_at(cph(2027, 5, 5, 9), closing_days=closing), cph(2027, 5, 11, 9)
    )


def test_across_christmas():
    # 24 December is a working day unless the municipality closes.
    assert_same_instant_and_zone(due_at(cph(2026, 12, 22, 12)), cph(2026, 12, 24, 12))


def test_across_christmas_with_christmas_eve_closed():
    closing = frozenset({date(2026, 12, 24), date(2026, 12, 31)})
    assert_same_instant_and_zone(
        due_at(cph(2026, 12, 22, 12), closing_days=closing), cph(2026, 12, 28, 12)
    )


def test_across_new_year():
    assert_same_instant_and_zone(due_at(cph(2026, 12, 30, 16)), cph(2027, 1, 4, 16))


def test_across_new_year_with_new_years_eve_closed():
    closing = frozenset({date(2026, 12, 31)})
    assert_same_instant_and_zone(
        due_at(cph(2026, 12, 30, 16), closing_days=closing), cph(2027, 1, 5, 16)
    )


def test_an_administrator_set_closing_day_does_not_count():
    # Grundlovsdag, Friday 5 June 2026.
    assert_same_instant_and_zone(due_at(cph(2026, 6, 4, 10)), cph(2026, 6, 8, 10))
    closing = frozenset({date(2026, 6, 5)})
    assert_same_instant_and_zone(
        due_at(cph(2026, 6, 4, 10), closing_days=closing), cph(2026, 6, 9, 10)
    )


def test_received_on_a_closing_day_starts_counting_on_the_next_working_day():
    closing = frozenset({date(2026, 6, 5)})
    assert_same_instant_and_zone(
        due_at(cph(2026, 6, 5, 10), closing_days=closing), cph(2026, 6, 10)
    )


def test_across_the_spring_dst_change_keeps_the_time_of_day():
    # Summer time starts Sunday 29 March 2026.
    due = due_at(cph(2026, 3, 27, 10))
    assert_same_instant_and_zone(due, cph(2026, 3, 31, 10))
    assert cph(2026, 3, 27, 10).utcoffset() == timedelta(hours=1)
    assert due.utcoffset() == timedelta(hours=2)
    assert elapsed(cph(2026, 3, 27, 10), due) == timedelta(hours=95)


def test_across_the_autumn_dst_change_keeps_the_time_of_day():
    # Winter time starts Sunday 25 October 2026.
    due = due_at(cph(2026, 10, 23, 10))
    assert_same_instant_and_zone(due, cph(2026, 10, 27, 10))
    assert due.utcoffset() == timedelta(hours=1)
    assert elapsed(cph(2026, 10, 23, 10), due) == timedelta(hours=97)


def test_received_during_the_repeated_hour_of_the_autumn_change():
    # 02:30 on 25 October 2026 happens twice; either way it is a Sunday.
    first = datetime(2026, 10, 25, 2, 30, tzinfo=COPENHAGEN, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=COPENHAGEN, fold=1)
    assert due_at(first) == due_at(second) == cph(2026, 10, 28)


def test_received_in_utc_is_counted_in_copenhagen_time():
    # 22:30Z on Friday 9 January 2026 is 23:30 in Copenhagen, still Friday.
    due = due_at(datetime(2026, 1, 9, 22, 30, tzinfo=UTC))
    assert_same_instant_and_zone(due, cph(2026, 1, 13, 23, 30))
    # 23:30Z on Friday is 00:30 Saturday in Copenhagen: counting starts Monday.
    assert due_at(datetime(2026, 1, 9, 23, 30, tzinfo=UTC)) == cph(2026, 1, 14)


def test_other_hour_counts():
    assert due_at(cph(2026, 1, 9, 10), hours=24) == cph(2026, 1, 12, 10)
    assert due_at(cph(2026, 1, 9, 10), hours=6) == cph(2026, 1, 9, 16)
    assert due_at(cph(2026, 1, 9, 10), hours=0) == cph(2026, 1, 9, 10)
    assert due_at(cph(2026, 1, 10, 10), hours=0) == cph(2026, 1, 12)


def test_it_refuses_a_naive_received_time():
    with pytest.raises(ValueError, match="aware"):
        due_at(datetime(2026, 1, 9, 10))


def test_it_refuses_negative_hours():
    with pytest.raises(ValueError, match="negative"):
        due_at(cph(2026, 1, 9, 10), hours=-1)


# --- properties ------------------------------------------------------------------------------


def counted_working_time(start, end, closing_days):
    """Reference count: wall-clock time in Copenhagen between two instants that falls on
    working days, summed day by day."""
    local_start = start.astimezone(COPENHAGEN).replace(tzinfo=None)
    local_end = end.astimezone(COPENHAGEN).replace(tzinfo=None)
    total = timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(day, closing_days):
            day_start = datetime.combine(day, time())
            day_end = day_start + timedelta(days=1)
            overlap = min(day_end, local_end) - max(day_start, local_start)
            total += max(overlap, timedelta())
        day += timedelta(days=1)
    return total


received_times = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.just(COPENHAGEN),
    allow_imaginary=False,
)
closing_day_sets = st.frozensets(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2036, 3, 31)), max_size=20
)


@settings(max_examples=300, deadline=None)
@given(received=received_times, hours=st.integers(0, 200), closing_days=closing_day_sets)
def test_due_time_is_on_a_working_day_and_never_earlier_than_received_plus_hours(
    received, hours, closing_days
):
    due = due_at(received, hours, closing_days)

    assert due.tzinfo is COPENHAGEN
    assert is_working_day(due.date(), closing_days)
    assert elapsed(received, due) >= timedelta(hours=hours)
    assert counted_working_time(received, due, closing_days) == timedelta(hours=hours)


@settings(max_examples=200, deadline=None)
@given(received=received_times, closing_days=closing_day_sets)
def test_due_time_is_the_same_whatever_zone_the_received_time_is_given_in(received, closing_days):
    assert due_at(received.astimezone(UTC), closing_days=closing_days) == due_at(
        received, closing_days=closing_days
    )
