"""inquiries and closing days

Inquiries (henvendelser) with their 48-working-hour due time, and the closing days an
administrator adds to weekends and Danish public holidays.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 08:58:09.132998
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('closing_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )
    op.create_table('inquiry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('sender_kind', sa.String(length=40), nullable=False),
    sa.Column('sender_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answer_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['answered_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.create_index('ix_inquiry_unacknowledged_due', ['due_at'], unique=False, sqlite_where=sa.text('acknowledged_at IS NULL AND escalated_at IS NULL'), postgresql_where=sa.text('acknowledged_at IS NULL AND escalated_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_inquiry_youth_id'), ['youth_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiry_youth_id'))
        batch_op.drop_index('ix_inquiry_unacknowledged_due', sqlite_where=sa.text('acknowledged_at IS NULL AND escalated_at IS NULL'), postgresql_where=sa.text('acknowledged_at IS NULL AND escalated_at IS NULL'))

    op.drop_table('inquiry')
    op.drop_table('closing_day')
