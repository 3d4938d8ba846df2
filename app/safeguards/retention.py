"""Retention: each category of personal data is kept for its period, then crypto-shredded.

A category names the encrypted columns it covers and the date its period runs from. Applying
the policy overwrites the expired ciphertexts (their only copy in the register) with NULL and
rebuilds what was derived from them (a registration's blind indexes); on SQLite the freed
pages are zeroed (`secure_delete`) and the write-ahead log truncated, on PostgreSQL the tables
are vacuumed. Backups keep what they held until they are destroyed, so they are kept no longer
than the shortest period (docs/security-operations.md). Only counts are reported and audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.sealed import unseal
from app.core.security import Principal
from app.imports.models import ImportJob, ImportRow
from app.registry.indexes import replace_indexes
from app.registry.models import Correction, Registration


@dataclass(frozen=True)
class Category:
    """A category of personal data with its own retention period."""

    name: str
    model: type[SQLModel]
    columns: tuple[str, ...]
    description: str


CATEGORIES: tuple[Category, ...] = (
    Category("contact", Registration, ("phone",),
             "a participant's phone number, from the registration date"),
    Category("notes", Registration, ("verification_notes", "notes", "disability"),
             "free-text notes and disability, from the registration date"),
    Category("correction_history", Correction, ("previous_values", "new_values", "reason"),
             "the values a correction replaced and its reason, from the correction"),
    Category("import_files", ImportJob, ("file_name", "content"),
             "an imported file's name and content, from the import"),
    Category("import_rejects", ImportRow, ("cells",),
             "the cells of rows an import rejected, from the import"),
)
BY_NAME = {c.name: c for c in CATEGORIES}
DEFAULT_DAYS: dict[str, int] = {"import_files": 90, "import_rejects": 180}
"""The periods when none is configured (the rest are kept until the programme sets one)."""


def policy(configured: Mapping[str, int]) -> dict[str, int]:
    """The retention period (days) of each category with one (ValueError for an unknown
    category or a negative period)."""
    unknown = sorted(set(configured) - set(BY_NAME))
    if unknown:
        raise ValueError("unknown retention categories: " + ", ".join(unknown)
                         + " (known: " + ", ".join(BY_NAME) + ")")
    if any(days < 0 for days in configured.values()):
        raise ValueError("a retention period cannot be negative")
    return {**DEFAULT_DAYS, **configured}


def _expired(category: Category, cutoff: date) -> Any:
    """The condition selecting a category's rows past their period that still hold a value."""
    held = or_(*(col(getattr(category.model, c)).is_not(None) for c in category.columns))
    moment = datetime.combine(cutoff, time.min, tzinfo=UTC)
    if category.model is Registration:
        return held & (col(Registration.registered_on) < cutoff)
    if category.model is Correction:
        return held & (col(Correction.at) < moment)
    if category.model is ImportJob:
        return held & (col(ImportJob.created_at) < moment)
    return held & col(ImportRow.job_id).in_(
        select(ImportJob.id).where(col(ImportJob.created_at) < moment))


@dataclass
class CategoryOutcome:
    """What applying one category did (or would do)."""

    name: str
    days: int | None
    rows: int = 0
    values: int = 0


def apply(*, engine: Engine, crypto: FieldCrypto, actor: Principal,
          periods: Mapping[str, int], today: date | None = None, dry_run: bool = False,
          batch_size: int = 500) -> list[CategoryOutcome]:
    """Crypto-shred every value past its category's period (or, dry, count them)."""
    today = today or datetime.now(UTC).date()
    outcomes = []
    for category in CATEGORIES:
        days = periods.get(category.name)
        outcome = CategoryOutcome(category.name, days)
        outcomes.append(outcome)
        if days is None:
            continue
        condition = _expired(category, today - timedelta(days=days))
        model: Any = category.model
        while True:
            with session_scope(engine) as session:
                if engine.dialect.name == "sqlite":
                    session.execute(text("PRAGMA secure_delete = ON"))
                rows = session.exec(select(model).where(condition).limit(batch_size)).all()
                if not rows:
                    break
                outcome.rows += len(rows)
                outcome.values += sum(getattr(r, c) is not None for r in rows
                                      for c in category.columns)
                if dry_run:
                    break
                ids = [r.id for r in rows]
                session.execute(update(model).where(col(model.id).in_(ids))
                                .values(dict.fromkeys(category.columns)))
                if model is Registration:
                    for registration in session.exec(
                            select(Registration).where(col(Registration.id).in_(ids))
                            .execution_options(populate_existing=True)):
                        replace_indexes(session=session, crypto=crypto,
                                        registration_id=registration.id,
                                        values=unseal(crypto, registration))
                record_event(session=session, actor=actor, action="retention.shred",
                             object_type=str(category.model.__tablename__),
                             details={"category": category.name, "days": days,
                                      "rows": len(rows)})
        if dry_run:  # count them all, without the batch limit
            with Session(engine) as session:
                outcome.rows = len(session.exec(select(col(model.id)).where(condition)).all())
    if not dry_run:
        _reclaim(engine, [c.model.__tablename__ for c in CATEGORIES
                          if any(o.rows for o in outcomes if o.name == c.name)])
    return outcomes


def _reclaim(engine: Engine, tables: list[Any]) -> None:
    """Make the overwritten ciphertexts unrecoverable from the database files too."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in sorted(set(tables)):
            connection.execute(text(f'VACUUM "{table}"'))
