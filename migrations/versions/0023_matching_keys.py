"""matching keys: the blocking and name search keys of the matching engine changed

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-05 02:10:00

Name normalisation (compounds written apart or joined, typing errors) and the blocking keys
(name parts in any field, the phone with the father's initial) changed. Blind indexes are an
HMAC under a key derived from the master key, which a migration does not have: the old `block`
and `name` rows are removed here, and `ddr db upgrade` (or `ddr reindex --kind block --kind
name --missing`) builds the new ones where the key is. Until then the duplicate check and name
search do not find older registrations.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0023'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM registration_index WHERE kind IN ('block', 'name')")


def downgrade() -> None:
    op.execute("DELETE FROM registration_index WHERE kind IN ('block', 'name')")
