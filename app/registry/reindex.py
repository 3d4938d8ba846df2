"""Rebuild registrations' blind indexes after their key scheme changed (resumable: a batch is
one transaction, and `missing_only` picks up where a stopped run ended)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import delete, exists
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.sealed import unseal
from app.core.security import Principal
from app.registry.enums import IndexKind
from app.registry.indexes import index_entries, index_rows, insert_index_rows
from app.registry.models import Registration, RegistrationIndex


def _lacking(kind: str) -> object:
    """Registrations without any blind index of a kind."""
    return ~exists().where(col(RegistrationIndex.registration_id) == col(Registration.id),
                           col(RegistrationIndex.kind) == kind)


def missing(*, session: Session, kind: IndexKind) -> int:
    """How many registrations have no blind index of a kind (e.g. name keys after an
    upgrade changed their scheme)."""
    return int(session.exec(select(func.count()).select_from(Registration)
                            .where(_lacking(kind.value))).one())  # type: ignore[arg-type]


def reindex(
    *,
    engine: Engine,
    crypto: FieldCrypto,
    actor: Principal,
    kinds: Sequence[IndexKind],
    missing_only: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute the blind indexes of the given kinds for every registration (or those
    lacking the first kind), from their decrypted values; return how many were reindexed."""
    names = sorted(k.value for k in kinds)
    query = select(Registration.id).order_by(col(Registration.id))
    if missing_only:
        query = query.where(_lacking(kinds[0].value))  # type: ignore[arg-type]
    with Session(engine) as session:
        ids: list[uuid.UUID] = list(session.exec(query).all())
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        with session_scope(engine) as session:
            rows = session.exec(select(Registration).where(col(Registration.id).in_(batch)))
            fresh: list[dict[str, str]] = []
            for registration in rows:
                entries = {(k, d) for k, d in index_entries(crypto, unseal(crypto, registration))
                           if k in names}
                fresh += index_rows(registration.id, entries)
            session.execute(delete(RegistrationIndex).where(
                col(RegistrationIndex.registration_id).in_(batch),
                col(RegistrationIndex.kind).in_(names)))
            insert_index_rows(session, fresh)
            record_event(session=session, actor=actor, action="registry.reindex",
                         object_type="registry",
                         details={"kinds": names, "registrations": len(batch)})
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    return len(ids)
