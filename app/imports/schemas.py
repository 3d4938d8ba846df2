"""What the import API and pages show of a job and its report."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from app.core.crypto import FieldCrypto
from app.core.models import utcnow
from app.core.sealed import unseal
from app.imports.enums import OPEN
from app.imports.models import ImportJob, ImportRow
from app.imports.service import summary_counts, summary_line

STALLED_AFTER = timedelta(minutes=10)
"""A running job whose last batch is older than this has stopped (its server was stopped)."""


class ImportJobOut(BaseModel):
    """An import job: the file, how it was read, and what became of its rows."""

    id: uuid.UUID
    status: str
    stalled: bool
    dry_run: bool
    file_name: str | None
    file_sha256: str
    file_size: int
    file_format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    site: str | None
    created_at: datetime
    created_by: str
    consent_attested: bool
    consent_attested_at: datetime | None
    rows_processed: int
    accepted: int
    rejected: int
    flagged: int
    duplicates: int
    skipped: int
    do_not_reenter: int = Field(default=0, description="stored rows that may be a person "
                                "handed over to their country of origin")
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    summary: str


class ProblemOut(BaseModel):
    """One problem of a rejected row: the field and a fixed text (never the value)."""

    field: str
    message: str


class FindingOut(BaseModel):
    """Something to review about a stored row: a likely (`match`) or possible duplicate of
    another row of the file or of a registration, or an integrity `signal`."""

    kind: str
    row: int | None = None
    registration_number: str | None = None


class ImportRowOut(BaseModel):
    """A row of the report."""

    row: int
    outcome: str
    registration_id: uuid.UUID | None
    problems: list[ProblemOut] = []
    findings: list[FindingOut] = []


class ImportDetailOut(ImportJobOut):
    """A job with the rows of its report (the first few hundred)."""

    rows: list[ImportRowOut]


def is_stalled(job: ImportJob) -> bool:
    """Whether a job that should be running has not moved for a long while."""
    updated = job.updated_at if job.updated_at.tzinfo else job.updated_at.replace(
        tzinfo=utcnow().tzinfo)
    return job.status in OPEN and utcnow() - updated > STALLED_AFTER


def job_out(crypto: FieldCrypto, job: ImportJob) -> ImportJobOut:
    """A job as the API and pages show it (to its importer)."""
    counts = summary_counts(job)
    return ImportJobOut(
        id=job.id, status=job.status, stalled=is_stalled(job), dry_run=job.dry_run,
        file_name=unseal(crypto, job, ("file_name",))["file_name"],
        file_sha256=job.file_sha256, file_size=job.file_size, file_format=job.file_format,
        encoding=job.encoding, delimiter=job.delimiter, sheet=job.sheet, site=job.site_code,
        created_at=job.created_at, created_by=job.created_by_username,
        consent_attested=job.consent_attested, consent_attested_at=job.consent_attested_at,
        rows_processed=job.rows_processed, started_at=job.started_at,
        finished_at=job.finished_at, error=job.error,
        summary=summary_line(job), do_not_reenter=job.do_not_reenter, **counts)


def row_out(row: ImportRow) -> ImportRowOut:
    """A row of the report."""
    items = json.loads(row.problems)
    if row.outcome == "rejected":
        return ImportRowOut(row=row.row_number, outcome=row.outcome, registration_id=None,
                            problems=[ProblemOut(**p) for p in items])
    return ImportRowOut(
        row=row.row_number, outcome=row.outcome, registration_id=row.registration_id,
        findings=[FindingOut(kind=f["kind"], row=f.get("row"),
                             registration_number=f.get("number")) for f in items])
