"""Return coordination pages: the per-country board (with its chart, median days per stage
and who is stuck longest and why), movement planning (returnees with the readiness check,
confirmation, departure, arrival) and the manifest export.

Each action calls one service of `reintegration.returns` or `exports.manifest`; a refusal
(a returnee not ready, a stale version) shows the movement page again with what went wrong.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.errors import DomainError, FieldError, Forbidden, ValidationFailed
from app.core.security import Principal
from app.deps import CryptoDep, SessionDep
from app.web import deps
from app.web.auth import redirect
from app.web.rendering import render
from exports import manifest
from reintegration.access import CASE_WORKERS
from reintegration.pathways import latest
from reintegration.returns import board, movements
from reintegration.returns.board import STAGES
from reintegration.returns.countries import country_name
from reintegration.returns.readiness import REASONS
from reintegration.returns.schemas import MovementIn, MovementStatusIn, ReturneesIn

router = APIRouter(dependencies=[Depends(deps.csrf_protect)], include_in_schema=False)


def N_(message: str) -> str:
    """Mark a text for the translation catalogue."""
    return message


STAGE_LABELS = {
    "registered": N_("Registered for return"), "verified": N_("Nationality verified"),
    "consenting": N_("Consenting"), "documented": N_("Travel document"),
    "ready": N_("Ready to go"), "departed": N_("Departed"), "handed_over": N_("Handed over"),
    "non_return": N_("Non-return branch"),
}
MOVEMENT_LABELS = {
    "planned": N_("Planned"), "confirmed": N_("Confirmed"), "departed": N_("Departed"),
    "arrived": N_("Arrived"), "cancelled": N_("Cancelled"), "convoy": N_("Convoy"),
    "flight": N_("Flight"),
}
NEXT_ACTIONS = {"confirmed": N_("Confirm the movement"), "departed": N_("Record departure"),
                "arrived": N_("Record arrival"), "cancelled": N_("Cancel the movement"),
                "planned": N_("Back to planned")}


def case_worker(actor: deps.WebUser) -> Principal:
    """A signed-in user whose role works cases."""
    if actor.role not in CASE_WORKERS:
        raise Forbidden("your role does not work cases")
    return actor


CaseWorker = Annotated[Principal, Depends(case_worker)]


def coordinator(actor: deps.WebUser) -> Principal:
    """A signed-in returns coordinator or administrator (refused before any form is read)."""
    movements.require_coordinator(actor)
    return actor


Coordinator = Annotated[Principal, Depends(coordinator)]


def _step_titles() -> dict[str, str]:
    return {s.key: s.title for s in latest("return").steps}


def _outcome_labels() -> dict[tuple[str, str], str]:
    """The label of each step's outcome codes, by (step, code)."""
    return {(s.key, code): label for s in latest("return").steps for f in s.fields
            if f.outcome for code, label in f.options}


@router.get("/returns")
def board_page(request: Request, session: SessionDep, crypto: CryptoDep,
               actor: CaseWorker) -> Response:
    """Per country: who is registered, verified, consenting, documented, ready, departed,
    handed over or on the non-return branch; median days per stage; who is stuck longest at
    each stage and why (names shown: an audited read)."""
    counts = board.board(session=session, actor=actor)
    details = board.details(session=session, crypto=crypto, actor=actor)
    language = deps.request_language(request)
    shown = ({c.country for c in counts.countries} | {m.country for m in details.medians}
             | {s.country for s in details.stuck})
    return render(request, "returns_board.html", {
        "countries": counts.countries, "details": details, "stages": STAGES,
        "stage_labels": STAGE_LABELS, "step_titles": _step_titles(), "reasons": REASONS,
        "outcome_labels": _outcome_labels(),
        "names": {code: country_name(code, language) for code in shown},
        "coordinator": _is_coordinator(actor),
    }, actor=actor)


def _is_coordinator(actor: Principal) -> bool:
    try:
        movements.require_coordinator(actor)
    except Forbidden:
        return False
    return True


@router.get("/returns/movements")
def movements_page(request: Request, session: SessionDep, actor: Coordinator) -> Response:
    """Movements, soonest first, and the form that plans one (coordinators)."""
    return _movements(request, session, actor)


def _movements(request: Request, session: Session, actor: Principal,
               problem: DomainError | None = None, values: dict[str, Any] | None = None,
               status_code: int = 200) -> Response:
    rows = movements.list_movements(session=session, actor=actor)
    return render(request, "returns_movements.html", {
        "rows": rows, "labels": MOVEMENT_LABELS, "new_id": uuid.uuid4(),
        "default_day": (date.today() + timedelta(days=7)).isoformat(),
        "problem": _problem(problem), "values": values or {},
        "names": {r.country: country_name(r.country, deps.request_language(request))
                  for r in rows},
    }, actor=actor, status_code=status_code)


def _problem(exc: DomainError | None) -> dict[str, Any] | None:
    if exc is None:
        return None
    return {"status": exc.status_code, "detail": exc.detail,
            "errors": [(e.field, e.message) for e in exc.errors]}


def _parsed(model: Any, values: dict[str, Any]) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed([FieldError(".".join(str(p) for p in e["loc"]) or "form",
                                           "invalid") for e in exc.errors()]) from exc


@router.post("/returns/movements")
async def plan_movement(request: Request, session: SessionDep, crypto: CryptoDep,
                        actor: Coordinator) -> Response:
    """Plan a convoy or flight, then open it to add returnees."""
    form = await deps.form_data(request)
    values = {k: str(form.get(k) or "").strip() for k in (
        "id", "country", "kind", "route", "border_crossing", "planned_on", "capacity",
        "escort")}
    try:
        body = _parsed(MovementIn, values)
        movement, _created = movements.plan(session=session, actor=actor, body=body)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        session.rollback()
        return _movements(request, session, actor, exc, values, status_code=exc.status_code)
    return redirect(request, f"/returns/movements/{movement.id}")


def _movement(request: Request, session: Session, crypto: FieldCrypto, actor: Principal,
              movement_id: uuid.UUID, problem: DomainError | None = None,
              status_code: int = 200) -> Response:
    view = movements.movement_view(session=session, crypto=crypto, actor=actor,
                                   movement_id=movement_id)
    candidates = (movements.candidates(session=session, crypto=crypto, actor=actor,
                                       movement_id=movement_id)
                  if view.status == "planned" else [])
    return render(request, "returns_movement.html", {
        "movement": view, "candidates": candidates, "labels": MOVEMENT_LABELS,
        "reasons": REASONS,
        "country": country_name(view.country, deps.request_language(request)),
        "moves": [(m, NEXT_ACTIONS[m]) for m in movements.MOVES[view.status]],
        "problem": _problem(problem), "free": view.capacity - len(view.returnees),
    }, actor=actor, status_code=status_code)


@router.get("/returns/movements/{movement_id}")
def movement_page(request: Request, movement_id: uuid.UUID, session: SessionDep,
                  crypto: CryptoDep, actor: Coordinator) -> Response:
    """A movement: its returnees with the readiness of each, who could join it, its next
    steps and the manifest export (an audited read)."""
    return _movement(request, session, crypto, actor, movement_id)


async def _act(request: Request, session: Session, crypto: FieldCrypto, actor: Principal,
               movement_id: uuid.UUID, action: Any) -> Response:
    """Run one change of a movement from its page; show the page again when refused."""
    form = await deps.form_data(request)
    try:
        action(form)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _movement(request, session, crypto, actor, movement_id, exc,
                         status_code=exc.status_code)
    return redirect(request, f"/returns/movements/{movement_id}")


@router.post("/returns/movements/{movement_id}/returnees")
async def add_returnees(request: Request, movement_id: uuid.UUID, session: SessionDep,
                        crypto: CryptoDep, actor: Coordinator) -> Response:
    """Add the ticked return cases to the movement."""
    def action(form: Any) -> None:
        body = _parsed(ReturneesIn, {"cases": form.getlist("case"),
                                     "version": form.get("version")})
        movements.add_returnees(session=session, actor=actor, movement_id=movement_id,
                                body=body)
    return await _act(request, session, crypto, actor, movement_id, action)


@router.post("/returns/movements/{movement_id}/returnees/{case_id}/remove")
async def remove_returnee(request: Request, movement_id: uuid.UUID, case_id: uuid.UUID,
                          session: SessionDep, crypto: CryptoDep,
                          actor: Coordinator) -> Response:
    """Take a returnee off the planned or confirmed movement."""
    def action(form: Any) -> None:
        version = str(form.get("version") or "")
        movements.remove_returnee(session=session, actor=actor, movement_id=movement_id,
                                  case_id=case_id, version=int(version) if version.isdigit()
                                  else 0)
    return await _act(request, session, crypto, actor, movement_id, action)


@router.post("/returns/movements/{movement_id}/status")
async def movement_status(request: Request, movement_id: uuid.UUID, session: SessionDep,
                          crypto: CryptoDep, actor: Coordinator) -> Response:
    """Confirm, depart (refused while anyone is not ready), arrive or cancel."""
    def action(form: Any) -> None:
        body = _parsed(MovementStatusIn, {"status": form.get("status"),
                                          "version": form.get("version"),
                                          "on": form.get("on") or None})
        movements.set_status(session=session, crypto=crypto, actor=actor,
                             movement_id=movement_id, body=body)
    return await _act(request, session, crypto, actor, movement_id, action)


@router.post("/returns/movements/{movement_id}/manifest")
async def export_manifest(request: Request, movement_id: uuid.UUID, session: SessionDep,
                          crypto: CryptoDep, actor: Coordinator) -> Response:
    """Download the signed, passphrase-encrypted manifest (the export is audited with its
    purpose)."""
    form = await deps.form_data(request)
    passphrase = str(form.get("passphrase") or "")
    purpose = str(form.get("purpose") or "").strip()
    try:
        errors = []
        if len(passphrase) < 12:
            errors.append(FieldError("passphrase", "at least 12 characters"))
        if passphrase != str(form.get("passphrase_again") or ""):
            errors.append(FieldError("passphrase_again", "the two passphrases differ"))
        if len(purpose) < 3:
            errors.append(FieldError("purpose", "say why the manifest is exported"))
        if errors:
            raise ValidationFailed(errors)
        exported = manifest.export(session=session, crypto=crypto, actor=actor,
                                   movement_id=movement_id, passphrase=passphrase,
                                   purpose=purpose[:200])
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return _movement(request, session, crypto, actor, movement_id, exc,
                         status_code=exc.status_code)
    return Response(content=exported.content, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{exported.file_name}"',
        "Cache-Control": "no-store"})


RETURNS_MESSAGES = (
    N_("only returns coordinators plan movements"), N_("movement not found"),
    N_("returnees join a planned movement only"),
    N_("returnees leave a planned or confirmed movement only"),
    N_("the case is on a movement to another country: take it off that movement first"),
    N_("not a return case you can see"), N_("the case is not open"), N_("of another country"),
    N_("already on a movement"), N_("the movement has no returnees"),
    N_("the movement is cancelled"), N_("is in the past"), N_("is in the future"),
    N_("a movement with this id exists with other data"), N_("not on this movement"),
    N_("at least 12 characters"), N_("the two passphrases differ"),
    N_("say why the manifest is exported"), N_("invalid"),
)
"""Texts the returns services answer with, for the translation catalogue."""
