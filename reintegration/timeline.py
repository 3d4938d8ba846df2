"""A case's version and timeline: every change claims the version it saw (a conditional
UPDATE, so that of two changes based on one version one wins and the other gets 409 with what
changed since) and appends one event, in the same transaction, with its audit event."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict
from app.core.models import utcnow
from app.core.sealed import seal, unseal
from app.core.security import Principal
from reintegration.models import Case, CaseEvent
from reintegration.schemas import EventOut


def changes_since(session: Session, case_id: Any, version: int) -> list[dict[str, Any]]:
    """What happened to a case after `version` (codes and dates, no free text)."""
    rows = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                col(CaseEvent.version) > version)
                        .order_by(col(CaseEvent.version))).all()
    return [{"version": e.version, "at": e.at.isoformat(), "kind": e.kind, "step": e.step_key,
             "status_before": e.status_before, "status_after": e.status_after,
             "by": e.actor_username} for e in rows]


def stale(session: Session, case: Case, seen: int) -> Conflict:
    """The 409 for a change based on an old version: what changed since, and the version now."""
    current = session.exec(select(Case.version).where(Case.id == case.id)).one()
    return Conflict(
        f"this case changed since version {seen} (now version {current}); reload it",
        extra={"current_version": current, "changes": changes_since(session, case.id, seen)})


def check_version(session: Session, case: Case, seen: int) -> None:
    """Refuse at once a change based on a version that is no longer the case's."""
    if case.version != seen:
        raise stale(session, case, seen)


def claim(session: Session, case: Case, seen: int, **values: Any) -> int:
    """Move the case from version `seen` to the next, setting `values` on it, if nobody
    changed it meanwhile (else 409); the new version. On PostgreSQL the UPDATE holds the row
    until commit, so the change's other writes are serialised with any other change."""
    new = seen + 1
    now = utcnow()
    result = session.execute(
        update(Case).where(col(Case.id) == case.id, col(Case.version) == seen)
        .values(version=new, updated_at=now, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise stale(session, case, seen)
    for name, value in {"version": new, "updated_at": now, **values}.items():
        set_committed_value(case, name, value)
    return new


def append(
    *,
    session: Session,
    crypto: FieldCrypto | None,
    actor: Principal,
    case: Case,
    kind: str,
    on: date | None = None,
    step: str | None = None,
    before: str | None = None,
    after: str | None = None,
    facts: Mapping[str, Any] | None = None,
    sealed: Mapping[str, Any] | None = None,
    action: str | None = None,
    audit: bool = True,
) -> CaseEvent:
    """Append the event of the case's current version (and its audit event, ids and codes
    only; `audit=False` when the caller audits several at once). `sealed` (free text) is
    stored encrypted (so `crypto` is needed with it)."""
    event = CaseEvent(case_id=case.id, version=case.version, happened_on=on or date.today(),
                      kind=kind, step_key=step, status_before=before, status_after=after,
                      actor_id=actor.id, actor_username=actor.username,
                      facts=json.dumps(dict(facts or {}), sort_keys=True, default=str))
    content = {k: v for k, v in (sealed or {}).items() if v not in (None, "", {})}
    if content:
        assert crypto is not None, "free text needs the key ring"
        seal(crypto, event, {"sealed": json.dumps(content, ensure_ascii=False)})
    session.add(event)
    if not audit:
        return event
    record_event(session=session, actor=actor, action=action or f"case.{kind}",
                 object_type="case", object_id=str(case.id), site_code=case.site_code,
                 details={"version": case.version, "step": step, "before": before,
                          "after": after, "person": str(case.person_id)})
    return event


def event_view(crypto: FieldCrypto, event: CaseEvent, restricted: bool = False) -> EventOut:
    """A timeline entry with its free text decrypted (hidden when `restricted`)."""
    facts = json.loads(event.facts)
    content: dict[str, Any] = {}
    if event.sealed is not None and not restricted:
        content = json.loads(unseal(crypto, event)["sealed"] or "{}")
    if restricted:
        facts = {k: v for k, v in facts.items() if k not in ("values",)}
    return EventOut(version=event.version, at=event.at, happened_on=event.happened_on,
                    kind=event.kind, step=event.step_key, status_before=event.status_before,
                    status_after=event.status_after, actor=event.actor_username, facts=facts,
                    note=content.pop("note", None), values=content.get("values", {}))
