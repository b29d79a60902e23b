"""Meeting answers from calendar programs: how an answer came, a proposed time, and a
reminder the day before.

Revision ID: 0018
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = '0018'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('meeting_invitee', sa.Column('answered_via', sa.String(length=40),
                                               nullable=True))
    op.add_column('meeting_invitee', sa.Column('proposed_start', app.models.base.UTCDateTime(),
                                               nullable=True))
    op.add_column('meeting_invitee', sa.Column('proposed_end', app.models.base.UTCDateTime(),
                                               nullable=True))
    op.add_column('meeting_invitee', sa.Column('wants_reminder', sa.Boolean(), nullable=False,
                                               server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('meeting_invitee') as batch:
        batch.drop_column('wants_reminder')
        batch.drop_column('proposed_end')
        batch.drop_column('proposed_start')
        batch.drop_column('answered_via')
