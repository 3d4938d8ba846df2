"""Registration numbers like TRP-2026-000123, issued without races on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

# One upsert, the same on SQLite (3.35+) and PostgreSQL: the counter row is locked until the
# transaction ends, so two transactions never take the same number.
_NEXT = text(
    "INSERT INTO registration_counter (site_code, year, last) VALUES (:site_code, :year, :n) "
    "ON CONFLICT (site_code, year) DO UPDATE SET last = registration_counter.last + :n "
    "RETURNING last")


def registration_numbers(*, session: Session, site_code: str, year: int, count: int = 1
                         ) -> list[str]:
    """Issue the next `count` registration numbers for a site and year, in order."""
    last = int(session.execute(_NEXT, {"site_code": site_code, "year": year, "n": count})
               .scalar_one())
    return [f"{site_code}-{year:04d}-{number:06d}" for number in range(last - count + 1, last + 1)]
