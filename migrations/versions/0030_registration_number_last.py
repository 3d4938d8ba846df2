"""registration: the number is given last in the registering transaction

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 10:00:00

A registration is inserted first and numbered just before its transaction commits
(registry.service.number), so that a site's number counter stays locked only for the end of
the transaction (ADR 0020). The column is empty in between; no committed registration is
without a number.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('registration_number', existing_type=sa.String(length=20),
                              nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('registration_number', existing_type=sa.String(length=20),
                              nullable=False)
