"""Registration numbers like TRP-2026-000123, issued without races on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.registry.models import RegistrationCounter


def next_number(*, session: Session, site_code: str, year: int) -> int:
    """Atomically take the next counter value for a site and year (one upsert statement)."""
    table = RegistrationCounter.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(site_code=site_code, year=year, last=1)
        .on_conflict_do_update(
            index_elements=["site_code", "year"], set_={"last": table.c.last + 1}
        )
        .returning(table.c.last)
    )
    return int(session.execute(stmt).scalar_one())


def registration_number(*, session: Session, site_code: str, year: int) -> str:
    """Issue the next registration number for a site and year."""
    number = next_number(session=session, site_code=site_code, year=year)
    return f"{site_code}-{year:04d}-{number:06d}"
