"""The coordinators' monthly overview: months, cohorts and readiness, as pure rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from app.domain.validation import FieldError
from app.domain.youth import latest_birth_date_for_age
from app.i18n import N_

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
NEXT_MONTHS_TO_18 = 3
CHART_MONTHS = 12
SOON_18_MONTHS = 6


class Milestone(StrEnum):
    FLAG = "16_5"
    SEVENTEEN = "17"
    SEVENTEEN_HALF = "17_5"
    EIGHTEEN = "18"


MILESTONE_AGE = {
    Milestone.FLAG: relativedelta(years=16, months=6),
    Milestone.SEVENTEEN: relativedelta(years=17),
    Milestone.SEVENTEEN_HALF: relativedelta(years=17, months=6),
    Milestone.EIGHTEEN: relativedelta(years=18),
}
MILESTONE_LABELS = {
    Milestone.FLAG: N_("Turning 16½"),
    Milestone.SEVENTEEN: N_("Turning 17"),
    Milestone.SEVENTEEN_HALF: N_("Turning 17½"),
    Milestone.EIGHTEEN: N_("Turning 18"),
}


def parse_month(text: str | None, today: date) -> date:
    """'YYYY-MM' as the first day of that month; empty means this month."""
    if not text:
        return today.replace(day=1)
    match = _MONTH.fullmatch(text.strip())
    if match and 1 <= int(match[2]) <= 12 and 2000 <= int(match[1]) <= 2100:
        return date(int(match[1]), int(match[2]), 1)
    raise FieldError(N_("Choose a month as YYYY-MM."), field="month")


def month_end(first: date) -> date:
    return first + relativedelta(months=1) - timedelta(days=1)


def add_months(first: date, months: int) -> date:
    return first + relativedelta(months=months)


def births_reaching(age: relativedelta, first: date, last: date) -> tuple[date, date]:
    """(born after, born on or before): exactly those who reach `age` on a day from `first`
    to `last`, by the timeline's calendar arithmetic (born 29 February: 18 on 28 February)."""
    return (latest_birth_date_for_age(age, first - timedelta(days=1)),
            latest_birth_date_for_age(age, last))


@dataclass(frozen=True)
class Readiness:
    """How far one young person's transition has come; each item is shown as text and icon."""

    adult_caseworker: bool
    coordinator_and_buddy: bool
    network_started: bool
    consent_for_adult_department: bool
    first_meeting_held: bool
    documents_handed_over: int
    documents_required: int
    own_consent_needed: bool  # 18 or older: the young person's own consent (or a guardian's)
    own_consent: bool
    overdue_steps: int

    @property
    def documents_done(self) -> bool:
        return self.documents_handed_over >= self.documents_required

    @property
    def ready(self) -> bool:
        """Everything in place for the handover to the adult department."""
        return (self.adult_caseworker and self.coordinator_and_buddy and self.network_started
                and self.consent_for_adult_department and self.first_meeting_held
                and self.documents_done and (self.own_consent or not self.own_consent_needed)
                and self.overdue_steps == 0)

    @property
    def missing(self) -> int:
        checks = [self.adult_caseworker, self.coordinator_and_buddy, self.network_started,
                  self.consent_for_adult_department, self.first_meeting_held,
                  self.documents_done, self.own_consent or not self.own_consent_needed,
                  self.overdue_steps == 0]
        return checks.count(False)
