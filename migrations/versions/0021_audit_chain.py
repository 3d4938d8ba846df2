"""audit chain: each audit event carries the key version and HMAC chaining it to the one before

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 00:50:00

Events recorded before this revision carry no MAC; `ddr audit verify` counts them as
predating the chain. The chain starts with the first event recorded after the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (no table copy on SQLite, which would drop the append-only triggers)
    op.add_column('audit_event', sa.Column(
        'chain_key_id', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    op.add_column('audit_event', sa.Column(
        'chain_mac', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column('audit_event', 'chain_mac')
        op.drop_column('audit_event', 'chain_key_id')
        return
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('chain_mac')
        batch.drop_column('chain_key_id')
    for verb in ("UPDATE", "DELETE"):  # the table copy dropped them
        op.execute(f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                   "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")
