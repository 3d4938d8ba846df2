"""correction: the author's username kept with the correction

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:30:00

A correction names who made it as the audit trail does (id and username), so the registry
shows its history without reading the accounts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('correction') as batch:
        batch.add_column(sa.Column('by_username', sa.String(length=80), nullable=True))
    op.execute("UPDATE correction SET by_username = (SELECT username FROM app_user "
               "WHERE app_user.id = correction.by_id)")


def downgrade() -> None:
    with op.batch_alter_table('correction') as batch:
        batch.drop_column('by_username')
