"""Key rotation: move every encrypted value and blind index onto the primary key version.

`ddr keys add` makes a new version primary (the service, restarted, writes under it and looks
up blind indexes under every active version, so nothing goes missing meanwhile);
:func:`rotate` then re-encrypts what older versions hold, table by table in batches of one
transaction each, rebuilding a registration's blind indexes (and a weapon's serial index, a
return case's travel document index) in the transaction that re-encrypts its values. Killed
half-way it loses nothing, and run again it carries on: a value carries its key version, so
what was moved is skipped. A row changed by
the service meanwhile is not overwritten (each update is conditional on the ciphertext read)
and is picked up by the next pass. A tracing list's entries are rebuilt from its serials
(kept encrypted with it; a list uploaded before they were kept must be uploaded again).
:func:`status` counts the values on each version; a version is retired only when none
remain.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, literal_column, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.models import AuditEvent, KeyCheck
from app.core.sealed import unseal
from app.core.security import Principal
from app.registry import validation as v
from app.registry.indexes import index_entries, index_rows, insert_index_rows
from app.registry.models import Registration, RegistrationIndex, WeaponHandover
from app.safeguards.tables import encrypted_models, primary_key
from app.weapons.models import TracingList
from app.weapons.tracing import rebuild_entries
from reintegration.models import CaseStep
from reintegration.returns import documents

Progress = Callable[[int, int], None]


@dataclass
class RotationReport:
    """What a rotation did: rows moved per table, and whether every value is now primary."""

    moved: Counter[str] = field(default_factory=Counter)
    passes: int = 0
    complete: bool = False


def _move_row(session: Session, crypto: FieldCrypto, model: type[SQLModel], row: SQLModel,
              reindex: dict[uuid.UUID, dict[str, str | None]]) -> bool:
    """Re-encrypt a row's values under the primary version, conditional on their being
    unchanged since read; whether it moved. A moved registration's values go to `reindex`
    (its blind indexes are rebuilt with its batch's, in the same transaction)."""
    old = {c: getattr(row, c) for c in model.ENCRYPTED_FIELDS  # type: ignore[attr-defined]
           if crypto.needs_rotation(getattr(row, c))}
    if not old:
        return False
    if isinstance(row, TracingList) and row.serials is None:
        return False  # uploaded before its serials were kept: upload it again
    table_name, row_id = str(model.__tablename__), str(row.id)  # type: ignore[attr-defined]
    new: dict[str, object] = {
        c: crypto.reencrypt(blob, table=table_name, column=c, row_id=row_id)
        for c, blob in old.items()}
    if isinstance(row, WeaponHandover) and "serial_number" in old:
        serial = v.normalise_serial(unseal(crypto, row, ["serial_number"])["serial_number"])
        new["serial_index"] = crypto.blind_index("serial", serial) if serial else None
    table = model.__table__  # type: ignore[attr-defined]
    key = primary_key(model)
    moved = session.execute(
        update(table).where(key == getattr(row, key.key),
                            *(table.c[c] == blob for c, blob in old.items())).values(new))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return False  # changed meanwhile: the next pass moves it
    if isinstance(row, Registration):
        reindex[row.id] = unseal(crypto, row)
    if isinstance(row, CaseStep) and row.key == "travel_document":
        number = json.loads(unseal(crypto, row)["sealed"] or "{}").get("number")
        documents.index(session, crypto, row.case_id, number)
    if isinstance(row, TracingList):
        rebuild_entries(session=session, crypto=crypto, tracing=row)
    return True


def _replace_indexes(session: Session, crypto: FieldCrypto,
                     values: dict[uuid.UUID, dict[str, str | None]]) -> None:
    """Rebuild the blind indexes of a batch of registrations under the primary version (one
    delete and one insert for the batch)."""
    session.execute(delete(RegistrationIndex.__table__).where(  # type: ignore[attr-defined]
        col(RegistrationIndex.registration_id).in_(list(values))))
    insert_index_rows(session, [row for registration_id, plain in values.items()
                                for row in index_rows(registration_id, index_entries(crypto,
                                                                                     plain))])


def _pass(engine: Engine, crypto: FieldCrypto, actor: Principal, batch_size: int,
          report: RotationReport, progress: Progress | None, done: int, total: int) -> int:
    """One pass over every table; how many rows it moved."""
    moved = 0
    for model in encrypted_models():
        key = primary_key(model)
        last = None
        while True:
            with session_scope(engine) as session:
                query = select(model).order_by(key).limit(batch_size)
                if last is not None:
                    query = query.where(key > last)
                rows = session.exec(query).all()
                if not rows:
                    break
                reindex: dict[uuid.UUID, dict[str, str | None]] = {}
                count = sum(_move_row(session, crypto, model, row, reindex) for row in rows)
                if reindex:
                    _replace_indexes(session, crypto, reindex)
                if count:
                    record_event(session=session, actor=actor, action="keys.rotate",
                                 object_type=str(model.__tablename__),
                                 details={"rows": count, "key_id": crypto.key_id_hex})
                last = getattr(rows[-1], key.key)
            moved += count
            report.moved[str(model.__tablename__)] += count
            done += len(rows)
            if progress:
                progress(min(done, total), total)
    return moved


def row_count(engine: Engine) -> int:
    """How many rows a pass reads (for a progress bar)."""
    with Session(engine) as session:
        return sum(int(session.exec(select(func.count()).select_from(model)).one())
                   for model in encrypted_models())


def rotate(*, engine: Engine, crypto: FieldCrypto, actor: Principal, batch_size: int = 500,
           progress: Progress | None = None, max_passes: int = 5) -> RotationReport:
    """Move every encrypted value and blind index onto the primary key version (resumable);
    the key check follows once nothing else remains on an older version."""
    report = RotationReport()
    total = row_count(engine)
    while report.passes < max_passes:
        report.passes += 1
        moved = _pass(engine, crypto, actor, batch_size, report, progress,
                      0, total)
        if not moved or not remaining(engine=engine, crypto=crypto):
            break
    report.complete = not remaining(engine=engine, crypto=crypto)
    if report.complete:
        with session_scope(engine) as session:
            check = session.get(KeyCheck, 1)
            if check is not None and check.key_id != crypto.key_id_hex:
                check.key_id, check.value = crypto.key_id_hex, crypto.key_check()
                session.add(check)
            record_event(session=session, actor=actor, action="keys.rotate.complete",
                         object_type="key", object_id=crypto.key_id_hex,
                         details={"moved": dict(report.moved)})
    return report


def value_counts(session: Session) -> dict[str, Counter[str]]:
    """How many encrypted values each key version (hex id) holds, per table."""
    counts: dict[str, Counter[str]] = {}
    for model in encrypted_models():
        for column_name in model.ENCRYPTED_FIELDS:  # type: ignore[attr-defined]
            column = model.__table__.c[column_name]  # type: ignore[attr-defined]
            # the key id: bytes 2-5 of the ciphertext (literal positions, so that PostgreSQL
            # sees the grouped expression and the selected one as the same)
            version = func.substr(column, literal_column("2"), literal_column("4"))
            for key_id, n in session.execute(
                    select(version, func.count()).where(column.is_not(None))
                    .group_by(version)):
                counts.setdefault(bytes(key_id).hex(), Counter())[
                    str(model.__tablename__)] += int(n)
    return counts


def audit_counts(session: Session) -> Counter[str]:
    """How many audit events each key version's chain key sealed."""
    return Counter({str(version): int(n) for version, n in session.execute(
        select(AuditEvent.chain_key_id, func.count())
        .where(AuditEvent.chain_key_id.is_not(None))  # type: ignore[union-attr]
        .group_by(AuditEvent.chain_key_id))})


def remaining(*, engine: Engine, crypto: FieldCrypto) -> int:
    """How many values are not on the primary version."""
    with Session(engine) as session:
        counts = value_counts(session)
    return sum(n for version, tables in counts.items() if version != crypto.key_id_hex
               for n in tables.values())


@dataclass
class VersionStatus:
    """One key version: its state in the ring and what still uses it."""

    key_id: str
    state: str
    values: Counter[str]
    audit_events: int

    @property
    def in_use(self) -> int:
        """How many encrypted values it still holds."""
        return sum(self.values.values())


def status(*, session: Session, crypto: FieldCrypto) -> list[VersionStatus]:
    """Every key version the ring or the database knows, with the values on it."""
    counts, audited = value_counts(session), audit_counts(session)
    states = crypto.versions
    versions = list(states) + sorted((set(counts) | set(audited)) - set(states))
    return [VersionStatus(key_id=k, state=states.get(k, "unknown"),
                          values=counts.get(k, Counter()), audit_events=audited.get(k, 0))
            for k in versions]
