"""audit log refuses INSERT OR REPLACE; login counters know the last failure

On SQLite, `INSERT OR REPLACE` (or `REPLACE INTO`) with the id of an existing audit row
deletes that row and writes a new one, and the delete does not fire the BEFORE DELETE
trigger (SQLite fires delete triggers for REPLACE only with `recursive_triggers` on). A
BEFORE INSERT trigger now refuses any insert whose id is already there, on every
connection, whatever its pragmas. On PostgreSQL there is no REPLACE, and
`INSERT ... ON CONFLICT (id) DO UPDATE` runs the BEFORE UPDATE trigger of 0001, which
refuses it: nothing to add there. (A batch migration that recreates audit_event on SQLite
must recreate this trigger too.)

Failed logins now wait a growing delay counted from the last failure, so login_throttle
gets last_failed_at. The counters start afresh: their keys change too.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 09:00:00.000000
"""
from collections.abc import Sequence
from typing import Literal

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recreate() -> Literal['always', 'auto']:
    # SQLite cannot add a NOT NULL column without a default in place, even to an empty table.
    return 'always' if op.get_bind().dialect.name == "sqlite" else 'auto'


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
            "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
    op.execute("DELETE FROM login_throttle")
    with op.batch_alter_table('login_throttle', recreate=_recreate()) as batch_op:
        batch_op.add_column(
            sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('login_throttle', recreate=_recreate()) as batch_op:
        batch_op.drop_column('last_failed_at')
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
