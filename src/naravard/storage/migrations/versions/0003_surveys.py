"""Surveys: questionnaire rounds, responses (drafts), submissions with receipts, answer history.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

HISTORY = "survey_answer_changes"


def upgrade() -> None:
    op.create_table('survey_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('form_id', sa.String(length=100), nullable=False),
    sa.Column('form_version', sa.String(length=50), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('definition_sha256', sa.String(length=64), nullable=False),
    sa.Column('respondent_kind', sa.String(length=16), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('interim_deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_rounds')),
    sa.UniqueConstraint('code', name=op.f('uq_survey_rounds_code'))
    )
    op.create_index(op.f('ix_survey_rounds_form_id'), 'survey_rounds', ['form_id'], unique=False)
    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('organisation_code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('latest_version', sa.Integer(), nullable=False),
    sa.Column('changed_since_submission', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('deadline_override', sa.Date(), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=False),
    sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopened_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['organisation_code'], ['organisations.code'], name=op.f('fk_survey_responses_organisation_code_organisations')),
    sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'], name=op.f('fk_survey_responses_round_id_survey_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('round_id', 'organisation_code', name=op.f('uq_survey_responses_round_id'))
    )
    op.create_index(op.f('ix_survey_responses_organisation_code'), 'survey_responses', ['organisation_code'], unique=False)
    op.create_index(op.f('ix_survey_responses_round_id'), 'survey_responses', ['round_id'], unique=False)
    op.create_table('survey_answer_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('old_value', sa.JSON(), nullable=True),
    sa.Column('new_value', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answer_changes_response_id_survey_responses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer_changes'))
    )
    op.create_index(op.f('ix_survey_answer_changes_at'), 'survey_answer_changes', ['at'], unique=False)
    op.create_index(op.f('ix_survey_answer_changes_response_id'), 'survey_answer_changes', ['response_id'], unique=False)
    op.create_table('survey_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('report_kind', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('answers_sha256', sa.String(length=64), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('pii_confirmations', sa.JSON(), nullable=False),
    sa.Column('receipt_pdf', sa.LargeBinary(), nullable=False),
    sa.Column('receipt_sha256', sa.String(length=64), nullable=False),
    sa.Column('mail_status', sa.String(length=16), nullable=False),
    sa.Column('mail_to', sa.String(length=254), nullable=True),
    sa.Column('mail_detail', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_submissions_response_id_survey_responses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_submissions')),
    sa.UniqueConstraint('response_id', 'version', name=op.f('uq_survey_submissions_response_id'))
    )
    op.create_index(op.f('ix_survey_submissions_response_id'), 'survey_submissions', ['response_id'], unique=False)

    _append_only_triggers()


def downgrade() -> None:
    _drop_triggers()
    op.drop_index(op.f('ix_survey_submissions_response_id'), table_name='survey_submissions')
    op.drop_table('survey_submissions')
    op.drop_index(op.f('ix_survey_answer_changes_response_id'), table_name='survey_answer_changes')
    op.drop_index(op.f('ix_survey_answer_changes_at'), table_name='survey_answer_changes')
    op.drop_table('survey_answer_changes')
    op.drop_index(op.f('ix_survey_responses_round_id'), table_name='survey_responses')
    op.drop_index(op.f('ix_survey_responses_organisation_code'), table_name='survey_responses')
    op.drop_table('survey_responses')
    op.drop_index(op.f('ix_survey_rounds_form_id'), table_name='survey_rounds')
    op.drop_table('survey_rounds')


def _append_only_triggers() -> None:
    """The answer history, like the audit log, refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {HISTORY}_no_{verb.lower()} BEFORE {verb} ON {HISTORY} "
                f"BEGIN SELECT RAISE(ABORT, '{HISTORY} is append-only'); END"
            )
    else:
        op.execute(
            f"CREATE FUNCTION {HISTORY}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{HISTORY} is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {HISTORY}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            f"ON {HISTORY} FOR EACH STATEMENT EXECUTE FUNCTION {HISTORY}_append_only()"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {HISTORY}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {HISTORY}_no_delete")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {HISTORY}_append_only ON {HISTORY}")
        op.execute(f"DROP FUNCTION IF EXISTS {HISTORY}_append_only()")
