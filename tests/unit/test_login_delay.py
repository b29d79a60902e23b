"""The waits after failed logins: doubling from one minute to a cap, never a lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.login_delay import DelayPolicy, minutes_to_show, wait_left

POLICY = DelayPolicy(free_failures=5, max_delay=timedelta(minutes=15))
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_waits_begin_after_the_free_failures_and_double_up_to_the_cap() -> None:
    minutes = [POLICY.delay(n) / timedelta(minutes=1) for n in range(12)]
    assert minutes == [0, 0, 0, 0, 0, 1, 2, 4, 8, 15, 15, 15]


def test_under_attack_a_pair_waits_from_its_first_failure_and_one_without_failures_never(
) -> None:
    assert POLICY.delay(0, under_attack=True) == timedelta(0)
    assert POLICY.delay(1, under_attack=True) == timedelta(minutes=1)
    assert POLICY.delay(3, under_attack=True) == timedelta(minutes=4)


def test_the_wait_counts_from_the_last_failure_and_ends() -> None:
    last = NOW - timedelta(seconds=50)
    assert wait_left(POLICY, 6, last, NOW) == timedelta(minutes=2) - timedelta(seconds=50)
    assert wait_left(POLICY, 6, last, NOW + timedelta(minutes=2)) == timedelta(0)
    assert wait_left(POLICY, 4, last, NOW) == timedelta(0)
    assert wait_left(POLICY, 9, None, NOW) == timedelta(0)
    assert POLICY.delay(10_000) == timedelta(minutes=15)


def test_minutes_shown_are_rounded_up() -> None:
    assert minutes_to_show(timedelta(seconds=1)) == 1
    assert minutes_to_show(timedelta(seconds=60)) == 1
    assert minutes_to_show(timedelta(seconds=61)) == 2
    assert minutes_to_show(timedelta(minutes=15)) == 15
