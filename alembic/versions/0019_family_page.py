"""The family's own page: citizens' login sessions, a custody holder's keyed CPR hash on the
directory entry, and proposals for the communication agreement.

Revision ID: 0019
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'citizen_session',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('cpr_hash', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_citizen_session_cpr_hash', 'citizen_session', ['cpr_hash'])
    op.create_index('ix_citizen_session_expires_at', 'citizen_session', ['expires_at'])
    op.create_table(
        'communication_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('youth_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('proposed_by_ref', sa.String(length=40), nullable=False),
        sa.Column('proposed_by_name', sa.String(length=120), nullable=False),
        sa.Column('comm_channel', sa.String(length=40), nullable=False),
        sa.Column('comm_frequency', sa.String(length=40), nullable=False),
        sa.Column('interpreter_language', sa.String(length=60), nullable=False),
        sa.Column('plain_language', sa.Boolean(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=40), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id']),
        sa.ForeignKeyConstraint(['youth_id'], ['youth.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_communication_proposal_youth_id', 'communication_proposal',
                    ['youth_id'])
    with op.batch_alter_table('network_person') as batch:
        batch.add_column(sa.Column('cpr_hash', sa.String(length=64), nullable=True))
        batch.create_index('ix_network_person_cpr_hash', ['cpr_hash'])


def downgrade() -> None:
    with op.batch_alter_table('network_person') as batch:
        batch.drop_index('ix_network_person_cpr_hash')
        batch.drop_column('cpr_hash')
    op.drop_index('ix_communication_proposal_youth_id', 'communication_proposal')
    op.drop_table('communication_proposal')
    op.drop_index('ix_citizen_session_expires_at', 'citizen_session')
    op.drop_index('ix_citizen_session_cpr_hash', 'citizen_session')
    op.drop_table('citizen_session')
