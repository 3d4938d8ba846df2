"""audit chain and key rotation: each audit event carries the key version and HMAC chaining it
to the one before; the append-only custody records accept a re-encryption of their encrypted
columns (and nothing else), as does the case timeline

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-05 00:50:00

Events recorded before this revision carry no MAC; `ddr audit verify` counts them as
predating the chain. The chain starts with the first event recorded after the upgrade.

`ddr keys rotate` re-encrypts every value under the primary key version. The custody records
(transfers, their outcomes, destructions, stock counts) refuse every update; from here on an
update that sets only their encrypted columns passes, and so for the case timeline (SQLite: the trigger fires on an update
of any other column; PostgreSQL: the row without its encrypted columns must stay the same).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0021'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENCRYPTED = {
    'custody_transfer': ('receiving_unit', 'receiving_person', 'receipt_reference', 'note'),
    'transfer_outcome': ('note',),
    'destruction_event': ('place', 'authorised_by', 'witnesses', 'note'),
    'stock_count': ('note',),
    'case_event': ('sealed',),
}
"""The append-only tables with encrypted columns (as in their models' ENCRYPTED_FIELDS)."""
REFUSE_ALL = {table: 'custody_append_only' for table in ENCRYPTED} | {
    'case_event': 'case_event_append_only'}
"""The PostgreSQL trigger function each table had before (it refuses every change)."""


def upgrade() -> None:
    # plain ADD COLUMN (no table copy on SQLite, which would drop the append-only triggers)
    op.add_column('audit_event', sa.Column(
        'chain_key_id', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    op.add_column('audit_event', sa.Column(
        'chain_mac', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    # a tracing list's serials, encrypted, so that a key rotation can rebuild its entries
    op.add_column('tracing_list', sa.Column('serials', sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION custody_reencrypt_only() RETURNS trigger AS $$ BEGIN "
            "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; "
            "END IF; "
            "IF (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV) THEN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END IF; "
            "RETURN NEW; END; $$ LANGUAGE plpgsql")
        for table, encrypted in ENCRYPTED.items():
            arguments = ", ".join(f"'{c}'" for c in encrypted)
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION custody_reencrypt_only({arguments})")
        return
    for table, encrypted in ENCRYPTED.items():
        clear = [c["name"] for c in sa.inspect(bind).get_columns(table)
                 if c["name"] not in encrypted]
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {', '.join(clear)} "
                   f"ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _custody_append_only_again() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ENCRYPTED:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {REFUSE_ALL[table]}()")
        op.execute("DROP FUNCTION custody_reencrypt_only()")
        return
    for table in ENCRYPTED:
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    _custody_append_only_again()
    with op.batch_alter_table('tracing_list') as batch:
        batch.drop_column('serials')
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
