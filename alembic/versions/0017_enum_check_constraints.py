"""Every enum column refuses a value the code does not know (a CHECK constraint per column),
and invitees keep their network role as its label, not the enum's value.

On PostgreSQL the constraints are added in place (each checks the rows already there). SQLite
cannot add a constraint to a table, so each table is rebuilt as SQLite describes it: a new
table from the stored CREATE TABLE with the constraints added, the rows copied, the old table
dropped, the new one renamed, its indexes and triggers created again (the audit log's
append-only triggers among them). Alembic runs SQLite migrations with foreign keys off and
checks them before committing (alembic/env.py).

Before anything changes, every column is checked for values outside its enum; if one is
found, the migration stops and names the table, the column and the values.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from app.migration_checks import (
    check_name,
    condition,
    create_sql,
    rebuild_sqlite,
    refuse_unknown_values,
    with_checks,
    without_check,
)

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values of each enum column at this revision (app/models; a later value needs a later
# migration that widens the column's constraint).
ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    'app_user': {
        'role': (
            'child_caseworker', 'adult_caseworker', 'coordinator', 'admin',
        ),
    },
    'audit_event': {
        'action': (
            'login', 'login_failed', 'login_throttled', 'logout', 'read', 'create', 'update',
            'delete', 'reveal_cpr', 'search_cpr', 'import', 'export',
        ),
    },
    'caseworker_change': {
        'role': (
            'coordinator', 'buddy',
        ),
        'kind': (
            'planned_temporary', 'planned_permanent', 'unplanned_permanent',
        ),
    },
    'consent': {
        'giver_role': (
            'youth', 'custody_holder', 'guardian',
        ),
        'method': (
            'written', 'verbal_noted', 'digital',
        ),
    },
    'handover_document': {
        'status': (
            'needed', 'requested', 'received', 'handed_over', 'acknowledged',
        ),
        'storage': (
            'dubu', 'sbsys', 'cura', 'nexus', 'paper', 'other',
        ),
    },
    'inquiry': {
        'channel': (
            'digital_post', 'email', 'letter', 'phone', 'sms', 'meeting',
        ),
        'sender_kind': (
            'youth', 'family', 'professional', 'other',
        ),
    },
    'meeting': {
        'kind': (
            'coordination', 'transition', 'follow_up', 'info_18',
        ),
        'status': (
            'planned', 'held', 'cancelled',
        ),
        'place_kind': (
            'home', 'town_hall', 'online', 'other',
        ),
    },
    'meeting_invitee': {
        'channel': (
            'digital_post', 'email', 'letter', 'phone', 'sms', 'meeting',
        ),
        'answer': (
            'needs_action', 'accepted', 'declined',
        ),
    },
    'network_member': {
        'sector': (
            'family', 'friends_leisure', 'school_work', 'professionals',
        ),
        'role': (
            'mother', 'father', 'step_parent', 'foster_parent', 'sibling', 'grandparent',
            'other_relative', 'friend', 'partner', 'leisure', 'other_private', 'guardian',
            'bisidder', 'teacher', 'mentor', 'employer', 'other_school_work', 'uu_counsellor',
            'ppr_psychologist', 'gp', 'psychiatrist', 'contact_person', 'caseworker',
            'support_worker', 'therapist', 'other_professional',
        ),
        'preferred_channel': (
            'digital_post', 'email', 'letter', 'phone', 'sms', 'meeting',
        ),
    },
    'network_person': {
        'kind': (
            'private', 'professional',
        ),
    },
    'outbox_message': {
        'kind': (
            'flagged', 'caseworker_changed', 'meeting_invite', 'meeting_update', 'meeting_cancel',
            'meeting_removed', 'meeting_minutes', 'overview_summary', 'inquiry_escalated',
            'letter',
        ),
        'status': (
            'pending', 'sent', 'failed', 'manual',
        ),
        'channel': (
            'digital_post', 'email', 'letter', 'phone', 'sms', 'meeting',
        ),
    },
    'review_answer': {
        'point': (
            'timeline_on_time', 'consent_before_handover', 'first_meeting_by_17',
            'communication_agreement', 'status_updates_on_time', 'inquiries_in_time',
            'youth_say_in_coordinator', 'citizen_involvement', 'case_notes',
        ),
        'prefill': (
            'met', 'not_met', 'not_relevant',
        ),
        'judgement': (
            'met', 'not_met', 'not_relevant',
        ),
    },
    'review_case': {
        'status': (
            'pending', 'reviewed',
        ),
    },
    'review_event': {
        'kind': (
            'sample_drawn', 'reviewed', 'review_changed', 'follow_up_set', 'follow_up_done',
        ),
    },
    'review_finding': {
        'area': (
            'children', 'transition', 'adults',
        ),
    },
    'review_sample': {
        'area': (
            'children', 'transition', 'adults',
        ),
    },
    'status_update': {
        'channel': (
            'digital_post', 'email', 'letter', 'phone', 'sms', 'meeting',
        ),
    },
    'timeline_step': {
        'department': (
            'children', 'adults', 'both',
        ),
        'completion': (
            'manual', 'event',
        ),
    },
    'youth': {
        'adult_support_expected': (
            'yes', 'no', 'not_assessed',
        ),
        'comm_channel': (
            'digital_post', 'email', 'letter', 'phone', 'sms', 'meeting',
        ),
        'comm_frequency': (
            'on_change', 'weekly', 'fortnightly', 'monthly', 'quarterly',
        ),
        'status': (
            'active', 'transferred', 'closed',
        ),
    },
    'youth_event': {
        'kind': (
            'created', 'updated', 'status_changed', 'caseworker_changed', 'imported', 'flagged',
            'step_done', 'step_reopened', 'step_not_applicable', 'network_member_added',
            'network_member_changed', 'network_member_moved', 'network_member_removed',
            'handover_note_seen', 'document_requested', 'document_received',
            'document_handed_over', 'document_acknowledged', 'document_status_corrected',
            'document_handover_refused', 'document_place_changed', 'consent_recorded',
            'consent_withdrawn', 'meeting_planned', 'meeting_changed', 'meeting_cancelled',
            'meeting_held', 'inquiry_received', 'inquiry_acknowledged', 'inquiry_answered',
            'inquiry_escalated', 'letter_sent', 'status_update_given',
        ),
    },
}

# What invitations stored as a network member's role before: the role's value with spaces
# ("ppr psychologist"); from now on the role's label, translated where it is shown.
OLD_ROLE_LABELS = {
    'mother': 'Mother',
    'father': 'Father',
    'step parent': 'Step-parent',
    'foster parent': 'Foster parent',
    'sibling': 'Sibling',
    'grandparent': 'Grandparent',
    'other relative': 'Other relative',
    'friend': 'Friend',
    'partner': 'Boyfriend or girlfriend',
    'leisure': 'Leisure (coach, club)',
    'other private': 'Other private contact',
    'guardian': 'Guardian (værge)',
    'bisidder': 'Bisidder (supporter)',
    'teacher': 'Teacher',
    'mentor': 'Mentor at school or work',
    'employer': 'Employer',
    'other school work': 'Other at school or work',
    'uu counsellor': 'UU counsellor (UU-vejleder)',
    'ppr psychologist': 'PPR psychologist',
    'gp': 'Own doctor (GP)',
    'psychiatrist': 'Psychiatrist',
    'contact person': 'Contact person',
    'caseworker': 'Caseworker',
    'support worker': 'Support worker or educator',
    'therapist': 'Physiotherapist or occupational therapist',
    'other professional': 'Other professional',
}


def upgrade() -> None:
    refuse_unknown_values(ENUMS)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in ENUMS.items():
        if sqlite:
            rebuild_sqlite(table, with_checks(create_sql(table), [
                f"CONSTRAINT {check_name(table, column)} CHECK ({condition(column, values)})"
                for column, values in columns.items()]))
        else:
            for column, values in columns.items():
                op.create_check_constraint(check_name(table, column), table,
                                           condition(column, values))
    for old, new in OLD_ROLE_LABELS.items():
        op.execute(text("UPDATE meeting_invitee SET role_label = :new "
                        "WHERE member_id IS NOT NULL AND role_label = :old"
                        ).bindparams(new=new, old=old))


def downgrade() -> None:
    for old, new in OLD_ROLE_LABELS.items():
        op.execute(text("UPDATE meeting_invitee SET role_label = :old "
                        "WHERE member_id IS NOT NULL AND role_label = :new"
                        ).bindparams(new=new, old=old))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in ENUMS.items():
        names = [check_name(table, column) for column in columns]
        if sqlite:
            create = create_sql(table)
            for name in names:
                create = without_check(create, name)
            rebuild_sqlite(table, create)
        else:
            for name in names:
                op.drop_constraint(name, table, type_="check")
