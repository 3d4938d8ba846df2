"""Import pages: upload a file, map its columns with a preview of the rows as they will be
stored, attest consent, then follow the job (htmx polling) and read its report."""

from __future__ import annotations

import io
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from app.core.errors import DomainError, FieldError, Forbidden, ValidationFailed
from app.core.roles import IMPORTERS
from app.core.security import Principal
from app.deps import CryptoDep, ModelDep, SessionDep
from app.imports import jobs
from app.imports import mapping as columns
from app.imports import service as imports
from app.imports.enums import OPEN, JobStatus, RowOutcome
from app.imports.preview import preview, stored_rows
from app.imports.report import problem_text, rejected_rows, write_rejects
from app.imports.schemas import job_out
from app.registry import reference
from app.web import deps, import_template
from app.web.auth import redirect
from app.web.forms import CATEGORY_LABELS, IMPORT_LABELS, N_, SEX_LABELS
from app.web.i18n import translations
from app.web.rendering import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = APIRouter(prefix="/imports", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)

MESSAGES = (  # the import's own texts, shown translated (see app.imports)
    N_("consent is not recorded for this row"), N_("the participant did not consent"),
    N_("already imported with other data"), N_("not a date (YYYY-MM-DD)"),
    N_("not one of the allowed values"), N_("too many values"), N_("not a valid value"),
    N_("more cells than the header has columns (a delimiter inside a value?)"),
    N_("must not start with =, +, - or @"), N_("no column of the file is mapped to it"),
    N_("your role may not import registrations"), N_("import not found"),
    N_("this import was started already"), N_("this import has started; its mapping can no "
                                              "longer change"),
    N_("the import stopped on an internal error"), N_("not a readable XLSX workbook"),
    N_("an old Excel file (.xls): save it as .xlsx or CSV"), N_("the file is empty"),
    N_("no header row"), N_("not a readable YAML file"), N_("choose a file"),
    N_("malformed CSV (a quote left open, or a cell over a megabyte)"),
    N_("unknown encoding (use utf-8, utf-16 or windows-1256)"),
    N_("the file is not text in the encoding given"),
    N_("the workbook has no sheet of that name"), N_("expects columns, values and defaults"),
    N_("values: a table per field"), N_("a table of field: text"),
    N_("names a column the file does not have"), N_("not a field that can be imported"),
    N_("rejected"), N_("flagged"), N_("duplicate"), N_("match"), N_("possible"), N_("signal"),
    N_("do_not_reenter"),
    N_("; "), N_(", "),  # how a list's items are separated (Arabic: "؛ " and "، ")
    N_("draft"), N_("queued"), N_("running"), N_("done"), N_("failed"),
)


def importer_principal(actor: deps.WebUser) -> Principal:
    """A signed-in user whose role imports registrations."""
    if actor.role not in IMPORTERS:
        raise Forbidden("your role may not import registrations")
    return actor


Importer = Annotated[Principal, Depends(importer_principal)]


def _sites(session: SessionDep, actor: Principal) -> list[Any]:
    return [s for s in reference.list_sites(session=session, active_only=True)
            if actor.can_act_for(s.code)]


def _upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


@router.get("")
def imports_page(request: Request, session: SessionDep, crypto: CryptoDep,
                 actor: Importer) -> Response:
    """The upload form and the caller's imports."""
    history = [job_out(crypto, j) for j in imports.list_jobs(session=session, actor=actor)]
    return render(request, "imports.html", {"history": history, "sites": _sites(session, actor)},
                  actor=actor)


@router.post("")
def upload(request: Request, session: SessionDep, crypto: CryptoDep, actor: Importer,
           form: deps.FormDep) -> Response:
    """Keep the uploaded file (encrypted) and go on to map its columns."""
    upload_file, mapping_file = _upload(form, "file"), _upload(form, "mapping")
    try:
        if upload_file is None:
            raise ValidationFailed([FieldError("file", "choose a file")])
        job, _info = imports.create_job(
            session=session, crypto=crypto, actor=actor,
            handle=io.BytesIO(upload_file.file.read()), file_name=upload_file.filename or "",
            site=str(form.get("site") or "") or None,
            mapping_text=(mapping_file.file.read().decode("utf-8", "replace")
                          if mapping_file else None), keep_content=True)
    except DomainError as exc:
        history = [job_out(crypto, j) for j in imports.list_jobs(session=session, actor=actor)]
        return render(request, "imports.html", {
            "history": history, "sites": _sites(session, actor), "errors": exc.errors,
            "problem": None if exc.errors else exc.detail}, actor=actor, status_code=422)
    return redirect(request, f"/imports/{job.id}/mapping")


@router.get("/template.xlsx")
def template_file(request: Request, session: SessionDep, actor: Importer) -> Response:
    """A spreadsheet to register offline in, headed in the reader's language."""
    language = deps.request_language(request)
    content = import_template.template(language, [s.code for s in _sites(session, actor)])
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="ddr-registrations-{language}.xlsx"'})


def _mapping_context(session: SessionDep, crypto: CryptoDep, actor: Principal,
                     job_id: uuid.UUID, chosen: columns.ColumnMapping | None = None,
                     site: str | None = None, attest: bool = False) -> dict[str, Any]:
    job = imports.get_job(session=session, actor=actor, job_id=job_id)
    mapped = chosen or imports.job_mapping(job)
    rows = preview(session=session, crypto=crypto, actor=actor, job_id=job.id, mapping=mapped,
                   site=site, consent_attested=attest)
    return {"job": job_out(crypto, job), "header": imports.header(job), "fields": columns.FIELDS,
            "labels": IMPORT_LABELS, "mapped": mapped, "rows": rows, "categories": CATEGORY_LABELS,
            "sexes": SEX_LABELS,
            "sites": _sites(session, actor), "site": site or job.site_code, "attest": attest,
            "missing": imports.missing_fields(job, site), "draft": job.status == JobStatus.draft}


def _chosen(session: SessionDep, actor: Principal, job_id: uuid.UUID,
            form: FormData) -> columns.ColumnMapping:
    """The mapping the form chose, saved on the job."""
    job = imports.get_job(session=session, actor=actor, job_id=job_id)
    chosen = {f: str(form.get(f"map-{f}") or "") for f in columns.FIELDS}
    mapped = columns.with_columns(imports.job_mapping(job), imports.header(job), chosen)
    imports.update_mapping(session=session, actor=actor, job_id=job.id, mapping=mapped)
    return mapped


@router.get("/{job_id}/mapping")
def mapping_page(request: Request, job_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                 actor: Importer) -> Response:
    """Map the file's columns; the first rows are shown as they will be stored."""
    return render(request, "import_mapping.html",
                  _mapping_context(session, crypto, actor, job_id), actor=actor)


@router.post("/{job_id}/preview")
def preview_fragment(request: Request, job_id: uuid.UUID, session: SessionDep,
                     crypto: CryptoDep, actor: Importer, form: deps.FormDep) -> Response:
    """Save the mapping as chosen so far and show the preview again."""
    mapped = _chosen(session, actor, job_id, form)
    site, attest = str(form.get("site") or "") or None, form.get("attest") == "yes"
    context = _mapping_context(session, crypto, actor, job_id, mapped, site, attest)
    template = "_import_preview.html" if deps.is_htmx(request) else "import_mapping.html"
    return render(request, template, context, actor=actor)


@router.post("/{job_id}/start")
def start(request: Request, job_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
          actor: Importer, model: ModelDep, form: deps.FormDep,
          background: BackgroundTasks) -> Response:
    """Start the import with the mapping chosen (and the consent attestation, if given)."""
    mapped = _chosen(session, actor, job_id, form)
    site, attest = str(form.get("site") or "") or None, form.get("attest") == "yes"
    try:
        job = imports.confirm(session=session, actor=actor, job_id=job_id,
                              attest_consent=attest, site=site)
    except ValidationFailed as exc:
        context = _mapping_context(session, crypto, actor, job_id, mapped, site, attest)
        return render(request, "import_mapping.html", {**context, "errors": exc.errors},
                      actor=actor, status_code=422)
    # the job's thread starts once the answer is sent: the job is committed by then
    background.add_task(jobs.start, engine=request.app.state.engine, crypto=crypto,
                        actor=actor, job_id=job.id, model=model)
    return redirect(request, f"/imports/{job.id}")


def _job_context(request: Request, session: SessionDep, crypto: CryptoDep, actor: Principal,
                 job_id: uuid.UUID) -> dict[str, Any]:
    job = imports.get_job(session=session, actor=actor, job_id=job_id)
    gettext = translations(deps.request_language(request)).gettext
    mapped = imports.job_mapping(job).columns
    rejected = [(row.row_number, problem_text(_problems(row.problems), mapped, gettext,
                                                 IMPORT_LABELS))
                for row in imports.report_rows(session=session, actor=actor, job_id=job.id,
                                               outcome=RowOutcome.rejected)]
    return {"job": job_out(crypto, job), "open": job.status in OPEN, "rejected": rejected,
            "stored": stored_rows(session=session, actor=actor, job_id=job.id),
            "findings": _problems}


def _problems(text: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(text)
    return items


@router.get("/{job_id}")
def job_page(request: Request, job_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
             actor: Importer) -> Response:
    """An import's progress (updated while it runs) and, once done, its report."""
    return render(request, "import_job.html",
                  _job_context(request, session, crypto, actor, job_id), actor=actor)


@router.get("/{job_id}/progress")
def progress(request: Request, job_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
             actor: Importer) -> Response:
    """The job's counts (polled while it runs; once it ends the page reloads for the report)."""
    job = imports.get_job(session=session, actor=actor, job_id=job_id)
    headers = {"HX-Refresh": "true"} if job.status not in OPEN and deps.is_htmx(request) else None
    return render(request, "_import_progress.html",
                  {"job": job_out(crypto, job), "open": job.status in OPEN}, actor=actor,
                  headers=headers)


@router.get("/{job_id}/rejects.csv")
def rejects(request: Request, job_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
            actor: Importer) -> Response:
    """The rejected rows to fix and import again, with the problems in the user's language."""
    gettext = translations(deps.request_language(request)).gettext
    out = io.StringIO()
    write_rejects(out, rejected_rows(session=session, crypto=crypto, actor=actor,
                                     job_id=job_id, translate=gettext, labels=IMPORT_LABELS))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="rejects-{job_id}.csv"'})


@router.get("/{job_id}/mapping.yaml")
def mapping_file(job_id: uuid.UUID, session: SessionDep, actor: Importer) -> Response:
    """The job's column mapping, to save and reuse for the next file of the same form."""
    job = imports.get_job(session=session, actor=actor, job_id=job_id)
    return Response(job.mapping, media_type="application/yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="mapping-{job_id}.yaml"'})
