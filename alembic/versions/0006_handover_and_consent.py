"""handover documents and consent records

The document catalogue (seeded with the default documents of a transition), each young
person's handover checklist, and consent records (never deleted; a withdrawal is recorded
on the consent).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_DOCUMENTS = [
    ("child_investigation", "Børnefaglig undersøgelse",
     "Den seneste børnefaglige undersøgelse (barnets lov).", True),
    ("action_plan", "Handleplan", "Den gældende handleplan.", True),
    ("school_statement", "Statusudtalelse fra skole",
     "Skolens beskrivelse af den unges faglige og sociale udvikling.", True),
    ("ppr_assessment", "PPR-vurdering", "Pædagogisk-psykologisk vurdering.", True),
    ("medical_statement", "Lægeerklæring / speciallægeerklæring",
     "Erklæringer om diagnose og funktionsevne.", True),
    ("current_decisions", "Afgørelser om nuværende ydelser",
     "Afgørelser om den støtte, den unge får nu.", True),
    ("education_plan", "Uddannelsesplan", "Den unges uddannelsesplan.", False),
    ("network_map", "Netværkskort", "Netværkskortet fra denne sag.", False),
    ("meeting_minutes", "Referat fra koordineringsmøde",
     "Referatet fra det seneste koordineringsmøde.", False),
    ("own_wishes", "Den unges egne ønsker (\u201com mig\u201d)",
     "Den unges egen beskrivelse af sig selv og sine ønsker til voksenlivet.", True),
]


def upgrade() -> None:
    op.create_table('document_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('giver_role', sa.String(length=40), nullable=False),
    sa.Column('giver_member_id', sa.Integer(), nullable=True),
    sa.Column('giver_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('giver_relation', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('purposes', sa.JSON(), nullable=False),
    sa.Column('document_type_ids', sa.JSON(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('sources', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('invitee_member_ids', sa.JSON(), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('valid_until IS NULL OR valid_until >= given_on',
                       name='ck_consent_valid_until'),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['giver_member_id'], ['network_member.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_youth_id'), ['youth_id'], unique=False)

    op.create_table('handover_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('document_type_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('storage', sa.String(length=40), nullable=True),
    sa.Column('storage_other', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('journal_ref', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handed_over_by_id', sa.Integer(), nullable=True),
    sa.Column('handed_over_consent_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['document_type_id'], ['document_type.id'], ),
    sa.ForeignKeyConstraint(['handed_over_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['handed_over_consent_id'], ['consent.id'], ),
    sa.ForeignKeyConstraint(['received_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('youth_id', 'document_type_id', name='uq_handover_document_type')
    )
    with op.batch_alter_table('handover_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_document_document_type_id'),
                              ['document_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_document_youth_id'), ['youth_id'],
                              unique=False)
    _default_catalogue()


def _default_catalogue() -> None:
    table = sa.table(
        "document_type", sa.column("key", sa.String), sa.column("name", sa.String),
        sa.column("description", sa.String), sa.column("required", sa.Boolean),
        sa.column("active", sa.Boolean), sa.column("position", sa.Integer),
    )
    op.bulk_insert(table, [
        {"key": key, "name": name, "description": description, "required": required,
         "active": True, "position": (i + 1) * 10}
        for i, (key, name, description, required) in enumerate(DEFAULT_DOCUMENTS)
    ])


def downgrade() -> None:
    with op.batch_alter_table('handover_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_document_youth_id'))
        batch_op.drop_index(batch_op.f('ix_handover_document_document_type_id'))
    op.drop_table('handover_document')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_youth_id'))
    op.drop_table('consent')
    op.drop_table('document_type')
