"""Case management pages: the case manager's board (their home page), the case page with its
step forms, referrals, payments and timeline, case lists, the supervisor's workload view and
the service-provider directory.

Each action calls one service of `reintegration` (which checks the pathway, the version and
the caller, and writes the timeline and audit events). A form posted by htmx answers with the
case's body again (with what went wrong beside the form, or what changed since the page was
loaded); a plain form post redirects back, so the pages work without script.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.core.errors import DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from app.core.roles import SUPERVISORS
from app.core.security import Principal
from app.deps import CryptoDep, SessionDep
from app.registry import reference
from app.web import deps
from app.web.auth import redirect, safe_next
from app.web.case_labels import (
    CASE_STATUS_LABELS,
    CLOSE_REASON_LABELS,
    EVENT_LABELS,
    INSTALMENT_STATUS_LABELS,
    METHOD_LABELS,
    REFERRAL_STATUS_LABELS,
    SCOPE_LABELS,
    SERVICE_LABELS,
    STEP_STATUS_LABELS,
    YES_NO,
    step_forms,
)
from app.web.rendering import render
from reintegration import board, payments, referrals, service
from reintegration.access import CASE_WORKERS
from reintegration.pathways import all_pathways, definition
from reintegration.returns.countries import country_name
from reintegration.returns.movements import return_facts
from reintegration.returns.readiness import REASONS
from reintegration.schemas import (
    AssignIn,
    BoardFilters,
    InstalmentIn,
    InstalmentsIn,
    NoteIn,
    PaymentIn,
    ProviderIn,
    ProviderPatch,
    ReferralIn,
    ReferralUpdateIn,
    StatusIn,
    StepIn,
)
from reintegration.views import case_view

router = APIRouter(dependencies=[Depends(deps.csrf_protect)], include_in_schema=False)
Model = TypeVar("Model", bound=BaseModel)
BOARD_ROWS = 10
"""Rows per list on the board page; each list links to all of its cases."""


def case_worker(actor: deps.WebUser) -> Principal:
    """A signed-in user whose role works cases."""
    if actor.role not in CASE_WORKERS:
        raise Forbidden("your role does not work cases")
    return actor


CaseWorker = Annotated[Principal, Depends(case_worker)]
LABELS = {
    "step_statuses": STEP_STATUS_LABELS, "case_statuses": CASE_STATUS_LABELS,
    "close_reasons": CLOSE_REASON_LABELS, "event_labels": EVENT_LABELS,
    "referral_statuses": REFERRAL_STATUS_LABELS, "instalment_statuses": INSTALMENT_STATUS_LABELS,
    "methods": METHOD_LABELS, "services": SERVICE_LABELS, "scopes": SCOPE_LABELS,
    "yes_no": YES_NO,
}


def _titles() -> dict[str, Any]:
    """Pathway and step titles by key (the latest version names them in lists)."""
    titles: dict[str, Any] = {"pathways": {}, "steps": {}}
    for pathway in all_pathways():
        titles["pathways"][pathway.key] = pathway.title
        for step in pathway.steps:
            titles["steps"][(pathway.key, step.key)] = step.title
    return titles


def _parse(model: type[Model], values: Mapping[str, Any]) -> Model:
    """A request body from form values; a bad value is a 422 naming its field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed([FieldError(".".join(str(p) for p in e["loc"]) or "form",
                                           "invalid") for e in exc.errors()]) from exc


def _text(form: Mapping[str, Any], name: str) -> str | None:
    value = str(form.get(name) or "").strip()
    return value or None


def _problem(form_id: str, exc: DomainError) -> dict[str, Any]:
    paid = exc.extra.get("paid")
    return {"form": form_id, "status": exc.status_code, "detail": exc.detail,
            "errors": {e.field: e.message for e in exc.errors},
            "stale": "current_version" in exc.extra, "changes": exc.extra.get("changes", []),
            "paid": {**paid, "paid_on": date.fromisoformat(paid["paid_on"])} if paid else None}


# -- the board, lists, workload --------------------------------------------------------------


def _filters(query: Mapping[str, str]) -> tuple[BoardFilters, dict[str, str]]:
    given = {k: v for k in ("scope", "site", "pathway") if (v := query.get(k, "").strip())}
    for key in list(given):
        try:
            BoardFilters.model_validate({key: given[key]})
        except ValidationError:
            given.pop(key)
    return BoardFilters.model_validate(given), given


@router.get("/cases")
def board_page(request: Request, session: SessionDep, crypto: CryptoDep,
               actor: CaseWorker) -> Response:
    """The case manager's board: my cases, unassigned cases, steps due and overdue, cases by
    status and by step (names shown: an audited read)."""
    filters, given = _filters(request.query_params)
    result = board.board(session=session, crypto=crypto, actor=actor,
                         filters=filters.model_copy(update={"limit": BOARD_ROWS}))
    sites = [s for s in reference.list_sites(session=session) if actor.can_act_for(s.code)]
    here = "/cases" + (f"?{urlencode(given)}" if given else "")
    mine = {"assigned_to": str(actor.id)} if result.scope == "mine" else {}
    narrowed = {k: v for k, v in given.items() if k in ("site", "pathway")}
    return render(request, "cases_board.html", {
        "board": result, "given": given, "sites": sites, "here": here, **LABELS,
        "titles": _titles(), "pathways": {
            p.key: p.title for p in all_pathways()
            if not p.visible_with or p.visible_with in actor.authorisations},
        "biggest": max((c.count for c in result.by_step), default=0),
        "all_overdue": "/cases/list?" + urlencode({**mine, **narrowed, "due": "overdue"}),
        "all_due": "/cases/list?" + urlencode({**mine, **narrowed, "due": "week"}),
        "all_mine": "/cases/list?" + urlencode({"assigned_to": str(actor.id), **narrowed}),
        "all_free": "/cases/list?" + urlencode({"assigned_to": "none", **narrowed}),
    }, actor=actor)


@router.get("/cases/list")
def list_page(request: Request, session: SessionDep, crypto: CryptoDep,
              actor: CaseWorker) -> Response:
    """A page of cases (by assignee, site, pathway, status), with reassignment for
    supervisors."""
    query = request.query_params
    raw = query.get("assigned_to", "")
    assigned: int | Literal["none"] | None = (int(raw) if raw.isdigit() and len(raw) < 10
                                              else "none" if raw == "none" else None)
    status = query.get("status", "open")
    due = query.get("due")
    page = int(query.get("page", "1")) if query.get("page", "1").isdigit() else 1
    total, rows = board.case_list(
        session=session, crypto=crypto, actor=actor, assigned_to=assigned,
        site=query.get("site") or None, pathway=query.get("pathway") or None,
        status=status if status in CASE_STATUS_LABELS else None,
        due="overdue" if due == "overdue" else "week" if due == "week" else None,
        page=max(page, 1))
    supervisor = actor.role in SUPERVISORS
    return render(request, "cases_list.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // 50)),
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "query": dict(query), "supervisor": supervisor, **LABELS, "titles": _titles(),
        "today": date.today(),
        "assignees": board.assignees(session=session, actor=actor) if supervisor else [],
    }, actor=actor)


@router.get("/cases/workload")
def workload_page(request: Request, session: SessionDep, actor: CaseWorker) -> Response:
    """Case managers' workloads at the supervisor's sites."""
    site = request.query_params.get("site") or None
    result = board.workload(session=session, actor=actor, site=site)
    sites = [s for s in reference.list_sites(session=session) if actor.can_act_for(s.code)]
    return render(request, "cases_workload.html", {"workload": result, "sites": sites,
                                                   "site": site}, actor=actor)


# -- the case page ---------------------------------------------------------------------------


def case_context(session: Session, crypto: CryptoDep, actor: Principal, case_id: uuid.UUID,
                 language: str) -> dict[str, Any]:
    """Everything the case page shows, in the reader's language (an audited read)."""
    case = case_view(session=session, crypto=crypto, actor=actor, case_id=case_id)
    returns = return_facts(session, case.id) if case.pathway == "return" else None
    pathway = definition(case.pathway, case.pathway_version)
    providers = referrals.list_providers(session=session, actor=actor, site=case.site)
    supervisor = actor.role in SUPERVISORS
    return {
        "case": case, "pathway": pathway, **LABELS, "titles": _titles(),
        "forms": step_forms(pathway, case.steps, actor.role, actor.authorisations),
        "events": list(reversed(case.events)), "providers": providers,
        "services_of": {p.id: p.services.split(",") for p in providers},
        "assignees": board.assignees(session=session, actor=actor, case=case)
        if supervisor else [],
        "supervisor": supervisor, "today": date.today(),
        "has_payments": bool(case.instalments) or any(s.instalments for s in pathway.steps),
        "returns": returns, "return_reasons": REASONS,
        "return_country": country_name(returns["country"], language)
        if returns and returns["country"] else None,
    }


def render_case(request: Request, session: Session, crypto: CryptoDep, actor: Principal,
                case_id: uuid.UUID, problem: dict[str, Any] | None = None,
                notice: str | None = None, status_code: int = 200) -> Response:
    """The case page, or its body for htmx."""
    context = {**case_context(session, crypto, actor, case_id, deps.request_language(request)),
               "problem": problem, "notice": notice}
    template = "_case_body.html" if deps.is_htmx(request) else "case.html"
    return render(request, template, context, actor=actor, status_code=status_code)


def _answer(request: Request, session: Session, crypto: CryptoDep, actor: Principal,
            case_id: uuid.UUID, form_id: str, action: Any, notice: str) -> Response:
    """Run a change; answer with the case again (htmx) or a redirect back to it, or with the
    case and what went wrong beside the form."""
    try:
        action()
    except DomainError as exc:
        if isinstance(exc, NotFound) or exc.status_code in (401, 403):
            raise
        session.rollback()
        return render_case(request, session, crypto, actor, case_id,
                           problem=_problem(form_id, exc), status_code=exc.status_code)
    if deps.is_htmx(request):
        return render_case(request, session, crypto, actor, case_id, notice=notice)
    return redirect(request, f"/cases/{case_id}?saved={form_id}")


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
              actor: CaseWorker) -> Response:
    """A case: its steps, timeline, referrals and payments (an audited read)."""
    saved = request.query_params.get("saved")
    return render_case(request, session, crypto, actor, case_id,
                       notice="Saved." if saved else None)


@router.post("/cases/{case_id}/steps/{step_key}")
def move_step(request: Request, case_id: uuid.UUID, step_key: str, session: SessionDep,
              crypto: CryptoDep, actor: CaseWorker, form: deps.FormDep) -> Response:
    """Move a step with what it records."""
    data = {k.removeprefix("data."): v for k, v in form.items() if k.startswith("data.")}

    def act() -> None:
        body = _parse(StepIn, {"status": form.get("status") or "",
                               "version": form.get("version"), "on": _text(form, "on"),
                               "note": _text(form, "note"), "data": data})
        service.transition(session=session, crypto=crypto, actor=actor, case_id=case_id,
                           step_key=step_key, body=body)

    return _answer(request, session, crypto, actor, case_id, f"step-{step_key}", act, "Saved.")


@router.post("/cases/{case_id}/assignment")
def assign(request: Request, case_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
           actor: CaseWorker, form: deps.FormDep) -> Response:
    """Take a case, give it to a case manager (supervisors) or to nobody."""
    target = _text(form, "assigned_to")
    body = _parse(AssignIn, {"assigned_to": actor.id if target == "me" else target,
                             "version": form.get("version")})
    back = form.get("next")
    if back:  # from the board or a list: back there (errors as a page)
        service.assign(session=session, crypto=crypto, actor=actor, case_id=case_id, body=body)
        return redirect(request, safe_next(back))
    return _answer(request, session, crypto, actor, case_id, "assign", lambda: service.assign(
        session=session, crypto=crypto, actor=actor, case_id=case_id, body=body), "Saved.")


@router.post("/cases/{case_id}/notes")
def note(request: Request, case_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
         actor: CaseWorker, form: deps.FormDep) -> Response:
    """Add a note to the timeline."""
    return _answer(request, session, crypto, actor, case_id, "note", lambda: service.add_note(
        session=session, crypto=crypto, actor=actor, case_id=case_id,
        body=_parse(NoteIn, {"text": form.get("text") or "", "version": form.get("version")})),
        "Saved.")


@router.post("/cases/{case_id}/status")
def case_status(request: Request, case_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                actor: CaseWorker, form: deps.FormDep) -> Response:
    """Suspend, resume, close or reopen the case."""
    return _answer(request, session, crypto, actor, case_id, "status", lambda: service.set_status(
        session=session, crypto=crypto, actor=actor, case_id=case_id,
        body=_parse(StatusIn, {"status": form.get("status") or "",
                               "reason": _text(form, "reason"), "note": _text(form, "note"),
                               "version": form.get("version")})), "Saved.")


@router.post("/cases/{case_id}/instalments")
def plan(request: Request, case_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
         actor: CaseWorker, form: deps.FormDep) -> Response:
    """Change the planned instalments: each row's amount and due date; an emptied amount
    cancels it; a new row adds one."""
    def act() -> None:
        rows = []
        for number in {k.split(".")[1] for k in form if k.startswith("i.")}:
            amount = _text(form, f"i.{number}.amount")
            if amount is not None:
                rows.append(_parse(InstalmentIn, {
                    "number": number, "amount": amount,
                    "currency": _text(form, f"i.{number}.currency") or "LYD",
                    "due_on": _text(form, f"i.{number}.due_on")}))
        payments.plan_instalments(session=session, crypto=crypto, actor=actor,
                                  case_id=case_id, body=_parse(InstalmentsIn, {
                                      "instalments": rows, "version": form.get("version")}))

    return _answer(request, session, crypto, actor, case_id, "plan", act, "Saved.")


@router.post("/cases/{case_id}/payments")
def pay(request: Request, case_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
        actor: CaseWorker, form: deps.FormDep) -> Response:
    """Record the payment of an instalment."""
    return _answer(request, session, crypto, actor, case_id, "payment",
                   lambda: payments.refusing_double_claims(
                       session=session, actor=actor, act=lambda: payments.record_payment(
                           session=session, crypto=crypto, actor=actor, case_id=case_id,
                           body=_parse(PaymentIn, {
                               "instalment": form.get("instalment"),
                               "amount": form.get("amount"),
                               "currency": form.get("currency") or "LYD",
                               "paid_on": form.get("paid_on"), "method": form.get("method"),
                               "reference": _text(form, "reference"),
                               "version": form.get("version")}))), "Payment recorded.")


@router.post("/cases/{case_id}/referrals")
def refer(request: Request, case_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
          actor: CaseWorker, form: deps.FormDep) -> Response:
    """Refer the case to a provider for one of its services (`offer`: "provider id|service")."""
    provider, _bar, service_code = str(form.get("offer") or "").partition("|")
    return _answer(request, session, crypto, actor, case_id, "referral", lambda: referrals.refer(
        session=session, crypto=crypto, actor=actor, case_id=case_id,
        body=_parse(ReferralIn, {
            "provider_id": provider, "service": service_code, "step": _text(form, "step"),
            "sent_on": _text(form, "sent_on"), "note": _text(form, "note"),
            "version": form.get("version")})), "Referral sent.")


@router.post("/cases/{case_id}/referrals/{referral_id}")
def update_referral(request: Request, case_id: uuid.UUID, referral_id: uuid.UUID,
                    session: SessionDep, crypto: CryptoDep, actor: CaseWorker,
                    form: deps.FormDep) -> Response:
    """Record a provider's answer or the end of a referral."""
    return _answer(request, session, crypto, actor, case_id, f"referral-{referral_id}",
                   lambda: referrals.update_referral(
                       session=session, crypto=crypto, actor=actor, case_id=case_id,
                       referral_id=referral_id, body=_parse(ReferralUpdateIn, {
                           "status": form.get("status"), "on": _text(form, "on"),
                           "reason": _text(form, "reason"),
                           "feedback": _text(form, "feedback"),
                           "version": form.get("version")})), "Saved.")


# -- the provider directory ------------------------------------------------------------------


@router.get("/providers")
def providers_page(request: Request, session: SessionDep, crypto: CryptoDep,
                   actor: deps.WebAdmin) -> Response:
    """The service-provider directory (administrators)."""
    return _providers(request, session, crypto, actor)


def _providers(request: Request, session: Session, crypto: CryptoDep, actor: Principal,
               problem: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    rows = referrals.list_providers(session=session, actor=actor, active_only=False)
    sites = reference.list_sites(session=session)
    return render(request, "providers.html", {
        "providers": [referrals.provider_view(crypto, p) for p in rows], "sites": sites,
        "services": SERVICE_LABELS, "problem": problem}, actor=actor, status_code=status_code)


@router.post("/providers")
def add_provider(request: Request, session: SessionDep, crypto: CryptoDep,
                 actor: deps.WebAdmin, form: deps.FormDep) -> Response:
    """Add a provider."""
    try:
        referrals.create_provider(session=session, crypto=crypto, actor=actor, body=_parse(
            ProviderIn, {"name": form.get("name") or "", "services": form.getlist("services"),
                         "site": _text(form, "site"), "location": form.get("location") or "",
                         "contact": _text(form, "contact")}))
    except ValidationFailed as exc:
        session.rollback()
        return _providers(request, session, crypto, actor, _problem("provider", exc), 422)
    return redirect(request, "/providers")


@router.post("/providers/{provider_id}")
def change_provider(request: Request, provider_id: uuid.UUID, session: SessionDep,
                    crypto: CryptoDep, actor: deps.WebAdmin, form: deps.FormDep) -> Response:
    """Deactivate or reactivate a provider."""
    referrals.update_provider(session=session, crypto=crypto, actor=actor,
                              provider_id=provider_id,
                              body=ProviderPatch(active=form.get("active") == "true"))
    return redirect(request, "/providers")
