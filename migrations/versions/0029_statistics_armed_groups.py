"""statistics: running count of registrations per armed group (national, no site, no month)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 07:10:00

The registrations hold their armed group only encrypted and a migration has no key, so the
table starts empty: the write path counts every registration from now on, and
`ddr stats recount` counts the registrations made before (decrypting each group once). Until
then the table's total falls short of the registrations' and the statistics withhold the
armed-group table (exports.service).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'stats_armed_group_count',
        sa.Column('group_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('group_code'))


def downgrade() -> None:
    op.drop_table('stats_armed_group_count')
