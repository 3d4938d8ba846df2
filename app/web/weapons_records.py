"""Weapons pages for what is recorded rather than moved: destruction events and their
certificates, the reconciliation report, stock counts, ammunition lots and tracing lists."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.core.errors import DomainError
from app.core.security import Principal
from app.deps import CryptoDep, SessionDep
from app.weapons import destruction, reconciliation, stock, tracing
from app.weapons.schemas import (
    DestructionIn,
    ItemStub,
    LotIn,
    StockCountIn,
    StockCountOut,
    TracingListIn,
)
from app.web import deps
from app.web.auth import redirect
from app.web.form_input import errors_by_field, pydantic_errors
from app.web.rendering import render
from app.web.weapons import LABELS, ids, problems, say, sites_for, text
from app.web.weapons_labels import (
    AMMO_CONDITION_LABELS,
    CATEGORY_LABELS,
    DISCREPANCY_LABELS,
    METHOD_LABELS,
)

router = APIRouter(prefix="/weapons", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)

WITNESS_ROWS = 4
RECORD_LABELS = {**LABELS, "methods": METHOD_LABELS, "categories": CATEGORY_LABELS,
                 "ammo_conditions": AMMO_CONDITION_LABELS, "kinds": DISCREPANCY_LABELS}


def _translated(request: Request, exc: ValidationError) -> dict[str, list[str]]:
    return {k: [say(request, m) for m in v]
            for k, v in errors_by_field(pydantic_errors(exc)).items()}


def destruction_form(request: Request, session: SessionDep, actor: Principal,
                     items: list[ItemStub], values: dict[str, Any],
                     errors: dict[str, list[str]], status_code: int = 200) -> Response:
    """The destruction form for a batch (all at one site)."""
    sites = sorted({i.site for i in items if i.site})
    defaults = {"id": str(uuid.uuid4()), "destroyed_on": date.today().isoformat(),
                "site": sites[0] if sites else ""}
    return render(request, "weapons/destruction_form.html", {
        "items": items, "values": {**defaults, **values}, "errors": errors,
        "witness_rows": range(WITNESS_ROWS), **RECORD_LABELS},
        actor=actor, status_code=status_code)


@router.post("/destructions")
def destroy(request: Request, session: SessionDep, crypto: CryptoDep,
            actor: deps.WeaponsOfficer, form: deps.FormDep) -> Response:
    """Record the destruction; the event's page offers its certificate."""
    witnesses = [{"name": text(form, f"witness-{i}-name"),
                  "role": text(form, f"witness-{i}-role") or None}
                 for i in range(WITNESS_ROWS) if text(form, f"witness-{i}-name")]
    try:
        body = DestructionIn.model_validate({
            "id": text(form, "id"), "site": text(form, "site"),
            "destroyed_on": text(form, "destroyed_on"), "method": text(form, "method"),
            "place": text(form, "place"), "authorised_by": text(form, "authorised_by"),
            "witnesses": witnesses, "weapons": ids(form, "weapons"), "lots": ids(form, "lots"),
            "in_place": text(form, "in_place") == "yes", "note": text(form, "note") or None})
        with session.begin_nested():  # a refusal leaves nothing behind, the page still shows
            event, _created = destruction.destroy(session=session, crypto=crypto, actor=actor,
                                                  body=body)
    except ValidationError as exc:
        errors = _translated(request, exc)
    except DomainError as exc:
        errors = problems(request, exc)
    else:
        return redirect(request, f"/weapons/destructions/{event.id}?recorded=1")
    from app.weapons.service import selected_items

    items = selected_items(session=session, actor=actor, weapons=ids(form, "weapons"),
                           lots=ids(form, "lots"))
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    return destruction_form(request, session, actor, items, values, errors, status_code=422)


@router.get("/destructions")
def destructions(request: Request, session: SessionDep, actor: deps.WebUser) -> Response:
    """Destruction events at the caller's sites."""
    events = destruction.list_destructions(session=session, actor=actor)
    # the events last: the labels hold an "events" entry of their own (custody event names)
    return render(request, "weapons/destructions.html", {**RECORD_LABELS, "events": events},
                  actor=actor)


@router.get("/destructions/{destruction_id}")
def destruction_page(request: Request, destruction_id: uuid.UUID, session: SessionDep,
                     crypto: CryptoDep, actor: deps.WebUser) -> Response:
    """A destruction event: what, where, how, who authorised and witnessed it."""
    event = destruction.read_destruction(session=session, crypto=crypto, actor=actor,
                                         destruction_id=destruction_id)
    return render(request, "weapons/destruction.html", {
        "e": event, "recorded": request.query_params.get("recorded"), **RECORD_LABELS},
        actor=actor)


@router.get("/destructions/{destruction_id}/certificate.pdf")
def certificate(destruction_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                actor: deps.WebUser) -> Response:
    """The destruction certificate (PDF in Arabic and English)."""
    name, pdf = destruction.certificate(session=session, crypto=crypto, actor=actor,
                                        destruction_id=destruction_id)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/reconciliation")
def reconciliation_page(request: Request, session: SessionDep,
                        actor: deps.WebUser) -> Response:
    """Per site and depot: handed in, where they are now, what each holds, discrepancies."""
    raw = request.query_params.get("as_of", "").strip()[:10]
    site = request.query_params.get("site", "").strip().upper()[:8] or None
    as_of, error = None, None
    if raw:
        try:
            as_of = date.fromisoformat(raw)
        except ValueError:
            error = "not a valid date"
    report = reconciliation.reconcile(session=session, actor=actor, as_of=as_of, site=site)
    return render(request, "weapons/reconciliation.html", {
        "report": report, "as_of": raw if as_of else "", "site": site or "",
        "as_of_error": error, "sites": sites_for(session, actor, mine=not actor.all_sites),
        "shown": 50, "details": reconciliation.DETAILS, **RECORD_LABELS}, actor=actor)


@router.get("/stock-counts/new")
def count_form(request: Request, session: SessionDep, actor: deps.WeaponsOfficer) -> Response:
    """The stock count form: scan or type one serial or receipt number per line."""
    return render(request, "weapons/count.html", {
        "values": {"id": str(uuid.uuid4())}, "errors": {}, "result": None,
        "sites": sites_for(session, actor, mine=True)}, actor=actor)


@router.post("/stock-counts")
def record_count(request: Request, session: SessionDep, crypto: CryptoDep,
                 actor: deps.WeaponsOfficer, form: deps.FormDep) -> Response:
    """Compare the count with the records and show the differences."""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    lines = [line for line in text(form, "lines").splitlines() if line.strip()]
    result: StockCountOut | None = None
    errors: dict[str, list[str]] = {}
    try:
        body = StockCountIn.model_validate({"id": text(form, "id"), "site": text(form, "site"),
                                            "lines": lines, "note": text(form, "note") or None})
        with session.begin_nested():  # a refusal leaves nothing behind, the page still shows
            result, _created = stock.record_count(session=session, crypto=crypto, actor=actor,
                                                  body=body)
        values = {"id": str(uuid.uuid4()), "site": result.site}
    except ValidationError as exc:
        errors = _translated(request, exc)
    except DomainError as exc:
        errors = problems(request, exc)
    return render(request, "weapons/count.html", {
        "values": values, "errors": errors, "result": result,
        "sites": sites_for(session, actor, mine=True), **LABELS},
        actor=actor, status_code=422 if errors else 200)


def _ammunition(request: Request, session: SessionDep, actor: Principal,
                values: dict[str, Any], errors: dict[str, list[str]],
                status_code: int = 200) -> Response:
    lots = destruction.list_lots(session=session, actor=actor)
    return render(request, "weapons/ammunition.html", {
        "lots": lots, "values": {"id": str(uuid.uuid4()),
                                 "handed_in_on": date.today().isoformat(), **values},
        "errors": errors, "sites": sites_for(session, actor, mine=True), **RECORD_LABELS},
        actor=actor, status_code=status_code)


@router.get("/ammunition")
def ammunition(request: Request, session: SessionDep, actor: deps.WebUser) -> Response:
    """Ammunition and explosives at the caller's sites, and the form to record a lot."""
    return _ammunition(request, session, actor, {}, {})


@router.post("/ammunition")
def record_lot(request: Request, session: SessionDep, crypto: CryptoDep,
               actor: deps.WeaponsReader, form: deps.FormDep) -> Response:
    """Record a lot handed in."""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        body = LotIn.model_validate({k: text(form, k) or None for k in (
            "id", "site", "category", "calibre", "lot_number", "quantity", "condition",
            "handed_in_on", "note")})
        with session.begin_nested():  # a refusal leaves nothing behind, the page still shows
            destruction.record_lot(session=session, crypto=crypto, actor=actor, body=body)
    except ValidationError as exc:
        return _ammunition(request, session, actor, values, _translated(request, exc), 422)
    except DomainError as exc:
        return _ammunition(request, session, actor, values, problems(request, exc), 422)
    return redirect(request, "/weapons/ammunition?recorded=1")


def _tracing(request: Request, session: SessionDep, crypto: CryptoDep, actor: Principal,
             values: dict[str, Any], errors: dict[str, list[str]],
             uploaded: Any = None, status_code: int = 200) -> Response:
    lists = tracing.list_lists(session=session, crypto=crypto, actor=actor)
    return render(request, "weapons/tracing.html", {
        "lists": lists, "values": {"id": str(uuid.uuid4()), **values}, "errors": errors,
        "uploaded": uploaded}, actor=actor, status_code=status_code)


@router.get("/tracing")
def tracing_page(request: Request, session: SessionDep, crypto: CryptoDep,
                 actor: deps.WebAdmin) -> Response:
    """Tracing lists (administrators): upload one; serials are kept as blind indexes only."""
    return _tracing(request, session, crypto, actor, {}, {})


@router.post("/tracing")
def upload_tracing(request: Request, session: SessionDep, crypto: CryptoDep,
                   actor: deps.WebAdmin, form: deps.FormDep) -> Response:
    """Store a list from the typed serials and an uploaded text file (one per line or
    comma-separated); the page then says how many weapons handed in are on it."""
    serials = text(form, "serials").replace(",", "\n").splitlines()
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str):
        serials += upload.file.read().decode("utf-8", "replace").replace(",", "\n").splitlines()
    values = {"name": text(form, "name"), "source": text(form, "source")}
    try:
        body = TracingListIn.model_validate({
            "id": text(form, "id"), "name": values["name"], "source": values["source"] or None,
            "serials": [s for s in (line.strip() for line in serials) if s]})
        with session.begin_nested():  # a refusal leaves nothing behind, the page still shows
            uploaded, _created = tracing.upload(session=session, crypto=crypto, actor=actor,
                                                body=body)
    except ValidationError as exc:
        return _tracing(request, session, crypto, actor, values, _translated(request, exc),
                        status_code=422)
    except DomainError as exc:
        return _tracing(request, session, crypto, actor, values, problems(request, exc),
                        status_code=422)
    return _tracing(request, session, crypto, actor, {}, {}, uploaded=uploaded)
