"""returns: countries of origin with their focal points, movements and their returnees

Revision ID: 0019
Revises: 0023
Create Date: 2026-12-05 01:10:00

Focal points' and embassy contacts are stored only as ciphertext; the rest holds codes,
dates, routes and counts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0019'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the per-country board: a return case's country, the step states in a covering index
    op.create_index('ix_case_step_board', 'case_step',
                    ['case_id', 'key', 'status', 'outcome', 'settled_on'], unique=False)
    with op.batch_alter_table('reintegration_case') as batch:
        batch.add_column(sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=3),
                                   nullable=True))
    op.execute("UPDATE reintegration_case SET country = (SELECT nationality FROM registration "
               "WHERE registration.id = reintegration_case.registration_id) "
               "WHERE pathway = 'return'")
    op.create_table('movement',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('country_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('route', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('border_crossing', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('escort', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('departed_on', sa.Date(), nullable=True),
    sa.Column('arrived_on', sa.Date(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_movement_country', 'movement', ['country_code', 'status', 'planned_on'],
                    unique=False)
    op.create_table('return_country',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('receiving_authority', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('border_crossings', sa.Text(), nullable=False),
    sa.Column('contacts', sa.LargeBinary(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('movement_returnee',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('movement_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['reintegration_case.id'], ),
    sa.ForeignKeyConstraint(['movement_id'], ['movement.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('movement_id', 'case_id', name='uq_movement_returnee')
    )
    op.create_index('ix_movement_returnee_case', 'movement_returnee', ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reintegration_case') as batch:
        batch.drop_column('country')
    op.drop_index('ix_case_step_board', table_name='case_step')
    op.drop_index('ix_movement_returnee_case', table_name='movement_returnee')
    op.drop_table('movement_returnee')
    op.drop_table('return_country')
    op.drop_index('ix_movement_country', table_name='movement')
    op.drop_table('movement')
