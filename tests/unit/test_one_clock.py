"""One clock: nothing in the application reads the machine's clock but app/clock.py."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import clock
from app.clock import FrozenClock

APP = Path(__file__).resolve().parents[2] / "app"
# time.monotonic measures how long something takes, which no frozen clock should stop.
READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
         ("time", "time")}


def _clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in READS):
            found.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    return found


def test_no_module_but_the_clock_reads_the_machines_time():
    reads = [r for p in sorted(APP.rglob("*.py")) if p.name != "clock.py"
             for r in _clock_reads(p)]
    assert reads == [], "read the time from app.clock (NowDep/TodayDep in routes)"


def test_a_frozen_clock_is_the_current_one_inside_use_and_moves_only_when_told():
    at = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # 01:30 in Copenhagen, the night DST starts
    frozen = FrozenClock(at)
    before = clock.current()
    with clock.use(frozen):
        assert clock.now() == at
        frozen.advance(timedelta(hours=2))
        assert clock.now() == at + timedelta(hours=2)
    assert clock.current() is before
    with pytest.raises(ValueError):
        FrozenClock(datetime(2027, 3, 28, 1, 30))

