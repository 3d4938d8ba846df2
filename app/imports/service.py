"""Import jobs: upload (or name) a file, map its columns, run it a batch at a time, and
report on every row. The history keeps who imported which file (its SHA-256), when, how and
with what result; the file itself is kept only encrypted, and only until its job has run."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from app.core.models import utcnow
from app.core.roles import IMPORTERS, Role
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.dedup.bulk import KnownCache
from app.imports import mapping as columns
from app.imports import rows as batch
from app.imports.enums import TRANSITIONS, JobStatus, RowOutcome
from app.imports.models import ImportJob, ImportRow
from app.imports.reader import FileInfo, UnreadableFile, open_file
from app.registry.reference import open_site_codes
from app.users import service as users
from app.users.models import User
from matching import MatchModel

BATCH_SIZE = 2_000
REQUIRED = ("category", "sex", "nationality", "given_name")
"""Fields a file must give (a column or a default) for any of its rows to be stored."""
Progress = Callable[[ImportJob], None]


def importer(*, session: Session, username: str) -> Principal:
    """The active user a command-line import acts as (its rows only at their sites)."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        raise NotFound("no active user of that name")
    principal = users.principal_for(session=session, user=user)
    require_importer(principal)
    return principal


def require_importer(actor: Principal) -> None:
    """Refuse a role that may not import registrations."""
    if actor.role not in IMPORTERS:
        raise Forbidden("your role may not import registrations")


def file_digest(handle: BinaryIO) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    while chunk := handle.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def create_job(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    handle: BinaryIO,
    file_name: str,
    site: str | None = None,
    mapping_text: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    keep_content: bool = False,
) -> tuple[ImportJob, FileInfo]:
    """Record a file to import: read its header, map its columns (the mapping file, else by
    name) and keep the file encrypted when it is to run later (`keep_content`)."""
    require_importer(actor)
    if site is not None:
        site = _own_site(session, actor, site)
    info, _rows = open_file(handle, encoding=encoding, sheet=sheet)
    mapped = (columns.load(mapping_text, info.header) if mapping_text
              else columns.recognise(info.header))
    sha256, size = file_digest(handle)
    job = ImportJob(created_by_id=actor.id, created_by_username=actor.username,
                    dry_run=dry_run, file_sha256=sha256, file_size=size,
                    file_format=info.file_format, encoding=info.encoding,
                    delimiter=info.delimiter, sheet=info.sheet, site_code=site,
                    header=json.dumps(list(info.header), ensure_ascii=False),
                    mapping=mapped.to_yaml())
    content = None
    if keep_content:
        handle.seek(0)
        content = base64.b64encode(handle.read()).decode()
    seal(crypto, job, {"file_name": file_name, "content": content})
    session.add(job)
    record_event(session=session, actor=actor, action="import.upload", object_type="import",
                 object_id=str(job.id), site_code=site,
                 details={"sha256": sha256, "bytes": size, "format": info.describe(),
                          "dry_run": dry_run})
    session.flush()
    return job, info


def upload(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    content: bytes,
    file_name: str,
    site: str | None = None,
    mapping_text: str | None = None,
    consent_attested: bool = False,
    dry_run: bool = False,
) -> ImportJob:
    """Record an uploaded file (kept encrypted until it has run) and queue its import; the
    caller starts it once this is committed (:func:`app.imports.jobs.start`)."""
    job, _info = create_job(session=session, crypto=crypto, actor=actor,
                            handle=io.BytesIO(content), file_name=file_name, site=site,
                            mapping_text=mapping_text, dry_run=dry_run, keep_content=True)
    return confirm(session=session, actor=actor, job_id=job.id,
                   attest_consent=consent_attested)


def _own_site(session: Session, actor: Principal, code: str) -> str:
    code = code.strip().upper()
    if code not in open_site_codes(session=session):
        raise ValidationFailed([FieldError("site", "unknown site code")])
    if not actor.can_act_for(code):
        raise Forbidden("you may not register at this site", [FieldError("site", "not yours")])
    return code


def job_mapping(job: ImportJob) -> columns.ColumnMapping:
    """The mapping a job reads its file with."""
    return columns.load(job.mapping, header(job))


def header(job: ImportJob) -> list[str]:
    """The header row of a job's file."""
    return list(json.loads(job.header))


def missing_fields(job: ImportJob, site: str | None = None) -> list[str]:
    """The fields the file must give but that its mapping leaves out."""
    mapped = job_mapping(job)
    given = set(mapped.columns) | set(mapped.defaults)
    missing = [f for f in REQUIRED if f not in given]
    if "site" not in given and not (site or job.site_code):
        missing.append("site")
    return missing


def update_mapping(*, session: Session, actor: Principal, job_id: Any,
                   mapping: columns.ColumnMapping) -> ImportJob:
    """Change the column mapping of a job not started yet."""
    job = get_job(session=session, actor=actor, job_id=job_id)
    if job.status != JobStatus.draft:
        raise Conflict("this import has started; its mapping can no longer change")
    job.mapping = mapping.to_yaml()
    job.updated_at = utcnow()
    session.add(job)
    session.flush()
    return job


def confirm(*, session: Session, actor: Principal, job_id: Any, attest_consent: bool,
            site: str | None = None) -> ImportJob:
    """Queue a job to run: its mapping complete, the consent attestation (if any) recorded
    and audited. A second confirmation of one job is a conflict (it runs once)."""
    job = get_job(session=session, actor=actor, job_id=job_id)
    if site:
        job.site_code = _own_site(session, actor, site)
    missing = missing_fields(job)
    if missing:
        raise ValidationFailed([FieldError(f, "no column of the file is mapped to it")
                                for f in missing])
    if attest_consent:
        job.consent_attested, job.consent_attested_by_id = True, actor.id
        job.consent_attested_at = utcnow()
        record_event(session=session, actor=actor, action="import.consent_attested",
                     object_type="import", object_id=str(job.id), site_code=job.site_code,
                     details={"sha256": job.file_sha256})
    session.add(job)
    session.flush()
    _move(session, job, JobStatus.draft, JobStatus.queued)
    return job


def _move(session: Session, job: ImportJob, before: JobStatus, after: JobStatus,
          **values: Any) -> None:
    """Change a job's status if the table allows it and nobody changed it meanwhile (the
    conditional UPDATE makes two confirmations of one job one success, one conflict)."""
    if after not in TRANSITIONS[before]:
        raise Conflict(f"an import cannot go from {before} to {after}")
    result = session.execute(
        update(ImportJob).where(col(ImportJob.id) == job.id, col(ImportJob.status) == before)
        .values(status=after, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("this import was started already")
    job.status = after.value
    for key, value in values.items():
        setattr(job, key, value)


def get_job(*, session: Session, actor: Principal, job_id: Any) -> ImportJob:
    """A job its importer (or an administrator) may see; any other is not found."""
    require_importer(actor)
    job = session.get(ImportJob, job_id)
    if job is None or not (actor.role == Role.admin or job.created_by_id == actor.id):
        raise NotFound("import not found")
    return job


def list_jobs(*, session: Session, actor: Principal, limit: int = 50) -> list[ImportJob]:
    """The caller's imports (an administrator's: everyone's), newest first."""
    require_importer(actor)
    query = select(ImportJob).order_by(col(ImportJob.created_at).desc()).limit(limit)
    if actor.role != Role.admin:
        query = query.where(ImportJob.created_by_id == actor.id)
    return list(session.exec(query).all())


def report_rows(*, session: Session, actor: Principal, job_id: Any,
                outcome: RowOutcome | None = None, limit: int = 200) -> list[ImportRow]:
    """The rows of a job's report (without their cells), by row number."""
    get_job(session=session, actor=actor, job_id=job_id)
    query = select(ImportRow).where(ImportRow.job_id == job_id)
    if outcome is not None:
        query = query.where(ImportRow.outcome == outcome.value)
    return list(session.exec(query.order_by(col(ImportRow.row_number)).limit(limit)).all())


def run(
    *,
    engine: Engine,
    crypto: FieldCrypto,
    actor: Principal,
    job_id: Any,
    handle: BinaryIO | None = None,
    model: MatchModel | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportJob:
    """Run a queued job over its file (`handle`, else the file kept with the job), a batch
    per transaction; a file that cannot be read to the end fails the job."""
    with session_scope(engine) as session:
        job = get_job(session=session, actor=actor, job_id=job_id)
        _move(session, job, JobStatus.queued, JobStatus.running, started_at=utcnow())
        if handle is None:
            content = unseal(crypto, job, ("content",))["content"] or ""
            handle = io.BytesIO(base64.b64decode(content))
        mapped = job_mapping(job)
        options = batch.Options(site=job.site_code, consent_attested=job.consent_attested,
                                dry_run=job.dry_run)
        details = {"source": "import", "import_id": str(job.id), "file_sha256": job.file_sha256}
    try:
        info, cells = open_file(handle, encoding=job.encoding, sheet=job.sheet)
        cache = KnownCache()
        for rows in _batches(info, mapped, cells, batch_size):
            _run_batch(engine, crypto, actor, job, rows, options, details, cache, model)
            if progress is not None:
                progress(job)
    except UnreadableFile as exc:
        _finish(engine, actor, job, JobStatus.failed, exc.detail)
        raise
    except BaseException:
        _finish(engine, actor, job, JobStatus.failed, "the import stopped on an internal error")
        raise
    _finish(engine, actor, job, JobStatus.done, None)
    return job


def import_file(
    *,
    engine: Engine,
    crypto: FieldCrypto,
    actor: Principal,
    handle: BinaryIO,
    file_name: str,
    site: str | None = None,
    mapping_text: str | None = None,
    consent_attested: bool = False,
    dry_run: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    model: MatchModel | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportJob:
    """Import an open file at once (the command line, benchmarks): record the job, confirm
    it (with the consent attestation if given) and run it."""
    with session_scope(engine) as session:
        job, _info = create_job(session=session, crypto=crypto, actor=actor, handle=handle,
                                file_name=file_name, site=site, mapping_text=mapping_text,
                                encoding=encoding, sheet=sheet, dry_run=dry_run)
        confirm(session=session, actor=actor, job_id=job.id, attest_consent=consent_attested)
    return run(engine=engine, crypto=crypto, actor=actor, job_id=job.id, handle=handle,
               model=model, batch_size=batch_size, progress=progress)


def _batches(info: FileInfo, mapped: columns.ColumnMapping, cells: Iterator[list[str]],
             size: int) -> Iterator[list[batch.Row]]:
    """The file's rows read through the mapping, `size` at a time (blank rows left out)."""
    rows: list[batch.Row] = []
    for number, row in enumerate(cells, start=2):
        if not any(c.strip() for c in row):
            continue
        if columns.extra_cells(info.header, row):
            rows.append(batch.Row(number, row, None, [FieldError(
                "row", "more cells than the header has columns (a delimiter inside a value?)")]))
        else:
            rows.append(batch.Row(number, row, columns.read_row(mapped, info.header, row)))
        if len(rows) == size:
            yield rows
            rows = []
    if rows:
        yield rows


def _run_batch(engine: Engine, crypto: FieldCrypto, actor: Principal, job: ImportJob,
               rows: list[batch.Row], options: batch.Options, details: dict[str, str],
               cache: KnownCache, model: MatchModel | None) -> None:
    """One batch in one transaction with the job's report and counts; a dry run rolls the
    batch back and keeps only the report."""
    if not options.dry_run:
        with session_scope(engine) as session:
            outcome = batch.process(session=session, crypto=crypto, actor=actor, rows=rows,
                                    options=options, details=details, cache=cache, model=model)
            _report(session, crypto, job, len(rows), outcome)
        return
    with session_scope(engine) as session:
        outcome = batch.process(session=session, crypto=crypto, actor=actor, rows=rows,
                                options=options, details=details, cache=cache, model=model)
        session.rollback()
        outcome.findings = {n: (None, found) for n, (_, found) in outcome.findings.items()}
        _report(session, crypto, job, len(rows), outcome)


def _report(session: Session, crypto: FieldCrypto, job: ImportJob, count: int,
            outcome: batch.Outcome) -> None:
    """Store a batch's report rows and add its counts to the job."""
    for row in outcome.rejected:
        report = ImportRow(job_id=job.id, row_number=row.number,
                           outcome=RowOutcome.rejected.value,
                           problems=batch.problems_json(row.errors))
        seal(crypto, report, {"cells": json.dumps(row.cells, ensure_ascii=False)})
        session.add(report)
    for number, (registration, found) in outcome.findings.items():
        kind = (RowOutcome.duplicate if any(f["kind"] == "match" for f in found)
                else RowOutcome.flagged)
        session.add(ImportRow(job_id=job.id, row_number=number, outcome=kind.value,
                              registration_id=registration, problems=json.dumps(found)))
    counts = {"rows_processed": count, "accepted": outcome.accepted,
              "rejected": len(outcome.rejected), "flagged": outcome.flagged,
              "duplicates": outcome.duplicates, "skipped": outcome.skipped,
              "do_not_reenter": outcome.do_not_reenter}
    session.execute(update(ImportJob).where(col(ImportJob.id) == job.id).values(
        updated_at=utcnow(), **{k: getattr(ImportJob, k) + v for k, v in counts.items()}))
    for key, value in counts.items():
        setattr(job, key, getattr(job, key) + value)


def _finish(engine: Engine, actor: Principal, job: ImportJob, status: JobStatus,
            error: str | None) -> None:
    """End a running job: its status, the file it kept dropped, the result audited."""
    with session_scope(engine) as session:
        _move(session, job, JobStatus.running, status, finished_at=utcnow(), error=error,
              content=None)
        record_event(session=session, actor=actor, action=f"import.{status.value}",
                     object_type="import", object_id=str(job.id), site_code=job.site_code,
                     details={"sha256": job.file_sha256, "dry_run": job.dry_run,
                              **summary_counts(job)})


def summary_counts(job: ImportJob) -> dict[str, int]:
    """The job's counts as the summary line gives them."""
    return {"accepted": job.accepted, "rejected": job.rejected, "flagged": job.flagged,
            "duplicates": job.duplicates, "skipped": job.skipped}


def summary_line(job: ImportJob) -> str:
    """`accepted=N rejected=N flagged=N duplicates=N skipped=N`."""
    return " ".join(f"{k}={v}" for k, v in summary_counts(job).items())
