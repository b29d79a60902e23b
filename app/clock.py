"""The one clock: requests, jobs and commands read the time here, and tests freeze it.

The application holds a `Clock` (``app.state.clock``; the scheduler and the commands are given
the same kind). A request's dependencies read it through `deps.NowDep`/`deps.TodayDep`, and
services that stamp a record read the clock of the unit of work they run in through `now()`
(`models.base.utcnow` is that). The security middleware makes the application's clock the
current one for the whole request, `jobs` for each job run, and a test makes a `FrozenClock`
current with `use`. Domain rules never read a clock: they take the time as an argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that shows the moment it is set to until it is moved (tests)."""

    def __init__(self, at: datetime) -> None:
        self.set(at)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a frozen clock needs a timezone-aware moment")
        self.at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self.at += delta

    def now(self) -> datetime:
        return self.at


SYSTEM = SystemClock()
_current: ContextVar[Clock] = ContextVar("overgang_clock", default=SYSTEM)


def current() -> Clock:
    return _current.get()


def now() -> datetime:
    """The current moment on the clock of the unit of work this code runs in."""
    return _current.get().now()


@contextmanager
def use(clock: Clock) -> Iterator[Clock]:
    """Makes `clock` the current one for the code inside (and the threads it starts tasks in)."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)
