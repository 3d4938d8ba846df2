"""Bulk import of registrations (legacy registers, benchmarks): the same checks, numbering,
encryption and audit as one-by-one registration, a batch of rows per transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.errors import DomainError
from app.core.security import Principal
from app.registry.models import Registration
from app.registry.schemas import RegistrationIn
from app.registry.service import Enrolment, NewRegistration, insert, prepare

INPUT_FIELDS = ("site", "category", "sex", "date_of_birth", "given_name", "father_name",
                "grandfather_name", "family_name", "mother_name", "alias", "place_of_birth",
                "nationality", "phone", "national_id", "passport_no", "armed_group")
NAMESPACE = uuid.UUID("0f3b2c1e-9d4a-4c7b-8e21-5a6b7c8d9e0f")
AfterInsert = Callable[[Session, Sequence[Enrolment]], object]
"""Called in each batch's transaction with the registrations it inserted (the caller opens
their cases there: `reintegration.service.open_cases_for`, a layer above this one)."""


@dataclass
class ImportReport:
    """How an import went: rows imported, and the rejected rows with their fields."""

    imported: int = 0
    skipped: int = 0  # already imported earlier
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (row id, "field: message")


def import_records(
    *,
    engine: Engine,
    crypto: FieldCrypto,
    actor: Principal,
    records: Iterable[Mapping[str, str]],
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    after_insert: AfterInsert | None = None,
) -> ImportReport:
    """Validate, encrypt and insert record-CSV rows, one transaction per batch; a row that
    breaks a rule is reported (by its record_id and field) and left out. Re-importing the same
    rows is a no-op for those already imported (ids derive from record_id). `after_insert`
    runs in each batch's transaction with what it inserted."""
    report = ImportReport()
    batch: list[Mapping[str, str]] = []
    for record in records:
        batch.append(record)
        if len(batch) == batch_size:
            _import_batch(engine, crypto, actor, batch, report, after_insert)
            batch = []
            if progress:
                progress(report.imported + report.skipped + len(report.rejected))
    if batch:
        _import_batch(engine, crypto, actor, batch, report, after_insert)
        if progress:
            progress(report.imported + report.skipped + len(report.rejected))
    return report


def _import_batch(engine: Engine, crypto: FieldCrypto, actor: Principal,
                  records: list[Mapping[str, str]], report: ImportReport,
                  after_insert: AfterInsert | None) -> None:
    """Check every row as a registration request is checked, then insert the good ones
    (numbers, persons, rows, blind indexes, an audit event each) in one transaction."""
    with session_scope(engine) as session:
        entries: list[NewRegistration] = []
        seen: set[uuid.UUID] = set()
        for record in records:
            row_id = record.get("record_id") or ""
            reg_id = uuid.uuid5(NAMESPACE, row_id) if row_id else uuid.uuid4()
            if reg_id in seen or session.get(Registration, reg_id) is not None:
                report.skipped += 1
                continue
            try:
                body = {k: record.get(k) or None for k in INPUT_FIELDS}
                data = RegistrationIn.model_validate({**body, "id": reg_id, "consent": True})
                on = date.fromisoformat(record["registered_on"]) if record.get(
                    "registered_on") else None
                entries.append(prepare(session=session, crypto=crypto, actor=actor, data=data,
                                       registered_on=on))
            except ValidationError as exc:
                first = exc.errors()[0]
                report.rejected.append((row_id, f"{first['loc'][0]}: {first['msg']}"))
                continue
            except ValueError:
                report.rejected.append((row_id, "registered_on: not a date (YYYY-MM-DD)"))
                continue
            except DomainError as exc:
                first_error = exc.errors[0] if exc.errors else None
                report.rejected.append(
                    (row_id, f"{first_error.field}: {first_error.message}" if first_error
                     else exc.detail))
                continue
            seen.add(reg_id)
        if entries:
            inserted = insert(session=session, crypto=crypto, actor=actor, entries=entries,
                              details={"source": "import"})
            if after_insert is not None:
                after_insert(session, inserted)
        report.imported += len(entries)
