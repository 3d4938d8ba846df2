"""returns: open cases by step, the longest unchanged first (the board's who waits)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 07:30:00

`ix_reintegration_case_step` (status, pathway, current_step) gains `updated_at` and `id`, so
the returns board reads the few cases waiting longest at each stage from the index's first
entries instead of ranking every open case. Counts by step still read it alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_reintegration_case_step', table_name='reintegration_case')
    op.create_index('ix_reintegration_case_step', 'reintegration_case',
                    ['status', 'pathway', 'current_step', 'updated_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reintegration_case_step', table_name='reintegration_case')
    op.create_index('ix_reintegration_case_step', 'reintegration_case',
                    ['status', 'pathway', 'current_step'], unique=False)
