"""Who viewed (or changed) a person: the audit events naming the person or any of their
registrations, in one query (for auditors, who see no identifying data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from app.core.audit import record_event
from app.core.audit_query import require_audit_reader
from app.core.errors import FieldError, NotFound, ValidationFailed
from app.core.models import AuditEvent
from app.core.security import Principal
from app.registry.models import Person, Registration

VIEW_ACTIONS = frozenset({
    "person.read", "registration.read", "registration.read.candidate", "registration.search",
    "registration.list", "registration.card", "weapon.receipt", "matching.candidates",
    "matching.cross_site", "review.read",
})
"""The audit actions that show a person's identifying data to their actor."""
MAX_EVENTS = 2000


@dataclass(frozen=True)
class PersonTrail:
    """A person's audit events (newest first) and what was looked for."""

    person_id: uuid.UUID
    registration_numbers: list[str]
    events: list[AuditEvent]
    views_only: bool


def _person(session: Session, person_id: uuid.UUID | None,
            registration_number: str | None) -> Person:
    """The person asked for, by id or by one of their registration numbers (a merged person:
    the one now holding the registrations)."""
    person = session.get(Person, person_id) if person_id else None
    if person is None and registration_number:
        registration = session.exec(select(Registration).where(
            Registration.registration_number == registration_number.strip().upper())).first()
        person = session.get(Person, registration.person_id) if registration else None
    if person is None:
        raise NotFound("person not found")
    for _ in range(50):
        if person.merged_into_id is None:
            break
        following = session.get(Person, person.merged_into_id)
        if following is None:
            break
        person = following
    return person


def _merged_into(session: Session, person_id: uuid.UUID) -> set[uuid.UUID]:
    """A person and every person merged into them, at any depth."""
    found, frontier = {person_id}, {person_id}
    while frontier:
        frontier = set(session.exec(select(Person.id).where(
            col(Person.merged_into_id).in_(frontier))).all()) - found
        found |= frontier
    return found


def person_trail(*, session: Session, actor: Principal, person_id: uuid.UUID | None = None,
                 registration_number: str | None = None, views_only: bool = True
                 ) -> PersonTrail:
    """Every audit event about a person — naming them or one of their registrations, as its
    object or in its details — newest first (reading the trail is itself audited)."""
    require_audit_reader(actor)
    if person_id is None and not registration_number:
        raise ValidationFailed([FieldError("person", "give a person id or a registration "
                                                     "number")])
    person = _person(session, person_id, registration_number)
    persons = _merged_into(session, person.id)
    registrations = session.exec(select(Registration.id, Registration.registration_number)
                                 .where(col(Registration.person_id).in_(persons))
                                 .order_by(col(Registration.registration_number))).all()
    subjects = sorted({str(p) for p in persons} | {str(r) for r, _ in registrations})
    stmt = select(AuditEvent).where(or_(
        col(AuditEvent.object_id).in_(subjects),
        *(col(AuditEvent.details).contains(subject) for subject in subjects)))
    if views_only:
        stmt = stmt.where(col(AuditEvent.action).in_(sorted(VIEW_ACTIONS)))
    events = list(session.exec(stmt.order_by(col(AuditEvent.id).desc()).limit(MAX_EVENTS)))
    record_event(session=session, actor=actor, action="audit.person_trail",
                 object_type="person", object_id=str(person.id),
                 details={"views_only": views_only, "events": len(events)})
    return PersonTrail(person.id, [number for _, number in registrations], events, views_only)
