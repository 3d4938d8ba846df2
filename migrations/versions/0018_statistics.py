"""statistics: the disclosure threshold in force and the register of individual-level exports

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 01:10:00

Statistics are computed from clear columns already stored (a covering index lets their GROUP BY
read an index instead of the wide encrypted rows); these tables hold a threshold and, per
individual-level export, who made it, why, which fields and until when (never its rows).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('disclosure_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_registration_stats', 'registration',
                    ['site_code', 'sex', 'category', 'nationality', 'birth_year',
                     'registered_on'], unique=False)
    op.create_table('individual_export',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_username', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('fields', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('site_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['site_code'], ['site.code'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('individual_export')
    op.drop_table('disclosure_setting')
    op.drop_index('ix_registration_stats', table_name='registration')
