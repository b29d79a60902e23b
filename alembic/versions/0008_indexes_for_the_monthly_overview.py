"""indexes for the monthly overview

Composite indexes that let the overview's counts and groupings (overdue, flags per month,
caseworker load, 18th birthdays by readiness) read an index instead of the rows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:16:19.660140
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_youth_next_open_due_on'))
        batch_op.drop_index(batch_op.f('ix_youth_flagged_at'))
        batch_op.create_index('ix_youth_flagged_at', ['flagged_at', 'status'], unique=False)
        batch_op.drop_index('ix_youth_status_birth')
        batch_op.create_index('ix_youth_status_birth', ['status', 'birth_date', 'adult_caseworker_id', 'coordinator_id', 'buddy_id', 'next_open_due_on'], unique=False)
        batch_op.create_index('ix_youth_open_due_status', ['next_open_due_on', 'status'], unique=False)
        batch_op.create_index('ix_youth_status_adult_caseworker', ['status', 'adult_caseworker_id'], unique=False)
        batch_op.create_index('ix_youth_status_child_caseworker', ['status', 'child_caseworker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.drop_index('ix_youth_status_child_caseworker')
        batch_op.drop_index('ix_youth_status_adult_caseworker')
        batch_op.drop_index('ix_youth_open_due_status')
        batch_op.drop_index('ix_youth_status_birth')
        batch_op.create_index('ix_youth_status_birth', ['status', 'birth_date'], unique=False)
        batch_op.drop_index('ix_youth_flagged_at')
        batch_op.create_index(batch_op.f('ix_youth_flagged_at'), ['flagged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_youth_next_open_due_on'), ['next_open_due_on'], unique=False)

