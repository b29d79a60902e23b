"""Undoing a change shortly after it was made: the rule. Pure: the time is an argument.

A change the page has just confirmed (a step marked as done, a document's new status) can be
undone for a short while by the person who sees the confirmation, but only if the record has
not changed since: the undo names the moment of the change it undoes, and the record must
still carry exactly that moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.i18n import N_, Msg

UNDO_WINDOW = timedelta(minutes=10)
UNDO_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)


def undo_problem(changed_at: datetime | None, undoing: datetime, now: datetime,
                 window: timedelta = UNDO_WINDOW) -> Msg | None:
    """Why the change made at `undoing` can no longer be undone, or None when it can.

    `changed_at` is the moment of the record's latest change as it is stored now (None: the
    change has been reversed already). All moments are timezone-aware."""
    if changed_at is None or undoing.tzinfo is None or changed_at != undoing:
        return Msg(N_("It has been changed again since, so it can no longer be undone. "
                      "Check the status and change it if needed."))
    if now - undoing > window:
        return Msg(N_("A change can be undone only within %(minutes)s minutes. Change the "
                      "status instead if needed."), minutes=UNDO_MINUTES)
    return None


def undo_offered(changed_at: datetime | None, now: datetime,
                 window: timedelta = UNDO_WINDOW) -> bool:
    """Whether to offer undoing the change made at `changed_at` (the same rule, asked when
    the confirmation is shown)."""
    return changed_at is not None and undo_problem(changed_at, changed_at, now, window) is None
