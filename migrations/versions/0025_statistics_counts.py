"""statistics: running counts of registrations and weapons by the statistics' finest groups

Revision ID: 0025
Revises: 0019
Create Date: 2026-12-05 04:10:00

Counts only (site, sex, category, nationality, age band, month; weapon type, calibre, site,
month): nothing identifying. Filled here from the rows already registered; the write paths
keep them from then on (app/registry/counts.py).
"""

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0025'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIMITS = ((15, "under_15"), (18, "15_17"), (25, "18_24"), (35, "25_34"), (50, "35_49"))


def _band(born: int | None, year: int) -> str:
    if born is None:
        return "unknown"
    return next((band for limit, band in _LIMITS if year - born < limit), "50_plus")


def _day(value: object) -> tuple[int, int]:
    text = str(value)  # a date (PostgreSQL) or its ISO text (SQLite)
    return int(text[:4]), int(text[5:7])


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    registrations = op.create_table(
        'stats_registration_count',
        sa.Column('site_code', text(length=8), nullable=False),
        sa.Column('sex', text(length=1), nullable=False),
        sa.Column('category', text(length=32), nullable=False),
        sa.Column('nationality', text(length=3), nullable=False),
        sa.Column('age_band', text(length=16), nullable=False),
        sa.Column('month', text(length=7), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('site_code', 'sex', 'category', 'nationality', 'age_band',
                                'month'))
    weapons = op.create_table(
        'stats_weapon_count',
        sa.Column('weapon_type', text(length=32), nullable=False),
        sa.Column('calibre', text(length=40), nullable=False),
        sa.Column('site_code', text(length=8), nullable=False),
        sa.Column('month', text(length=7), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('weapon_type', 'calibre', 'site_code', 'month'))
    bind = op.get_bind()
    counted: Counter[tuple[str, ...]] = Counter()
    for site, sex, category, nationality, born, day, n in bind.execute(sa.text(
            "SELECT site_code, sex, category, nationality, birth_year, registered_on, count(*) "
            "FROM registration GROUP BY site_code, sex, category, nationality, birth_year, "
            "registered_on")):
        year, month = _day(day)
        counted[(site, sex, category, nationality, _band(born, year),
                 f"{year:04d}-{month:02d}")] += n
    rows = [dict(zip(('site_code', 'sex', 'category', 'nationality', 'age_band', 'month'), key,
                     strict=True), count=n) for key, n in sorted(counted.items())]
    if rows:
        op.bulk_insert(registrations, rows)
    handed: Counter[tuple[str, ...]] = Counter()
    for kind, calibre, site, day, n in bind.execute(sa.text(
            "SELECT weapon_type, calibre, site_code, handed_over_on, count(*) "
            "FROM weapon_handover GROUP BY weapon_type, calibre, site_code, handed_over_on")):
        year, month = _day(day)
        handed[(kind, calibre or "unknown", site, f"{year:04d}-{month:02d}")] += n
    rows = [dict(zip(('weapon_type', 'calibre', 'site_code', 'month'), key, strict=True),
                 count=n) for key, n in sorted(handed.items())]
    if rows:
        op.bulk_insert(weapons, rows)


def downgrade() -> None:
    op.drop_table('stats_weapon_count')
    op.drop_table('stats_registration_count')
