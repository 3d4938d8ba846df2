"""The audit trail: who did or read what, when, in which request. Never any plaintext PII."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Protocol

from sqlmodel import Session, col, func, select

from app.core.audit_chain import add_pending
from app.core.models import AuditEvent, utcnow

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class Actor(Protocol):
    """Whoever acts: a user, or the system (CLI) with id None."""

    @property
    def id(self) -> int | None: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


def event_row(
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    site_code: str | None = None,
    details: Mapping[str, Any] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """An audit event's row (`request_id`: the current request's when None)."""
    return {
        "at": utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_username": actor.username if actor else "system",
        "actor_role": str(actor.role) if actor else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "site_code": site_code,
        "request_id": request_id if request_id is not None else request_id_var.get(),
        "details": json.dumps(dict(details or {}), sort_keys=True, default=str),
    }


def record_event(
    *,
    session: Session,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    site_code: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append an audit event in the caller's transaction (it commits with the change or not)."""
    record_events(session=session, rows=[event_row(
        actor=actor, action=action, object_type=object_type, object_id=object_id,
        site_code=site_code, details=details)])


def record_events(*, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append several audit events (rows of :func:`event_row`); they are written, chained,
    when the unit of work commits, and never read back in it."""
    if rows:  # chained and inserted when the unit of work commits (app.core.audit_chain)
        add_pending(session.connection(), [dict(row) for row in rows])


def list_events(
    *,
    session: Session,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[int, list[AuditEvent]]:
    """Return a page of audit events, newest first, with the total count."""

    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(col(AuditEvent.action).startswith(action))
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(AuditEvent.id).desc())
                        .offset((page - 1) * page_size).limit(page_size)).all()
    return int(total), list(rows)
