"""What the upload page shows before and after an import runs: the first rows of the file as
they would be stored (every rule applied, nothing written), and the stored rows of the
report with their registrations."""

from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import DomainError, FieldError
from app.core.sealed import unseal
from app.core.security import Principal
from app.imports import rows as batch
from app.imports.enums import RowOutcome
from app.imports.mapping import ColumnMapping, extra_cells, read_row
from app.imports.models import ImportJob, ImportRow
from app.imports.reader import open_file
from app.imports.service import get_job
from app.registry import service as registry
from app.registry.models import Registration

SHOWN = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name",
         "sex", "date_of_birth", "nationality", "phone", "national_id", "passport_no",
         "armed_group")
"""The stored values a preview row shows (besides its site, category and registration date)."""


@dataclass
class PreviewRow:
    """One row of the file as it would be stored, or why it would not be."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[FieldError] = field(default_factory=list)


def preview(*, session: Session, crypto: FieldCrypto, actor: Principal, job_id: uuid.UUID,
            mapping: ColumnMapping, site: str | None = None, consent_attested: bool = False,
            limit: int = 5) -> list[PreviewRow]:
    """The first rows of a job's file read through `mapping` and checked by every rule of a
    registration (nothing is stored; the read is audited)."""
    job = get_job(session=session, actor=actor, job_id=job_id)
    content = unseal(crypto, job, ("content",))["content"]
    if content is None:
        return []
    info, cells = open_file(io.BytesIO(base64.b64decode(content)), encoding=job.encoding,
                            sheet=job.sheet)
    options = batch.Options(site=site or job.site_code, consent_attested=consent_attested)
    shown: list[PreviewRow] = []
    for number, row in enumerate(cells, start=2):
        if len(shown) == limit:
            break
        if not any(c.strip() for c in row):
            continue
        shown.append(_checked(session, crypto, actor, info.header, mapping, number, row,
                              options))
    record_event(session=session, actor=actor, action="import.preview", object_type="import",
                 object_id=str(job.id), site_code=job.site_code, details={"rows": len(shown)})
    return shown


def _checked(session: Session, crypto: FieldCrypto, actor: Principal, columns: Any,
             mapping: ColumnMapping, number: int, cells: list[str],
             options: batch.Options) -> PreviewRow:
    if extra_cells(columns, cells):
        return PreviewRow(number, problems=[FieldError(
            "row", "more cells than the header has columns (a delimiter inside a value?)")])
    row = batch.Row(number, cells, read_row(mapping, columns, cells))
    data, registered_on, problems = batch.request(session, row,
                                                  batch.registration_id(crypto, row), options)
    assert row.values is not None
    shown = PreviewRow(number, values={f: row.values.fields.get(f) for f in SHOWN},
                       problems=problems)  # as read, until every rule has passed
    if data is None:
        return shown
    try:
        new = registry.prepare(session=session, crypto=crypto, actor=actor, data=data,
                               registered_on=registered_on)
    except DomainError as exc:
        shown.problems += exc.errors or [FieldError("row", exc.detail)]
        return shown
    sealed, clear = new.validated.sealed, new.validated.clear
    shown.values = {**{f: sealed.get(f) or clear.get(f) for f in SHOWN},
                    "site": new.row["site_code"], "category": clear["category"],
                    "registered_on": new.row["registered_on"],
                    "is_child": new.validated.is_child}
    return shown


@dataclass
class StoredRow:
    """A stored row of the report with something to review, and its registration."""

    row: ImportRow
    registration_number: str | None
    person_id: uuid.UUID | None


def stored_rows(*, session: Session, actor: Principal, job_id: uuid.UUID,
                limit: int = 500) -> list[StoredRow]:
    """The report's flagged and likely-duplicate rows, with their registrations."""
    job: ImportJob = get_job(session=session, actor=actor, job_id=job_id)
    found = session.exec(
        select(ImportRow, Registration.registration_number, Registration.person_id)
        .join(Registration, col(Registration.id) == ImportRow.registration_id, isouter=True)
        .where(ImportRow.job_id == job.id,
               col(ImportRow.outcome).in_([RowOutcome.flagged.value,
                                           RowOutcome.duplicate.value]))
        .order_by(col(ImportRow.row_number)).limit(limit)).all()
    return [StoredRow(row, number, person) for row, number, person in found]
