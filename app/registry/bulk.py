"""Bulk import of registrations (legacy registers, benchmarks): the same validation and
encryption as one-by-one registration, written with multi-row inserts."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.security import Principal
from app.registry.indexes import index_entries
from app.registry.models import Person, Registration, RegistrationIndex, Site
from app.registry.numbering import next_number
from app.registry.schemas import RegistrationIn
from app.registry.service import request_digest, validate
from app.users import models as _user_models  # noqa: F401  (app_user: the FK target)

INPUT_FIELDS = ("site", "category", "sex", "date_of_birth", "given_name", "father_name",
                "grandfather_name", "family_name", "mother_name", "alias", "place_of_birth",
                "nationality", "phone", "national_id", "passport_no", "armed_group")
NAMESPACE = uuid.UUID("0f3b2c1e-9d4a-4c7b-8e21-5a6b7c8d9e0f")


@dataclass
class ImportReport:
    """How an import went: rows imported, and the rejected rows with their fields."""

    imported: int = 0
    skipped: int = 0  # already imported earlier
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (row id, "field: message")


def _row(crypto: FieldCrypto, values: Mapping[str, str | None], reg_id: uuid.UUID
         ) -> dict[str, bytes | None]:
    return {name: crypto.encrypt(values.get(name), table="registration", column=name,
                                 row_id=str(reg_id)) for name in Registration.ENCRYPTED_FIELDS}


def import_records(
    *,
    engine: Engine,
    crypto: FieldCrypto,
    actor: Principal,
    records: Iterable[Mapping[str, str]],
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate, encrypt and insert record-CSV rows, one transaction per batch; a row that
    breaks a rule is reported (by its record_id and field) and left out. Re-importing the same
    rows is a no-op for those already imported (ids derive from record_id)."""
    report = ImportReport()
    batch: list[Mapping[str, str]] = []
    for record in records:
        batch.append(record)
        if len(batch) == batch_size:
            _import_batch(engine, crypto, actor, batch, report)
            batch = []
            if progress:
                progress(report.imported + report.skipped + len(report.rejected))
    if batch:
        _import_batch(engine, crypto, actor, batch, report)
        if progress:
            progress(report.imported + report.skipped + len(report.rejected))
    return report


def _import_batch(engine: Engine, crypto: FieldCrypto, actor: Principal,
                  records: list[Mapping[str, str]], report: ImportReport) -> None:
    with session_scope(engine) as session:
        sites = {s.code for s in session.exec(select(Site).where(col(Site.active))).all()}
        persons, registrations, indexes = [], [], []
        for record in records:
            row_id = record.get("record_id") or ""
            reg_id = uuid.uuid5(NAMESPACE, row_id) if row_id else uuid.uuid4()
            try:
                body = {k: record.get(k) or None for k in INPUT_FIELDS}
                data = RegistrationIn.model_validate({**body, "id": reg_id, "consent": True})
                if data.site not in sites:
                    report.rejected.append((row_id, "site: unknown site code"))
                    continue
                on = date.fromisoformat(record["registered_on"]) if record.get(
                    "registered_on") else date.today()
                checked = validate(session=session, data=data, registered_on=on)
            except ValidationError as exc:
                first = exc.errors()[0]
                report.rejected.append((row_id, f"{first['loc'][0]}: {first['msg']}"))
                continue
            except DomainError as exc:
                first_error = exc.errors[0] if exc.errors else None
                report.rejected.append(
                    (row_id, f"{first_error.field}: {first_error.message}" if first_error
                     else exc.detail))
                continue
            if session.get(Registration, reg_id) is not None:
                report.skipped += 1
                continue
            person_id = uuid.uuid4()
            persons.append({"id": person_id, "created_at": utcnow(), "status": "active",
                            "is_child": checked.is_child, "pathway": checked.pathway})
            number = next_number(session=session, site_code=data.site, year=on.year)
            registrations.append({
                "id": reg_id, "registration_number": f"{data.site}-{on.year:04d}-{number:06d}",
                "person_id": person_id, "site_code": data.site, "registered_on": on,
                "created_at": utcnow(), "created_by_id": actor.id, "consent": True,
                "consent_by_id": actor.id, "consent_at": utcnow(), "version": 1,
                "request_digest": request_digest(crypto, data), **checked.clear,
                **_row(crypto, checked.sealed, reg_id)})
            indexes += [{"registration_id": reg_id, "kind": kind, "digest": digest}
                        for kind, digest in sorted(index_entries(crypto, checked.sealed))]
        if registrations:
            session.execute(insert(Person), persons)
            session.execute(insert(Registration), registrations)
            session.execute(insert(RegistrationIndex), indexes)
            record_event(session=session, actor=actor, action="registration.import",
                         object_type="registration",
                         details={"imported": len(registrations)})
        report.imported += len(registrations)

