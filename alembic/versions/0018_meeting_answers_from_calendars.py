"""Meeting answers from calendar programs: how an answer came, a proposed time, and a
reminder the day before. An answer may now be "tentative" (a calendar program's "maybe"), so
the answer's CHECK constraint is widened, and how it came is checked like every enum column.
The outbox gains two kinds of message: the answer to a proposed time, and the reminder.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base
from app.migration_checks import set_checks

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANSWERS = ('needs_action', 'accepted', 'declined')
OUTBOX_KINDS = (
    'flagged', 'caseworker_changed', 'meeting_invite', 'meeting_update', 'meeting_cancel',
    'meeting_removed', 'meeting_minutes', 'overview_summary', 'inquiry_escalated', 'letter',
)
NEW_OUTBOX_KINDS = ('meeting_counter_declined', 'meeting_reminder')


def upgrade() -> None:
    op.add_column('meeting_invitee', sa.Column('answered_via', sa.String(length=40),
                                               nullable=True))
    op.add_column('meeting_invitee', sa.Column('proposed_start', app.models.base.UTCDateTime(),
                                               nullable=True))
    op.add_column('meeting_invitee', sa.Column('proposed_end', app.models.base.UTCDateTime(),
                                               nullable=True))
    op.add_column('meeting_invitee', sa.Column('wants_reminder', sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    set_checks('meeting_invitee', drop=['answer'], add={
        'answer': (*ANSWERS, 'tentative'), 'answered_via': ('link', 'calendar')})
    set_checks('outbox_message', drop=['kind'], add={'kind': (*OUTBOX_KINDS, *NEW_OUTBOX_KINDS)})


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM outbox_message WHERE kind IN ('meeting_counter_declined', "
                       "'meeting_reminder')"))
    set_checks('outbox_message', drop=['kind'], add={'kind': OUTBOX_KINDS})
    op.execute("UPDATE meeting_invitee SET answer = 'needs_action' WHERE answer = 'tentative'")
    set_checks('meeting_invitee', drop=['answer', 'answered_via'], add={'answer': ANSWERS})
    for column in ('wants_reminder', 'proposed_end', 'proposed_start', 'answered_via'):
        op.drop_column('meeting_invitee', column)  # SQLite 3.35+ drops a column in place
