"""How long a login must wait after failed attempts: pure, no I/O, no clock.

Failed logins are counted per account and client address together (the pair). After a few
free failures each further attempt from that pair waits, and the waits double (1, 2, 4 …
minutes, up to a cap). Nothing is ever locked for good, and the right password from an
address that has not failed for the account is never held back (OWASP ASVS 5.0 V6.3.1:
controls against credential stuffing and brute force, without a malicious account lockout).

When an address has many failures across accounts (password spraying), or an account has
many failures across addresses (a distributed guess), the pairs that have failed there wait
from their first failure instead. Pairs with no failures are not touched by either signal,
so a town hall behind one address keeps working while one machine there guesses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

FIRST_DELAY = timedelta(minutes=1)
# A pair's failures are forgotten this long after its last one (or at a successful login).
PAIR_MEMORY = timedelta(hours=24)


@dataclass(frozen=True)
class DelayPolicy:
    free_failures: int
    max_delay: timedelta

    def delay(self, failures: int, *, under_attack: bool = False) -> timedelta:
        """The wait after a pair's last failure; zero while it still has free attempts."""
        free = 1 if under_attack else self.free_failures
        if failures < free:
            return timedelta(0)
        doublings = min(failures - free, 32)
        return min(self.max_delay, FIRST_DELAY * (1 << doublings))


def wait_left(policy: DelayPolicy, failures: int, last_failed_at: datetime | None,
              now: datetime, *, under_attack: bool = False) -> timedelta:
    """How long the pair must still wait before its next attempt (zero: it may try now)."""
    if last_failed_at is None:
        return timedelta(0)
    left = last_failed_at + policy.delay(failures, under_attack=under_attack) - now
    return max(left, timedelta(0))


def minutes_to_show(wait: timedelta) -> int:
    """Whole minutes, rounded up, so "try again in 1 minute" is never too early."""
    return max(1, math.ceil(wait.total_seconds() / 60))
