"""The family's own page: citizens' login sessions, a custody holder's keyed CPR hash on the
directory entry, and proposals for the communication agreement.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.migration_checks import check_name, condition, set_checks

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = ('digital_post', 'email', 'letter', 'phone', 'sms', 'meeting')
FREQUENCIES = ('on_change', 'weekly', 'fortnightly', 'monthly', 'quarterly')
STATUSES = ('proposed', 'confirmed', 'declined')
OUTBOX_KINDS = (
    'flagged', 'caseworker_changed', 'meeting_invite', 'meeting_update', 'meeting_cancel',
    'meeting_removed', 'meeting_minutes', 'meeting_counter_declined', 'meeting_reminder',
    'overview_summary', 'inquiry_escalated', 'letter',
)


def _check(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition(column, values), name=check_name(table, column))


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
        _check('communication_proposal', 'comm_channel', CHANNELS),
        _check('communication_proposal', 'comm_frequency', FREQUENCIES),
        _check('communication_proposal', 'status', STATUSES),
    )
    op.create_index('ix_communication_proposal_youth_id', 'communication_proposal',
                    ['youth_id'])
    op.add_column('network_person', sa.Column('cpr_hash', sa.String(length=64), nullable=True))
    op.create_index('ix_network_person_cpr_hash', 'network_person', ['cpr_hash'])
    set_checks('outbox_message', drop=['kind'], add={'kind': (*OUTBOX_KINDS, 'family_notice')})


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM outbox_message WHERE kind = 'family_notice'"))
    set_checks('outbox_message', drop=['kind'], add={'kind': OUTBOX_KINDS})
    op.drop_index('ix_network_person_cpr_hash', 'network_person')
    op.drop_column('network_person', 'cpr_hash')
    op.drop_index('ix_communication_proposal_youth_id', 'communication_proposal')
    op.drop_table('communication_proposal')
    op.drop_index('ix_citizen_session_expires_at', 'citizen_session')
    op.drop_index('ix_citizen_session_cpr_hash', 'citizen_session')
    op.drop_table('citizen_session')
