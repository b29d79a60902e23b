"""The start page's counts: how many of "My tasks" the user has, in one statement, for the
start page's sections and the count beside "My tasks" in the main navigation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.models.user import User
from app.services import inquiries, letters, timeline
from app.settings import Settings


@dataclass(frozen=True)
class TaskCounts:
    steps: int
    inquiries: int
    status_updates: int

    @property
    def total(self) -> int:
        return self.steps + self.inquiries + self.status_updates


def task_counts(session: Session, settings: Settings, user: User, today: date) -> TaskCounts:
    """The steps due or overdue, the unanswered inquiries and the status updates due, as
    "My tasks" lists them, counted by the database (no rows read)."""
    steps, open_inquiries, updates = session.execute(select(
        timeline.my_tasks_count(user, today).scalar_subquery(),
        inquiries.open_for_user_count(user).scalar_subquery(),
        letters.updates_due_count(settings, user, today).scalar_subquery(),
    )).one()
    return TaskCounts(int(steps), int(open_inquiries), int(updates))
