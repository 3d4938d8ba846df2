"""Reading the audit trail: events by actor, action, object and period, a page at a time or
as a CSV extract whose cells a spreadsheet cannot run as formulas."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from app.core.audit import record_event
from app.core.errors import Forbidden
from app.core.models import AuditEvent
from app.core.roles import AUDIT_READERS
from app.core.security import Principal

EXPORT_LIMIT = 100_000
"""Events in one extract, at most (narrow the filter for more)."""
COLUMNS = ("id", "at", "actor_username", "actor_role", "action", "object_type", "object_id",
           "site_code", "request_id", "details")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def require_audit_reader(actor: Principal) -> None:
    """Refuse roles that do not read the audit trail."""
    if actor.role not in AUDIT_READERS:
        raise Forbidden("only auditors and administrators read the audit trail")


@dataclass(frozen=True)
class AuditFilter:
    """Which audit events to read: by actor (username), action (prefix), object and period
    (days in UTC, both ends included)."""

    actor: str | None = None
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: date | None = None
    until: date | None = None

    def where(self, stmt: Any) -> Any:
        """Narrow a query of audit events to this filter."""
        if self.actor:
            stmt = stmt.where(AuditEvent.actor_username == self.actor)
        if self.actor_id is not None:
            stmt = stmt.where(AuditEvent.actor_id == self.actor_id)
        if self.action:
            stmt = stmt.where(col(AuditEvent.action).startswith(self.action))
        if self.object_type:
            stmt = stmt.where(AuditEvent.object_type == self.object_type)
        if self.object_id:
            stmt = stmt.where(AuditEvent.object_id == self.object_id)
        if self.since:
            stmt = stmt.where(col(AuditEvent.at) >= datetime.combine(self.since, time.min, UTC))
        if self.until:
            stmt = stmt.where(col(AuditEvent.at) < datetime.combine(
                self.until + timedelta(days=1), time.min, UTC))
        return stmt

    def used(self) -> dict[str, str]:
        """The criteria given, as text (for the extract's own audit event and links)."""
        return {k: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


def search_events(*, session: Session, actor: Principal, filters: AuditFilter, page: int = 1,
                  page_size: int = 50) -> tuple[int, list[AuditEvent]]:
    """A page of the events a filter selects, newest first, and how many there are."""
    require_audit_reader(actor)
    stmt = filters.where(select(AuditEvent))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(AuditEvent.id).desc())
                        .offset((page - 1) * page_size).limit(page_size)).all()
    return int(total), list(rows)


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula (= + - @, a tab
    or a line break) is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(*, session: Session, actor: Principal, filters: AuditFilter) -> str:
    """An extract of the events a filter selects, oldest first, as CSV (the extract is
    itself audited)."""
    require_audit_reader(actor)
    stmt = filters.where(select(AuditEvent)).order_by(col(AuditEvent.id)).limit(EXPORT_LIMIT)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    events = session.exec(stmt).all()
    for event in events:
        writer.writerow([safe_cell(v) for v in (
            event.id, event.at.isoformat(), event.actor_username, event.actor_role,
            event.action, event.object_type, event.object_id, event.site_code,
            event.request_id, json.dumps(json.loads(event.details), ensure_ascii=False))])
    record_event(session=session, actor=actor, action="audit.export", object_type="audit",
                 details={"filters": filters.used(), "rows": len(events)})
    return buffer.getvalue()
