"""Indicators: data snapshots, their care units and indicator results.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stored_by', sa.String(length=100), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('engine', sa.String(length=32), nullable=False),
    sa.Column('years', sa.JSON(), nullable=False),
    sa.Column('definitions', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('disclosed_input', sa.Boolean(), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_snapshots')),
    sa.UniqueConstraint('checksum', name=op.f('uq_indicator_snapshots_checksum'))
    )
    op.create_table('indicator_care_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('care_unit_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['indicator_snapshots.id'], name=op.f('fk_indicator_care_units_snapshot_id_indicator_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_care_units')),
    sa.UniqueConstraint('snapshot_id', 'care_unit_id', name=op.f('uq_indicator_care_units_snapshot_id'))
    )
    op.create_index(op.f('ix_indicator_care_units_snapshot_id'), 'indicator_care_units', ['snapshot_id'], unique=False)
    op.create_table('indicator_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('variant', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=64), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('numerator', sa.Float(precision=53), nullable=True),
    sa.Column('denominator', sa.Float(precision=53), nullable=True),
    sa.Column('value', sa.Float(precision=53), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['indicator_snapshots.id'], name=op.f('fk_indicator_results_snapshot_id_indicator_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_results')),
    sa.UniqueConstraint('snapshot_id', 'indicator', 'variant', 'period', 'area_level', 'area_code', 'sex', name=op.f('uq_indicator_results_snapshot_id'))
    )
    op.create_index('ix_indicator_results_indicator_period', 'indicator_results', ['indicator', 'period'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_indicator_results_indicator_period', table_name='indicator_results')
    op.drop_table('indicator_results')
    op.drop_index(op.f('ix_indicator_care_units_snapshot_id'), table_name='indicator_care_units')
    op.drop_table('indicator_care_units')
    op.drop_table('indicator_snapshots')
