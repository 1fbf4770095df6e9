"""Surveys: the follow-up authority's comments on submitted answers and the respondents' replies.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_comments_response_id_survey_responses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_comments'))
    )
    op.create_index(op.f('ix_survey_comments_response_id'), 'survey_comments', ['response_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_survey_comments_response_id'), table_name='survey_comments')
    op.drop_table('survey_comments')
