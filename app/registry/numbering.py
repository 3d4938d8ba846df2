"""Registration numbers like TRP-2026-000123, issued without races on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlmodel import Session

from app.core.direct import DirectStatement

# One upsert statement, the same on SQLite (3.35+) and PostgreSQL; written once as text so
# that issuing a number does not rebuild and re-key an ORM statement each time.
_NEXT = DirectStatement(text(
    "INSERT INTO registration_counter (site_code, year, last) VALUES (:site_code, :year, :n) "
    "ON CONFLICT (site_code, year) DO UPDATE SET last = registration_counter.last + :n "
    "RETURNING last"
).bindparams(bindparam("site_code"), bindparam("year"), bindparam("n")))


def next_number(*, session: Session, site_code: str, year: int, count: int = 1) -> int:
    """Atomically take the next `count` counter values for a site and year (one upsert
    statement); the last of them."""
    row = _NEXT.execute(session.connection(),
                        {"site_code": site_code, "year": year, "n": count}).fetchone()
    return int(row[0])


def registration_number(*, session: Session, site_code: str, year: int) -> str:
    """Issue the next registration number for a site and year."""
    return registration_numbers(session=session, site_code=site_code, year=year, count=1)[0]


def registration_numbers(*, session: Session, site_code: str, year: int, count: int
                         ) -> list[str]:
    """Issue the next `count` registration numbers for a site and year, in order."""
    last = next_number(session=session, site_code=site_code, year=year, count=count)
    return [f"{site_code}-{year:04d}-{number:06d}" for number in range(last - count + 1, last + 1)]
