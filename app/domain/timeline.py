"""The transition timeline: due dates by calendar arithmetic and step statuses. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from app.domain.validation import FieldError
from app.i18n import N_

DUE_SOON_DAYS = 30
FLAG_STEP_KEY = "flag"
# The steps an event closes: the first coordination meeting held, every required document
# handed over.
FIRST_MEETING_STEP_KEY = "first_meeting"
HANDOVER_STEP_KEY = "handover"


class StepStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Offset:
    years: int
    months: int

    def __post_init__(self) -> None:
        if self.years < 0 or self.months < 0 or self.months > 11:
            raise FieldError(
                N_("The offset must be zero or more years and 0 to 11 months."), field="offset"
            )

    @property
    def delta(self) -> relativedelta:
        return relativedelta(years=self.years, months=self.months)

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


def due_date(birth_date: date, offset: Offset) -> date:
    """Birth date plus the offset; 31 August + 16y6m is the last day of February."""
    result: date = birth_date + offset.delta
    return result


def step_status(
    due_on: date, today: date, *, done: bool = False, not_applicable: bool = False
) -> StepStatus:
    """Done and not applicable win; otherwise overdue after the due date, due within
    DUE_SOON_DAYS before it, upcoming before that."""
    if done:
        return StepStatus.DONE
    if not_applicable:
        return StepStatus.NOT_APPLICABLE
    if today > due_on:
        return StepStatus.OVERDUE
    if today >= due_on - timedelta(days=DUE_SOON_DAYS):
        return StepStatus.DUE
    return StepStatus.UPCOMING


def is_late_flag(flag_due_on: date, created_on: date) -> bool:
    """A flag is late when its date had passed before the record was created."""
    return flag_due_on < created_on


def check_offsets_unique(offsets: list[Offset]) -> None:
    seen: set[int] = set()
    for offset in offsets:
        if offset.total_months in seen:
            raise FieldError(N_("Another step already has this offset."), field="offset")
        seen.add(offset.total_months)


CHART_START_MONTHS = 15 * 12 + 6
CHART_END_MONTHS = 18 * 12 + 6
CHART_WIDTH = 760
CHART_MARGIN = 40


def age_in_months(birth_date: date, day: date) -> float:
    """Age as fractional months (for drawing): whole months plus the part of the next."""
    delta = relativedelta(day, birth_date)
    months = delta.years * 12 + delta.months
    start = birth_date + relativedelta(months=months)
    end = birth_date + relativedelta(months=months + 1)
    return months + (day - start).days / max(1, (end - start).days)


def chart_x(birth_date: date, day: date) -> float:
    """The x position of a day on the age axis of the timeline picture, clamped to it."""
    months = min(max(age_in_months(birth_date, day), CHART_START_MONTHS), CHART_END_MONTHS)
    span = CHART_END_MONTHS - CHART_START_MONTHS
    return round(CHART_MARGIN + (months - CHART_START_MONTHS) / span * CHART_WIDTH, 1)


def chart_ticks() -> list[tuple[float, str]]:
    """Half-year ticks: (x, label) such as (x, "16½")."""
    ticks = []
    span = CHART_END_MONTHS - CHART_START_MONTHS
    for months in range(CHART_START_MONTHS, CHART_END_MONTHS + 1, 6):
        x = round(CHART_MARGIN + (months - CHART_START_MONTHS) / span * CHART_WIDTH, 1)
        label = f"{months // 12}" + ("½" if months % 12 else "")
        ticks.append((x, label))
    return ticks
