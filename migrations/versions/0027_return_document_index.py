"""returns: the blind index of a return case's travel document number; the board's indexes

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-05 04:30:00

Only the keyed digest is stored; the number stays encrypted with the step's values. A number
recorded before this revision is indexed when its step is next moved, or its value rotated.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0027'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('return_document_index',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['reintegration_case.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_index(op.f('ix_return_document_index_digest'), 'return_document_index',
                    ['digest'], unique=False)
    # the returns board: one step's done rows by stage, joined to the case's country by id,
    # read from the indexes only
    op.create_index('ix_case_step_stage', 'case_step',
                    ['key', 'status', 'case_id', 'outcome', 'settled_on'], unique=False)
    op.create_index('ix_reintegration_case_country', 'reintegration_case',
                    ['id', 'pathway', 'country', 'close_reason', 'site_code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reintegration_case_country', table_name='reintegration_case')
    op.drop_index('ix_case_step_stage', table_name='case_step')
    op.drop_index(op.f('ix_return_document_index_digest'), table_name='return_document_index')
    op.drop_table('return_document_index')
