"""registration index: one index fewer to maintain

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 22:30:00

A registration's blind indexes are found by registration through the unique constraint
(registration_id, kind, digest), which leads with registration_id: the separate index on
registration_id alone only doubled the work of every insert (about thirty rows for each
registration, written while SQLite's writer is held).
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_registration_index_registration_id', table_name='registration_index')


def downgrade() -> None:
    op.create_index('ix_registration_index_registration_id', 'registration_index',
                    ['registration_id'], unique=False)
