"""The coordinators' monthly summary e-mail: counts and a link to the overview."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from app import i18n
from app.domain import overview as rules
from app.i18n import gettext
from app.models.outbox import OutboxKind
from app.models.user import Role, User
from app.models.youth import Youth
from app.services import outbox
from app.services.overview import (
    OPEN_CASE,
    count_rows,
    overdue_section,
    soon_18_without_adult,
)
from app.settings import Settings

SUMMARY_HOUR = 7


def send_monthly_summary(session: Session, settings: Settings, now: datetime) -> int:
    """On the first day of each month from 07:00 (or the first run after it), queues one
    short summary per active coordinator: counts and a link, no names and no CPR numbers.
    The dedupe key makes every later run that month a no-op, also one running at the same
    moment. Returns messages queued."""
    local = now.astimezone(settings.tz)
    if local.day == 1 and local.hour < SUMMARY_HOUR:
        return 0
    month = local.date().replace(day=1)
    base = select(Youth).where(col(Youth.status).in_(OPEN_CASE))
    counts = {}
    for milestone in (rules.Milestone.FLAG, rules.Milestone.EIGHTEEN):
        after, on_or_before = rules.births_reaching(rules.MILESTONE_AGE[milestone], month,
                                                    rules.month_end(month))
        counts[milestone] = count_rows(session, base.where(
            col(Youth.birth_date) > after, col(Youth.birth_date) <= on_or_before))
    overdue = overdue_section(session, base, local.date()).total
    no_adult = soon_18_without_adult(session, base, local.date()).total
    coordinators = session.exec(select(User).where(
        User.role == Role.COORDINATOR, col(User.is_active).is_(True)))
    queued = 0
    for coordinator in coordinators:
        with i18n.locale(coordinator.locale):
            subject = gettext("Overgang: the overview for %(month)s") % {
                "month": i18n.format_date(month, "MMMM y")}
            body = "\n".join([
                gettext("This month in Overgang:"),
                "",
                gettext("Reaching 16½ and entering the transition: %(n)s")
                % {"n": counts[rules.Milestone.FLAG]},
                gettext("Turning 18: %(n)s") % {"n": counts[rules.Milestone.EIGHTEEN]},
                gettext("Young people with overdue steps: %(n)s") % {"n": overdue},
                gettext("Turning 18 within six months without an adult caseworker: %(n)s")
                % {"n": no_adult},
                "",
                gettext("See the overview (log in first): %(url)s")
                % {"url": f"{settings.public_base_url}/overview?month={month:%Y-%m}"},
            ])
        queued += outbox.enqueue_once(
            session, settings, kind=OutboxKind.OVERVIEW_SUMMARY, subject=subject, body=body,
            recipient_email=coordinator.email, recipient_name=coordinator.full_name,
            recipient_user_id=coordinator.id, now=now,
            dedupe_key=f"overview:{month:%Y-%m}:{coordinator.id}")
    session.flush()
    return queued
