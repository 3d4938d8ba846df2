"""Imports: upload a file of registrations, follow its job, read its report and rejects."""

from __future__ import annotations

import io
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import Response

from app.deps import CryptoDep, CurrentUser, ModelDep, SessionDep
from app.imports import jobs
from app.imports import service as imports
from app.imports.report import rejected_rows, write_rejects
from app.imports.schemas import ImportDetailOut, ImportJobOut, job_out, row_out

FormFlag = Literal["true", "false"]
"""A boolean in a form: the words `true` or `false` only (never `yes`, `on` or `1`)."""

router = APIRouter(tags=["imports"])

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "not authenticated"},
    403: {"description": "role or site not allowed"},
    404: {"description": "not found (imports are seen by their importer and administrators)"},
    413: {"description": "file over the upload limit"},
    422: {"description": "the file or the mapping cannot be used; `errors` says why"},
}


@router.post("/imports", status_code=202, response_model=ImportJobOut, responses=ERRORS,
             summary="Import a file of registrations")
def create_import(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    crypto: CryptoDep,
    actor: CurrentUser,
    model: ModelDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX, or a KoBoToolbox / ODK export")],
    site: Annotated[str | None, Form(description="site of the rows that name none")] = None,
    mapping: Annotated[UploadFile | None, File(description="column mapping (YAML)")] = None,
    attest_consent: Annotated[FormFlag, Form(
        description="consent was collected for every row (recorded and audited)")] = "false",
    dry_run: Annotated[FormFlag, Form(description="check and report, store nothing")] = "false",
) -> ImportJobOut:
    """Queue the import of a file; it runs in the background once this answers (follow it
    at `GET /imports/{id}`). Importing a file again skips the rows already stored."""
    job = imports.upload(
        session=session, crypto=crypto, actor=actor, content=file.file.read(),
        file_name=file.filename or "upload", site=site or None,
        mapping_text=mapping.file.read().decode("utf-8", "replace") if mapping else None,
        consent_attested=attest_consent == "true", dry_run=dry_run == "true")
    background.add_task(jobs.start, engine=request.app.state.engine, crypto=crypto,
                        actor=actor, job_id=job.id, model=model)
    return job_out(crypto, job)


@router.get("/imports", response_model=list[ImportJobOut], responses=ERRORS,
            summary="List imports")
def list_imports(session: SessionDep, crypto: CryptoDep, actor: CurrentUser
                 ) -> list[ImportJobOut]:
    """Your imports, newest first (an administrator's: everyone's)."""
    return [job_out(crypto, job) for job in imports.list_jobs(session=session, actor=actor)]


@router.get("/imports/{job_id}", response_model=ImportDetailOut, responses=ERRORS,
            summary="Read an import and its report")
def read_import(job_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                actor: CurrentUser) -> ImportDetailOut:
    """An import's progress and counts, and the first rows of its report: each rejected row
    with its problems, each stored row with something to review."""
    job = imports.get_job(session=session, actor=actor, job_id=job_id)
    rows = imports.report_rows(session=session, actor=actor, job_id=job_id, limit=500)
    return ImportDetailOut(**job_out(crypto, job).model_dump(), rows=[row_out(r) for r in rows])


@router.get("/imports/{job_id}/rejects", responses={
    **ERRORS, 200: {"content": {"text/csv": {}}, "description": "the rejected rows"}},
            summary="Download the rejected rows")
def download_rejects(job_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                     actor: CurrentUser) -> Response:
    """The rejected rows as a CSV file: the file's columns with each row's number and
    problems, formulas neutralised (an audited read)."""
    out = io.StringIO()
    write_rejects(out, rejected_rows(session=session, crypto=crypto, actor=actor,
                                     job_id=job_id, translate=lambda message: message,
                                     labels={}))  # the API names fields by their codes
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="rejects-{job_id}.csv"'})

