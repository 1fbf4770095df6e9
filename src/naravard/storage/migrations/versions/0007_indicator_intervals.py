"""Indicators: each result's confidence interval (empty for results stored before).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicator_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ci_low', sa.Float(precision=53), nullable=True))
        batch_op.add_column(sa.Column('ci_high', sa.Float(precision=53), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('indicator_results', schema=None) as batch_op:
        batch_op.drop_column('ci_high')
        batch_op.drop_column('ci_low')
