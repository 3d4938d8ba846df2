"""covering block index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 20:00:00

The blind-index lookup of duplicate candidates reads (kind, digest) → registration_id by the
thousand at a million registrations: the index now carries registration_id, so the lookup
and the count of each block are read from the index alone, without a table row per entry.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_registration_index_lookup', 'registration_index',
                    ['kind', 'digest', 'registration_id'], unique=False)
    op.drop_index('ix_registration_index_kind_digest', table_name='registration_index')


def downgrade() -> None:
    op.create_index('ix_registration_index_kind_digest', 'registration_index',
                    ['kind', 'digest'], unique=False)
    op.drop_index('ix_registration_index_lookup', table_name='registration_index')
