"""The duplicate review workflow: queue, side by side, keyboard decisions, merge and undo,
integrity signals.

Every action calls one service of `app.dedup` (which audits each read of identifying data and
each decision). A decision posted by htmx answers with the next pair's side-by-side fragment and
`HX-Push-Url`; a plain form post redirects to the next pair, so the flow works without script.
The queue the reviewer works through (filters and position) rides along in the URL and in
hidden form fields; it holds no identifying data.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from app.core.errors import DomainError, NotFound
from app.core.roles import SUPERVISORS
from app.core.security import Principal
from app.dedup import review, signals
from app.dedup.schemas import (
    DecisionIn,
    PairDetail,
    QueueFilters,
    SignalDecisionIn,
    SignalOut,
)
from app.deps import CryptoDep, ModelDep, SessionDep
from app.registry import reference
from app.web import deps
from app.web.auth import redirect
from app.web.forms import (
    CATEGORY_LABELS,
    CONDITION_LABELS,
    N_,
    PATHWAY_LABELS,
    RELATIONSHIP_LABELS,
    WEAPON_LABELS,
)
from app.web.rendering import render
from app.web.review_labels import (
    AGREEMENT_LABELS,
    BAND_LABELS,
    DECISION_LABELS,
    FIELD_NAMES,
    ORDER_LABELS,
    OUTCOME_MESSAGES,
    SIGNAL_LABELS,
    SIGNAL_STATUS_LABELS,
    SOURCE_LABELS,
    STATUS_FILTERS,
    STATUS_LABELS,
    compare_rows,
    other_reasons,
)

router = APIRouter(prefix="/review", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)

FILTER_KEYS = ("site", "band", "status", "since", "until", "order")
_DATE_KEYS = ("since", "until")


@dataclass(frozen=True)
class Position:
    """Where the reviewer is: the queue's filters and an offset in it."""

    filters: QueueFilters = field(default_factory=QueueFilters)
    query: dict[str, str] = field(default_factory=dict)  # the filters as given (non-empty)
    pos: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    def url(self, path: str, **extra: object) -> str:
        """A URL that keeps this position."""
        params = {**self.query, "pos": str(self.pos),
                  **{k: str(v) for k, v in extra.items() if v is not None}}
        return f"{path}?{urlencode(params)}"

    def pair_url(self, pair_id: uuid.UUID, pos: int) -> str:
        """A pair of this queue, at an offset."""
        return replace(self, pos=pos).url(f"/review/pairs/{pair_id}")

    def queue_url(self, **extra: object) -> str:
        """The queue with these filters."""
        params = {**self.query, **{k: str(v) for k, v in extra.items() if v is not None}}
        return f"/review?{urlencode(params)}" if params else "/review"


@dataclass(frozen=True)
class LastDecision:
    """What the reviewer just did, shown above the next pair (ids and a fixed outcome only)."""

    pair_id: uuid.UUID
    outcome: str
    person_id: uuid.UUID | None = None

    def params(self) -> dict[str, object]:
        """Query parameters that carry it through a redirect."""
        return {"last": self.pair_id, "outcome": self.outcome, "person": self.person_id}


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _int(value: object, default: int = 0) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 7 else default


def read_position(values: Mapping[str, Any]) -> Position:
    """The queue position in a query string or form; invalid filters are dropped, and said."""
    raw = {k: v for k in FILTER_KEYS if (v := str(values.get(k) or "").strip()[:20])}
    errors: dict[str, str] = {}
    while True:
        try:
            filters = QueueFilters.model_validate(raw)
            break
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]} & set(raw)
            for key in bad:
                errors[key] = (N_("not a valid date") if key in _DATE_KEYS
                               else N_("choose one of the options"))
                raw.pop(key)
            if not bad:
                raw, filters = {}, QueueFilters()
                break
    return Position(filters=filters, query=raw, pos=_int(values.get("pos")), errors=errors)


def read_last(values: Mapping[str, Any]) -> LastDecision | None:
    """The previous decision named in a query string, if it names a known outcome."""
    pair_id = _uuid(values.get("last"))
    outcome = str(values.get("outcome") or "")
    if pair_id is None or outcome not in OUTCOME_MESSAGES:
        return None
    return LastDecision(pair_id, outcome, _uuid(values.get("person")))


def pair_at(session: Session, actor: Principal, filters: QueueFilters,
            offset: int) -> uuid.UUID | None:
    """The pair at an offset of the queue (None past its end)."""
    if offset < 0:
        return None
    found = review.pair_ids(session=session, actor=actor, filters=filters, offset=offset)
    return found[0] if found else None


def _next_after(session: Session, actor: Principal, where: Position,
                decided: uuid.UUID) -> tuple[uuid.UUID | None, int]:
    """Where the keyboard flow goes after a decision: the pair that took the decided pair's
    place in the queue, else (past the end) the top of the queue."""
    found = pair_at(session, actor, where.filters, where.pos)
    if found == decided:  # still listed (e.g. the queue of decided pairs): step over it
        return pair_at(session, actor, where.filters, where.pos + 1), where.pos + 1
    if found is not None:
        return found, where.pos
    return review.next_pair(session=session, actor=actor, filters=where.filters,
                            after=decided), 0


# -- rendering -------------------------------------------------------------------------------


def _pair_context(detail: PairDetail, actor: Principal, where: Position,
                  last: LastDecision | None, problem: dict[str, Any] | None) -> dict[str, Any]:
    pending = detail.pair.status in ("escalated", "awaiting_supervisor")
    return {
        "d": detail, "where": where, "last": last, "problem": problem,
        "rows": compare_rows(detail), "other_reasons": other_reasons(detail),
        "can_decide": detail.pair.status == "open"
        or (pending and actor.role in SUPERVISORS),
        "waits_for_supervisor": pending and actor.role not in SUPERVISORS,
        "field_names": FIELD_NAMES, "categories": CATEGORY_LABELS, "bands": BAND_LABELS,
        "statuses": STATUS_LABELS, "sources": SOURCE_LABELS, "decisions": DECISION_LABELS,
        "signal_labels": SIGNAL_LABELS, "outcomes": OUTCOME_MESSAGES,
        "agreements": AGREEMENT_LABELS, "signal_statuses": SIGNAL_STATUS_LABELS,
        "pathways": PATHWAY_LABELS, "weapon_labels": WEAPON_LABELS,
        "conditions": CONDITION_LABELS, "relationships": RELATIONSHIP_LABELS, "in_pair": True,
    }


def _render_pair(request: Request, session: Session, crypto: CryptoDep, actor: Principal,
                 model: ModelDep, pair_id: uuid.UUID, where: Position,
                 last: LastDecision | None = None, problem: dict[str, Any] | None = None,
                 status_code: int = 200, push: bool = False) -> Response:
    """The side-by-side view: a page, or the `#pair` fragment for htmx (optionally pushing
    its URL into the browser's history)."""
    detail = review.pair_detail(session=session, crypto=crypto, actor=actor, pair_id=pair_id,
                                model=model)
    context = _pair_context(detail, actor, where, last, problem)
    url = where.url(f"/review/pairs/{pair_id}", **(last.params() if last else {}))
    if deps.is_htmx(request):
        headers = {"HX-Push-Url": url} if push else None
        return render(request, "_pair.html", context, actor=actor, status_code=status_code,
                      headers=headers)
    return render(request, "review_pair.html", context, actor=actor, status_code=status_code)


def _render_empty(request: Request, actor: Principal, where: Position,
                  last: LastDecision | None) -> Response:
    """No pair left in the reviewer's queue."""
    context = {"where": where, "last": last, "outcomes": OUTCOME_MESSAGES, "in_pair": True}
    if deps.is_htmx(request):
        return render(request, "_review_empty.html", context, actor=actor,
                      headers={"HX-Push-Url": where.queue_url(**(last.params() if last else {}))})
    return redirect(request, where.queue_url(**(last.params() if last else {})))


def _problem(exc: DomainError) -> dict[str, Any]:
    return {"status": exc.status_code, "detail": exc.detail,
            "errors": {e.field: e.message for e in exc.errors}}


def _row_signals(items: list[Any], found: list[SignalOut]) -> dict[uuid.UUID, list[SignalOut]]:
    """For each queue row, the open signals holding both of its registrations."""
    rows: dict[uuid.UUID, list[SignalOut]] = {}
    for item in items:
        pair = {item.registration_a.id, item.registration_b.id}
        rows[item.id] = [s for s in found if s.kind in item.signals
                         and pair <= {r.id for r in s.registrations}]
    return rows


def queue_context(session: Session, actor: Principal, where: Position,
                  page: int) -> dict[str, Any]:
    """Everything the queue page shows."""
    result = review.queue(session=session, actor=actor,
                          filters=where.filters.model_copy(update={"page": page}))
    sites = [s for s in reference.list_sites(session=session) if actor.can_act_for(s.code)]
    busiest = max((c.open for c in result.counts), default=0)
    return {
        "result": result, "where": where, "page": page, "sites": sites,
        "site_names": {s.code: s for s in sites}, "busiest": busiest,
        "row_signals": _row_signals(result.items, result.signals),
        "first_offset": (page - 1) * result.page_size,
        "pages": max(1, -(-result.total // result.page_size)),
        "bands": BAND_LABELS, "statuses": STATUS_LABELS, "sources": SOURCE_LABELS,
        "status_filters": STATUS_FILTERS, "orders": ORDER_LABELS,
        "signal_labels": SIGNAL_LABELS, "outcomes": OUTCOME_MESSAGES, "signal_errors": {},
        "signal_reason": {}, "in_pair": False,
    }


# -- routes ----------------------------------------------------------------------------------


@router.get("")
def queue_page(request: Request, session: SessionDep, actor: deps.Reviewer) -> Response:
    """The reviewer's queue: counts per site, the oldest open pair, pairs and signals."""
    where = read_position(request.query_params)
    context = queue_context(session, actor, where, max(1, _int(request.query_params.get("page"),
                                                               1)))
    context["last"] = read_last(request.query_params)
    return render(request, "review_queue.html", context, actor=actor,
                  status_code=422 if where.errors else 200)


@router.get("/pairs/{pair_id}")
def pair_page(request: Request, pair_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
              actor: deps.Reviewer, model: ModelDep) -> Response:
    """Both registrations side by side, with the decision keys (an audited read)."""
    return _render_pair(request, session, crypto, actor, model, pair_id,
                        read_position(request.query_params), read_last(request.query_params))


@router.get("/step")
def step(request: Request, session: SessionDep, crypto: CryptoDep, actor: deps.Reviewer,
         model: ModelDep) -> Response:
    """Go to the next or previous pair of the queue without deciding (keys j and k)."""
    where = read_position(request.query_params)
    offset = where.pos + (-1 if request.query_params.get("to") == "previous" else 1)
    found = pair_at(session, actor, where.filters, offset)
    if found is None:
        return _render_empty(request, actor, where, None)
    where = replace(where, pos=offset)
    if deps.is_htmx(request):
        return _render_pair(request, session, crypto, actor, model, found, where, push=True)
    return redirect(request, where.url(f"/review/pairs/{found}"))


@router.post("/pairs/{pair_id}/decision")
def decide(request: Request, pair_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
           actor: deps.Reviewer, model: ModelDep, form: deps.FormDep) -> Response:
    """Record same person / different persons / not sure, then show the next pair."""
    where = read_position(form)
    try:
        body = DecisionIn(decision=str(form.get("decision") or ""),
                          version=_int(form.get("version")),
                          reason=str(form.get("reason") or "").strip()[:2000] or None)
        out = review.decide(session=session, crypto=crypto, actor=actor, pair_id=pair_id,
                            body=body)
    except ValidationError:
        problem = {"status": 422, "detail": "the form is damaged; reload the page", "errors": {}}
        return _render_pair(request, session, crypto, actor, model, pair_id, where,
                            problem=problem, status_code=422)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        return _render_pair(request, session, crypto, actor, model, pair_id, where,
                            problem=_problem(exc), status_code=exc.status_code)
    outcome = "merged" if out.merged else out.status
    last = LastDecision(pair_id, outcome, out.survivor_id if out.merged else None)
    found, pos = _next_after(session, actor, where, pair_id)
    where = replace(where, pos=pos)
    if found is None:
        return _render_empty(request, actor, where, last)
    if deps.is_htmx(request):
        return _render_pair(request, session, crypto, actor, model, found, where, last,
                            push=True)
    return redirect(request, where.url(f"/review/pairs/{found}", **last.params()))


@router.post("/pairs/{pair_id}/undo")
def undo(request: Request, pair_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
         actor: deps.Reviewer, model: ModelDep, form: deps.FormDep) -> Response:
    """Undo the merge a pair's decision made, then show that pair again (open)."""
    where = read_position(form)
    reason = str(form.get("reason") or "").strip()[:2000]
    try:
        if len(reason) < 3:
            raise DomainError("give the reason for undoing the merge")
        review.undo(session=session, crypto=crypto, actor=actor, pair_id=pair_id, reason=reason)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        problem = {**_problem(exc), "undo": True}
        return _render_pair(request, session, crypto, actor, model, pair_id, where,
                            problem=problem, status_code=exc.status_code, push=True)
    last = LastDecision(pair_id, "undone")
    if deps.is_htmx(request):
        return _render_pair(request, session, crypto, actor, model, pair_id, where, last,
                            push=True)
    return redirect(request, where.url(f"/review/pairs/{pair_id}", **last.params()))


N_("give the reason for undoing the merge")
N_("give the reason for your decision on this signal")


@router.post("/signals/{signal_id}/decision")
def decide_signal(request: Request, signal_id: uuid.UUID, session: SessionDep,
                  crypto: CryptoDep, actor: deps.Reviewer, form: deps.FormDep) -> Response:
    """Clear a signal (explained) or confirm it (referred as fraud); a reason is required."""
    where = read_position(form)
    reason = str(form.get("reason") or "").strip()[:2000]
    status = str(form.get("status") or "")
    errors: dict[str, str] = {}
    try:
        body = SignalDecisionIn(status=status, reason=reason)
    except ValidationError:
        errors[str(signal_id)] = "give the reason for your decision on this signal"
    else:
        signals.decide_signal(session=session, crypto=crypto, actor=actor, signal_id=signal_id,
                              body=body)
    if errors or deps.is_htmx(request):
        context = queue_context(session, actor, where, 1)
        context.update(signal_errors=errors, last=None,
                       signal_reason={str(signal_id): reason} if errors else {})
        template = "_signals.html" if deps.is_htmx(request) else "review_queue.html"
        return render(request, template, context, actor=actor,
                      status_code=422 if errors else 200)
    return redirect(request, where.queue_url())
