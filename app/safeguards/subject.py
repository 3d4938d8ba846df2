"""Subject access: everything the register holds about one person, for an administrator to
give them (the UN personal data protection principles: a person may know what is held about
them and have it corrected). Corrections go through the registry's audited corrections,
which keep the values they replace; this export shows those too.

Everything is decrypted here, so the export itself is audited, names no other person
(a duplicate pair shows only the other registration's number), and is written only to a
file readable by its owner or sent over the authenticated API.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Forbidden, NotFound
from app.core.models import AuditEvent
from app.core.roles import Role
from app.core.sealed import unseal
from app.core.security import Principal
from app.dedup.models import CandidatePair
from app.registry.models import (
    Correction,
    Dependant,
    Person,
    Registration,
    WeaponHandover,
)
from reintegration.models import BenefitPayment, Case

CLEAR_COLUMNS = ("registration_number", "site_code", "registered_on", "created_at", "category",
                 "declared_category", "sex", "birth_year", "dob_precision", "nationality",
                 "is_child", "membership_verification", "education", "languages", "consent",
                 "consent_at", "version")
MAX_EVENTS = 5000


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(row: Any, columns: tuple[str, ...], crypto: FieldCrypto | None = None
         ) -> dict[str, Any]:
    found = {c: _plain(getattr(row, c)) for c in columns}
    if crypto is not None:
        found.update(unseal(crypto, row))
    return found


def _persons(session: Session, person: Person) -> list[uuid.UUID]:
    """The person and every person merged into them (their registrations moved with them)."""
    found, frontier = [person.id], [person.id]
    while frontier:
        merged = list(session.exec(select(Person.id).where(
            col(Person.merged_into_id).in_(frontier))).all())
        frontier = [m for m in merged if m not in found]
        found += frontier
    return found


def subject_access(*, session: Session, crypto: FieldCrypto, actor: Principal,
                   person_id: uuid.UUID) -> dict[str, Any]:
    """Everything held about one person (administrators only; audited)."""
    if actor.role != Role.admin:
        raise Forbidden("only an administrator produces everything held about a person")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("no such person")
    persons = _persons(session, person)
    registrations = list(session.exec(select(Registration).where(
        col(Registration.person_id).in_(persons)).order_by(col(Registration.registered_on))))
    ids = [r.id for r in registrations]
    held: list[dict[str, Any]] = []
    for registration in registrations:
        entry = {"id": str(registration.id), **_row(registration, CLEAR_COLUMNS, crypto)}
        entry["dependants"] = [
            _row(d, ("relationship", "sex", "year_of_birth"), crypto)
            for d in session.exec(select(Dependant).where(
                Dependant.registration_id == registration.id))]
        entry["weapons"] = [
            _row(w, ("receipt_number", "handed_over_on", "weapon_type", "make_model",
                     "calibre", "rounds", "condition"), crypto)
            for w in session.exec(select(WeaponHandover).where(
                WeaponHandover.registration_id == registration.id))]
        entry["corrections"] = [
            {**_row(c, ("at", "by_username", "fields")),
             **{k: json.loads(v) if k != "reason" and v else v
                for k, v in unseal(crypto, c).items()}}
            for c in session.exec(select(Correction).where(
                Correction.registration_id == registration.id).order_by(col(Correction.at)))]
        held.append(entry)
    pairs = session.exec(select(CandidatePair).where(or_(
        col(CandidatePair.registration_a_id).in_(ids),
        col(CandidatePair.registration_b_id).in_(ids)))).all() if ids else []
    others = {p.registration_b_id if p.registration_a_id in ids else p.registration_a_id
              for p in pairs}
    numbers = dict(session.exec(select(Registration.id, Registration.registration_number)
                                .where(col(Registration.id).in_(list(others)))).all()
                   ) if others else {}
    subjects = sorted({str(p) for p in persons} | {str(i) for i in ids})
    events = session.exec(select(AuditEvent).where(
        col(AuditEvent.object_id).in_(subjects)).order_by(col(AuditEvent.id))
        .limit(MAX_EVENTS)).all()
    export = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generated_by": actor.username,
        "person": {"id": str(person.id), "status": person.status, "is_child": person.is_child,
                   "pathway": person.pathway, "created_at": _plain(person.created_at),
                   "merged_persons": [str(p) for p in persons[1:]]},
        "registrations": held,
        "cases": [_row(c, ("id", "pathway", "status", "site_code", "opened_at"))
                  for c in session.exec(select(Case).where(col(Case.person_id).in_(persons)))],
        "payments": [_row(p, ("kind", "instalment", "amount", "currency", "paid_on",
                              "site_code"))
                     for p in session.exec(select(BenefitPayment).where(
                         col(BenefitPayment.person_id).in_(persons)))],
        "possible_duplicates": [
            {"registration": str(p.registration_a_id if p.registration_a_id in ids
                                 else p.registration_b_id),
             "other_registration_number": numbers.get(
                 p.registration_b_id if p.registration_a_id in ids else p.registration_a_id),
             "status": p.status, "decision": p.decision, "score": p.score} for p in pairs],
        "audit_events": [{"at": _plain(e.at), "actor": e.actor_username, "action": e.action,
                          "object_type": e.object_type, "object_id": e.object_id}
                         for e in events],
    }
    record_event(session=session, actor=actor, action="person.subject_access",
                 object_type="person", object_id=str(person.id),
                 details={"registrations": len(held)})
    return export
