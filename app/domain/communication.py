"""When the communication agreement says the young person and the family should hear news.

Pure: no I/O, no clock. The agreed frequency counts from the latest status update given, or,
before the first, from the day the case was created.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from app.models.youth import Frequency

INTERVAL: dict[Frequency, timedelta | relativedelta] = {
    Frequency.WEEKLY: timedelta(days=7),
    Frequency.FORTNIGHTLY: timedelta(days=14),
    Frequency.MONTHLY: relativedelta(months=1),
    Frequency.QUARTERLY: relativedelta(months=3),
}


def next_update_due(frequency: Frequency, since: date) -> date | None:
    """The day the next status update is due, counted from ``since``; None when the family
    is told only when something changes (those letters are written by the app)."""
    interval = INTERVAL.get(frequency)
    return None if interval is None else since + interval


def latest_start_due(frequency: Frequency, today: date) -> date | None:
    """The latest day to count from for which the next status update is due by ``today``
    (every earlier day is due too: the due day never falls as the day counted from grows);
    None for "only on change". A query can then count those due without reading them."""
    interval = INTERVAL.get(frequency)
    if interval is None:
        return None
    day: date = today - interval
    one = timedelta(days=1)
    # A month back can land a few days short of or past it (months have different lengths).
    while (due := next_update_due(frequency, day + one)) is not None and due <= today:
        day += one
    while (due := next_update_due(frequency, day)) is not None and due > today:
        day -= one
    return day
