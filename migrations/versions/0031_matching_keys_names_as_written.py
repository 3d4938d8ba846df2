"""matching keys: names as Arabic script writes foreign names, compounds split across fields

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 10:40:00

The name keys of the matching engine changed (ADR 0021: foreign names as Arabic script writes
them, `Abd` + j names, a word beginning with ال that is no article, a compound split across two
fields), and with them blocking and name search keys. As in 0023, the old `block` and `name`
rows are removed here and `ddr db upgrade` (or `ddr reindex --kind block --kind name
--missing`) builds the new ones where the master key is.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM registration_index WHERE kind IN ('block', 'name')")


def downgrade() -> None:
    op.execute("DELETE FROM registration_index WHERE kind IN ('block', 'name')")
