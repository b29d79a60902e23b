"""Removing expired login sessions and stale login-failure counters."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, text
from sqlmodel import Session, col

from app.models.user import UserSession
from app.services import auth
from app.settings import Settings


def purge_expired(session: Session, settings: Settings, now: datetime) -> int:
    idle_cutoff = now - timedelta(minutes=settings.session_idle_minutes)
    removed = session.execute(
        delete(UserSession).where(
            (col(UserSession.expires_at) <= now) | (col(UserSession.last_seen_at) <= idle_cutoff)
        )
    ).rowcount  # type: ignore[attr-defined]
    auth.purge_login_counters(session, settings, now)
    session.flush()
    return int(removed or 0)


def refresh_statistics(session: Session) -> str:
    """Query-planner statistics. PostgreSQL keeps them itself (autovacuum); SQLite only has
    them after ANALYZE, and without them it picks poor indexes for the overview's counts.
    A full ANALYZE (about a second at 100,000 young people): sampled statistics
    (analysis_limit) led the planner to the same poor choices."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return "not needed"
    session.execute(text("ANALYZE"))
    session.flush()
    return "analyzed"
