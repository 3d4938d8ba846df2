"""The audit trail, for administrators and auditors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.core.audit import list_events
from app.deps import AuditReader, SessionDep

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


class AuditPage(BaseModel):
    """A page of audit events."""

    total: int
    page: int
    items: list[AuditEventOut]


@router.get("", response_model=AuditPage, summary="Read the audit trail")
def read_audit(
    session: SessionDep,
    actor: AuditReader,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=500),
) -> AuditPage:
    """Audit events, newest first, filtered by action prefix, object or actor."""
    total, rows = list_events(session=session, action=action, object_type=object_type,
                              object_id=object_id, actor_id=actor_id, page=page,
                              page_size=page_size)
    items = []
    for e in rows:
        assert e.id is not None
        items.append(AuditEventOut(
            id=e.id, at=e.at, actor_id=e.actor_id, actor_username=e.actor_username,
            actor_role=e.actor_role, action=e.action, object_type=e.object_type,
            object_id=e.object_id, site_code=e.site_code, request_id=e.request_id,
            details=json.loads(e.details)))
    return AuditPage(total=total, page=page, items=items)
