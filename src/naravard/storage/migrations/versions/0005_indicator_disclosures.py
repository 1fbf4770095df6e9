"""Indicators: disclosure decisions stored per table, snapshot and rule.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator_disclosures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('variant', sa.String(length=64), nullable=False),
    sa.Column('year', sa.String(length=4), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('definition_version', sa.String(length=64), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['indicator_snapshots.id'], name=op.f('fk_indicator_disclosures_snapshot_id_indicator_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_disclosures')),
    sa.UniqueConstraint('snapshot_id', 'indicator', 'variant', 'year', 'rule', 'definition_version', name=op.f('uq_indicator_disclosures_snapshot_id'))
    )


def downgrade() -> None:
    op.drop_table('indicator_disclosures')
