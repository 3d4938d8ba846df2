"""The audit trail, for administrators and auditors."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.core import audit_chain
from app.core.audit_query import AuditFilter, search_events
from app.core.models import AuditEvent
from app.core.strict import EARLIEST_DAY, LATEST_DAY, MAX_PAGE, MAX_ROW_ID
from app.deps import AuditReader, CryptoDep, SessionDep
from app.registry import audit_trail

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEventOut(BaseModel):
    """One audit event."""

    id: int
    at: datetime
    actor_id: int | None
    actor_username: str | None
    actor_role: str | None
    action: str
    object_type: str
    object_id: str | None
    site_code: str | None
    request_id: str | None
    details: dict[str, Any]
    chain_ok: bool | None = Field(
        default=None, description="whether the event's link to the one before it holds "
        "(false: it or its predecessor was changed, removed or forged; null: it predates "
        "the chain)")


class AuditPage(BaseModel):
    """A page of audit events."""

    total: int
    page: int
    chain_intact: bool = Field(description="every link of the events on this page holds")
    items: list[AuditEventOut]


def _event(e: AuditEvent, links: dict[int, bool | None] | None = None) -> AuditEventOut:
    assert e.id is not None
    return AuditEventOut(
        id=e.id, at=e.at, actor_id=e.actor_id, actor_username=e.actor_username,
        actor_role=e.actor_role, action=e.action, object_type=e.object_type,
        object_id=e.object_id, site_code=e.site_code, request_id=e.request_id,
        details=json.loads(e.details), chain_ok=(links or {}).get(e.id))


@router.get("", response_model=AuditPage, summary="Read the audit trail")
def read_audit(
    session: SessionDep,
    crypto: CryptoDep,
    actor: AuditReader,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = Query(None, ge=1, le=MAX_ROW_ID),
    actor_username: str | None = Query(None, max_length=80),
    since: Annotated[date | None, Query(ge=EARLIEST_DAY, le=LATEST_DAY)] = None,
    until: Annotated[date | None, Query(ge=EARLIEST_DAY, le=LATEST_DAY)] = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=500),
) -> AuditPage:
    """Audit events, newest first, filtered by action prefix, object, actor and period (days
    in UTC, both ends included)."""
    filters = AuditFilter(actor=actor_username, actor_id=actor_id, action=action,
                          object_type=object_type, object_id=object_id, since=since,
                          until=until)
    total, rows = search_events(session=session, actor=actor, filters=filters, page=page,
                                page_size=page_size)
    links = audit_chain.links_hold(session=session, crypto=crypto, events=rows)
    return AuditPage(total=total, page=page, items=[_event(e, links) for e in rows],
                     chain_intact=all(ok is not False for ok in links.values()))


class PersonTrailOut(BaseModel):
    """The audit events about one person (no identifying data)."""

    person_id: uuid.UUID
    registration_numbers: list[str]
    viewed_by: list[str]
    items: list[AuditEventOut]


@router.get("/persons/{person_id}", response_model=PersonTrailOut,
            summary="Who viewed a person")
def person_trail(person_id: uuid.UUID, session: SessionDep, actor: AuditReader,
                 views_only: bool = True) -> PersonTrailOut:
    """Every event naming the person, or any of their registrations at any site, newest
    first (only views unless `views_only` is false); who viewed them."""
    found = audit_trail.person_trail(session=session, actor=actor, person_id=person_id,
                                     views_only=views_only)
    viewers = sorted({e.actor_username or "system" for e in found.events
                      if e.action in audit_trail.VIEW_ACTIONS})
    return PersonTrailOut(person_id=found.person_id,
                          registration_numbers=found.registration_numbers, viewed_by=viewers,
                          items=[_event(e) for e in found.events])
