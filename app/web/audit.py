"""The audit trail for auditors and administrators: search it, see who viewed a person, and
export an extract (identifiers and actions only, never identifying data)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core import audit_chain
from app.core.audit_query import AuditFilter, export_csv, search_events
from app.core.errors import DomainError, FieldError
from app.core.models import AuditEvent
from app.deps import CryptoDep, SessionDep
from app.registry.audit_trail import VIEW_ACTIONS, person_trail
from app.web import deps
from app.web.forms import ROLE_LABELS
from app.web.rendering import render

router = APIRouter(prefix="/audit", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)

PAGE_SIZE = 50
_FILTERS = ("actor", "action", "object_type", "object_id", "since", "until")


def _date(value: str | None, name: str, errors: list[FieldError]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(FieldError(name, "use YYYY-MM-DD"))
        return None


def _filters(request: Request) -> tuple[AuditFilter, dict[str, str], list[FieldError]]:
    """The filter the page's query asks for, the query as given, and what could not be read."""
    given = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    errors: list[FieldError] = []
    filters = AuditFilter(actor=given["actor"] or None, action=given["action"] or None,
                          object_type=given["object_type"] or None,
                          object_id=given["object_id"] or None,
                          since=_date(given["since"], "since", errors),
                          until=_date(given["until"], "until", errors))
    return filters, {k: v for k, v in given.items() if v}, errors


def _rows(events: list[AuditEvent], links: dict[int, bool | None] | None = None
          ) -> list[dict[str, Any]]:
    return [{"event": e, "details": json.loads(e.details), "view": e.action in VIEW_ACTIONS,
             "broken": (links or {}).get(e.id or 0) is False}
            for e in events]


@router.get("")
def trail(request: Request, session: SessionDep, crypto: CryptoDep, actor: deps.Auditor
          ) -> Response:
    """Audit events by actor, action, object and period, newest first, a page at a time."""
    filters, given, errors = _filters(request)
    text = request.query_params.get("page", "1")
    page = int(text) if text.isdigit() and 0 < len(text) <= 6 and int(text) > 0 else 1
    total, events = search_events(session=session, actor=actor, filters=filters, page=page,
                                  page_size=PAGE_SIZE) if not errors else (0, [])
    links = audit_chain.links_hold(session=session, crypto=crypto, events=list(events))
    return render(request, "audit.html", {
        "rows": _rows(events, links), "total": total, "page": page, "pages": -(-total // PAGE_SIZE),
        "given": given, "query": urlencode(given), "roles": ROLE_LABELS,
        "errors": {e.field: [e.message] for e in errors}}, actor=actor)


@router.get("/export.csv")
def export(request: Request, session: SessionDep, actor: deps.Auditor) -> Response:
    """An extract of the events the filter selects, as CSV (audited)."""
    filters, _given, errors = _filters(request)
    if errors:
        raise DomainError("use YYYY-MM-DD for the period", errors)
    body = export_csv(session=session, actor=actor, filters=filters)
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="audit-{date.today().isoformat()}.csv"'})


@router.get("/person")
def person(request: Request, session: SessionDep, actor: deps.Auditor) -> Response:
    """Who viewed a person (or, with every event, changed them): all events naming the person
    or any of their registrations."""
    ref = request.query_params.get("ref", "").strip()
    views_only = request.query_params.get("all") != "1"
    context: dict[str, Any] = {"ref": ref, "views_only": views_only, "roles": ROLE_LABELS}
    if ref:
        try:
            person_id = uuid.UUID(ref)
        except ValueError:
            person_id = None
        try:
            found = person_trail(session=session, actor=actor, person_id=person_id,
                                 registration_number=None if person_id else ref,
                                 views_only=views_only)
            context.update(found=found, rows=_rows(found.events),
                           viewers=sorted({e.actor_username or "system" for e in found.events
                                           if e.action in VIEW_ACTIONS}))
        except DomainError as exc:
            context["problem"] = exc.detail
    return render(request, "audit_person.html", context, actor=actor)
