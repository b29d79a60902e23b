"""Working days and the "answer within 48 hours on working days" deadline. Pure.

Rules:

* A working day is Monday to Friday, except Danish public holidays and the closing days an
  administrator has set. Public holidays come from ``holidays.country_holidays("DK")``:
  New Year's Day, Maundy Thursday (skærtorsdag), Good Friday (langfredag), Easter Sunday
  and Monday, Ascension Day (Kristi himmelfartsdag), Whit Sunday and Monday, 25 and 26
  December, and Great Prayer Day (store bededag) up to and including 2023 only: it was
  abolished from 2024. Constitution Day (grundlovsdag, 5 June), 24 December and
  31 December are not public holidays; a municipality that closes on them sets them as
  closing days. Closing days are whole days.
* ``due_at`` counts hours on working days only, in wall-clock time in the given time zone
  (Europe/Copenhagen by default): every working day holds 24 counted hours, from 00:00 to
  24:00; hours that elapse on a non-working day do not count.
* An inquiry received on a non-working day starts counting at 00:00 of the next working
  day. One received on a working day starts counting at the moment it was received.
* 48 hours is therefore the same time of day two working days later: Wednesday 14:00 is
  due Friday 14:00; Friday 10:00 is due Tuesday 10:00; Saturday 15:00 is due Wednesday
  00:00 (Monday and Tuesday count in full).
* The deadline is always on a working day: when the count ends exactly at midnight after
  a working day that is followed by a non-working day, the due time is 00:00 of the next
  working day. No working time elapses in between, so the two moments are equivalent, and
  a job that looks for overdue inquiries does not flag them over a weekend.
* Counting wall-clock days keeps the result DST-safe: a deadline keeps the time of day of
  the receipt, whatever the UTC offset. Danish clock changes happen on Sundays, which are
  never working days, so every counted day is also exactly 24 real hours long, and the
  due time is never earlier than ``received_at`` plus ``hours``.
* ``received_at`` must be timezone-aware; the result is aware, in ``tz``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "COPENHAGEN",
    "DEFAULT_RESPONSE_HOURS",
    "customary_closing_days",
    "due_at",
    "is_public_holiday",
    "is_working_day",
    "next_working_day",
    "public_holidays",
]

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DEFAULT_RESPONSE_HOURS = 48

_DAY = timedelta(days=1)
_SATURDAY = 5


@lru_cache(maxsize=64)
def _holidays_in(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("DK", years=year, language="da").items())


def public_holidays(year: int) -> dict[date, str]:
    """The Danish public holidays of ``year`` with their Danish names."""
    return dict(_holidays_in(year))


def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is a Danish public holiday (helligdag)."""
    return day in _holidays_in(day.year)


def customary_closing_days(year: int) -> dict[date, str]:
    """Days that are not public holidays but on which many workplaces close, with Danish
    names: 1 May, Constitution Day (5 June), 24 December and 31 December. Suggestions for
    an administrator; they count as working days unless set as closing days."""
    optional = holidays.country_holidays(
        "DK", years=year, language="da", categories=(holidays.OPTIONAL,)
    )
    return dict(optional.items())


def is_working_day(day: date, closing_days: Collection[date] = frozenset()) -> bool:
    """Monday to Friday, not a Danish public holiday and not a closing day."""
    return day.weekday() < _SATURDAY and not is_public_holiday(day) and day not in closing_days


def next_working_day(day: date, closing_days: Collection[date] = frozenset()) -> date:
    """The first working day strictly after ``day``."""
    candidate = day + _DAY
    while not is_working_day(candidate, closing_days):
        candidate += _DAY
    return candidate


def due_at(
    received_at: datetime,
    hours: int = DEFAULT_RESPONSE_HOURS,
    closing_days: Collection[date] = frozenset(),
    tz: tzinfo = COPENHAGEN,
) -> datetime:
    """When an inquiry received at ``received_at`` must be answered: ``hours`` counted on
    working days only (see the module docstring for the exact rules).

    Raises ``ValueError`` if ``received_at`` is naive or ``hours`` is negative.
    """
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware")
    if hours < 0:
        raise ValueError("hours must not be negative")

    local = received_at.astimezone(tz).replace(tzinfo=None)
    if is_working_day(local.date(), closing_days):
        cursor = local
    else:
        cursor = datetime.combine(next_working_day(local.date(), closing_days), time())

    remaining = timedelta(hours=hours)
    while True:
        day_end = datetime.combine(cursor.date() + _DAY, time())
        if remaining < day_end - cursor:
            return _aware(cursor + remaining, tz)
        remaining -= day_end - cursor
        cursor = datetime.combine(next_working_day(cursor.date(), closing_days), time())
        if not remaining:
            return _aware(cursor, tz)


def _aware(wall_clock: datetime, tz: tzinfo) -> datetime:
    """Attach ``tz`` to a wall-clock time; a time skipped by a clock change moves forward."""
    return wall_clock.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
