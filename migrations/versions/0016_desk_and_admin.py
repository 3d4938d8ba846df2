"""desk and administration: urgent pairs, background jobs, cross-script name search keys

Revision ID: 0016
Revises: 0006
Create Date: 2026-12-05 09:00:00

- `registration.name_other_script`: the full name as the participant spells it in the other
  script (for the registration card, which carries the name in both scripts, and search).
- `candidate_pair.priority`: a likely duplicate saved without a decision at the desk waits
  first in the review queue.
- `job`: background work (training a match model) and its progress.
- The name search index changes from folded name tokens to the matching engine's
  cross-script keys. Its rows are blind indexes (an HMAC with a key derived from the master
  key, which a migration does not have): the old rows are removed here, and `ddr db upgrade`
  (or `ddr reindex --kind name`) builds the new ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('registration') as batch:
        batch.add_column(sa.Column('name_other_script', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('candidate_pair') as batch:
        batch.add_column(sa.Column('priority', sa.Integer(), nullable=False,
                                   server_default='0'))
    op.create_table(
        'job',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('job') as batch:
        batch.create_index(batch.f('ix_job_kind'), ['kind'], unique=False)
    op.execute("DELETE FROM registration_index WHERE kind = 'name'")


def downgrade() -> None:
    op.execute("DELETE FROM registration_index WHERE kind = 'name'")
    with op.batch_alter_table('job') as batch:
        batch.drop_index(batch.f('ix_job_kind'))
    op.drop_table('job')
    with op.batch_alter_table('candidate_pair') as batch:
        batch.drop_column('priority')
    with op.batch_alter_table('registration') as batch:
        batch.drop_column('name_other_script')
