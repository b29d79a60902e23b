"""The undo rule: within the window after the change, and only if the record still carries
the moment of the change being undone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.undo import UNDO_WINDOW, undo_offered, undo_problem

CHANGED = datetime(2026, 3, 3, 9, 30, 15, 123456, tzinfo=UTC)


def test_an_unchanged_record_can_be_undone_until_the_window_ends():
    assert undo_problem(CHANGED, CHANGED, CHANGED) is None
    assert undo_problem(CHANGED, CHANGED, CHANGED + UNDO_WINDOW) is None
    late = undo_problem(CHANGED, CHANGED, CHANGED + UNDO_WINDOW + timedelta(seconds=1))
    assert late is not None and late.msgid.startswith("A change can be undone only within")
    assert undo_offered(CHANGED, CHANGED + timedelta(minutes=9))
    assert not undo_offered(CHANGED, CHANGED + timedelta(minutes=11))
    assert not undo_offered(None, CHANGED)


def test_a_record_changed_since_or_already_undone_cannot_be_undone():
    again = CHANGED + timedelta(minutes=1)
    for stored in (again, None):
        problem = undo_problem(stored, CHANGED, CHANGED + timedelta(minutes=2))
        assert problem is not None and problem.msgid.startswith("It has been changed again")
    # the same moment in another time zone is the same moment
    other_zone = CHANGED.astimezone(datetime.now().astimezone().tzinfo)
    assert undo_problem(CHANGED, other_zone, CHANGED) is None
    # a moment without a time zone is never the change's
    naive = CHANGED.replace(tzinfo=None)
    assert undo_problem(CHANGED, naive, CHANGED) is not None
