"""The audit log names its actor's kind: staff, or a citizen logged in through a broker.

Revision ID: 0016
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding columns does not touch the append-only triggers (they refuse UPDATE and DELETE).
    op.add_column('audit_event', sa.Column('actor_kind', sa.String(length=10), nullable=False,
                                           server_default='staff'))
    op.add_column('audit_event', sa.Column('actor_ref', sa.String(length=40), nullable=False,
                                           server_default=''))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ and PostgreSQL): a batch copy would drop the triggers.
    op.execute('ALTER TABLE audit_event DROP COLUMN actor_ref')
    op.execute('ALTER TABLE audit_event DROP COLUMN actor_kind')
