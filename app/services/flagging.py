"""The flagging job: young people reaching the flag age enter the transition.

Idempotent: candidates are claimed with one conditional UPDATE (flagged_at IS NULL) before
anything is written, outbox messages carry a unique dedupe key, and on PostgreSQL the job runs
under an advisory lock. A second run, or two processes at once, flag each young person once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, select

from app import i18n
from app.domain.timeline import FLAG_STEP_KEY, is_late_flag
from app.models.outbox import OutboxKind, OutboxMessage
from app.models.user import Role, User
from app.models.youth import EventKind, SupportExpected, Youth, YouthEvent, YouthStatus
from app.services import outbox, timeline
from app.settings import Settings

CHUNK = 500


@dataclass
class FlagResult:
    flagged: int = 0
    late: int = 0
    for_assessment: int = 0

    def __str__(self) -> str:
        return (f"{self.flagged} flagged ({self.late} late, {self.for_assessment} "
                "for assessment)")


def run(session: Session, settings: Settings, today: date, now: datetime) -> FlagResult:
    result = FlagResult()
    coordinators = list(session.exec(
        select(User).where(User.role == Role.COORDINATOR, col(User.is_active).is_(True))
    ))
    while True:
        ids = list(session.exec(
            select(Youth.id).where(
                col(Youth.flagged_at).is_(None), col(Youth.flag_due_on) <= today,
                col(Youth.status) == YouthStatus.ACTIVE,
                col(Youth.adult_support_expected).in_(
                    [SupportExpected.YES, SupportExpected.NOT_ASSESSED]
                ),
            ).order_by(col(Youth.flag_due_on)).limit(CHUNK)
        ))
        if not ids:
            return result
        claimed = _claim(session, ids, today, now)
        if claimed:
            _after_claim(session, settings, claimed, coordinators, result)
        session.flush()


def _claim(session: Session, ids: list[int | None], today: date, now: datetime) -> list[Youth]:
    """Claim before acting: only rows still unflagged are taken, by exactly one run."""
    claimed_ids = session.execute(
        update(Youth)
        .where(col(Youth.id).in_(ids), col(Youth.flagged_at).is_(None))
        .values(flagged_at=now, transition_started_on=today)
        .returning(col(Youth.id))
        .execution_options(synchronize_session=False)
    ).scalars().all()
    if not claimed_ids:
        return []
    # populate_existing: records already in this session must show the claim just written.
    return list(session.exec(
        select(Youth).where(col(Youth.id).in_(claimed_ids))
        .execution_options(populate_existing=True)
    ))


def _after_claim(session: Session, settings: Settings, youths: list[Youth],
                 coordinators: list[User], result: FlagResult) -> None:
    caseworkers = {
        u.id: u for u in session.exec(
            select(User).where(col(User.id).in_({y.child_caseworker_id for y in youths}))
        )
    }
    marks, events, notes = [], [], []
    for youth in youths:
        assert youth.id is not None and youth.flag_due_on is not None
        created_on = youth.created_at.astimezone(settings.tz).date()
        late = is_late_flag(youth.flag_due_on, created_on)
        assess = youth.adult_support_expected is SupportExpected.NOT_ASSESSED
        result.flagged += 1
        result.late += late
        result.for_assessment += assess
        marks.append({"yid": youth.id, "late": late, "assess": assess})
        events.append({
            "youth_id": youth.id, "at": youth.flagged_at, "actor_id": None,
            "kind": EventKind.FLAGGED,
            "detail": ("late " if late else "") + ("for assessment" if assess else ""),
        })
        recipients: list[tuple[int | None, str]] = [(None, settings.adult_intake_email)]
        worker = caseworkers.get(youth.child_caseworker_id)
        if worker is not None:
            recipients.append((worker.id, worker.email))
        recipients += [(c.id, c.email) for c in coordinators]
        subject, body = flag_message(settings, youth, late=late, assess=assess)
        for user_id, email in dict.fromkeys(recipients):
            notes.append(outbox.row(
                settings, kind=OutboxKind.FLAGGED, subject=subject, body=body,
                recipient_email=email, now=youth.flagged_at, youth_id=youth.id,
                recipient_user_id=user_id, dedupe_key=f"flagged:{youth.id}:{email}"[:120],
            ))
    table = Youth.__table__  # type: ignore[attr-defined]
    session.execute(
        update(table).where(table.c.id == bindparam("yid"))
        .values(flag_late=bindparam("late"), flag_for_assessment=bindparam("assess")),
        marks,
    )
    # Core executemany: one statement per table, not one per row.
    session.execute(insert(YouthEvent.__table__), events)  # type: ignore[attr-defined]
    session.execute(insert(OutboxMessage.__table__), notes)  # type: ignore[attr-defined]
    timeline.complete_by_event(session, [y.id for y in youths if y.id], FLAG_STEP_KEY)


def flag_message(settings: Settings, youth: Youth, *, late: bool,
                 assess: bool) -> tuple[str, str]:
    """A short Danish notice with a link; no name and no CPR number leave the system."""
    assert youth.flag_due_on is not None
    subject, body = _flag_text(youth.flag_due_on, late, assess)
    return subject, body % {"url": f"{settings.public_base_url}/youths/{youth.id}"}


@lru_cache(maxsize=2048)
def _flag_text(flag_due_on: date, late: bool, assess: bool) -> tuple[str, str]:
    """The notice without its link (a %(url)s placeholder); the same for everyone flagged on
    one day, so a run formats each day's text once."""
    with i18n.locale("da"):
        subject = i18n.gettext("A young person has entered the transition")
        lines = [
            i18n.gettext("A young person has reached the flag age and entered the transition "
                         "to the adult department."),
            i18n.gettext("Flag date: %(date)s") % {"date": i18n.format_date(flag_due_on)},
        ]
        if late:
            lines.append(i18n.gettext("The flag is late: the flag date had passed before the "
                                      "young person was registered."))
        if assess:
            lines.append(i18n.gettext("Adult support has not been assessed yet: assess whether "
                                      "the young person will need support as an adult."))
        lines.append(i18n.gettext("See the case (log in first): %(url)s"))
    return subject, "\n\n".join(line.replace("%", "%%") for line in lines[:-1]) + (
        "\n\n" + lines[-1]
    )
