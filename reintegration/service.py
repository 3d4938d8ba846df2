"""Opening cases and recording benefit payments (audited). The pathway workflow, its API and
its screens come with the reintegration issue; the review queue needs these two facts now."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session

from app.core.audit import record_event
from app.core.errors import NotFound
from app.core.security import Principal
from app.registry.models import Person
from reintegration.models import BenefitPayment, Case


def _active_person(session: Session, person_id: uuid.UUID) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.status != "active":
        raise NotFound("person not found")
    return person


def open_case(*, session: Session, actor: Principal, person_id: uuid.UUID, site: str,
              pathway: str | None = None) -> Case:
    """Open a case for a person on their pathway (default: the person's own)."""
    person = _active_person(session, person_id)
    case = Case(person_id=person.id, pathway=pathway or person.pathway, site_code=site,
                opened_by_id=actor.id)
    session.add(case)
    session.flush()
    record_event(session=session, actor=actor, action="case.open", object_type="case",
                 object_id=str(case.id), site_code=site, details={"person": str(person.id)})
    return case


def record_payment(*, session: Session, actor: Principal, person_id: uuid.UUID, site: str,
                   amount: int, paid_on: date, instalment: int = 1,
                   case_id: uuid.UUID | None = None) -> BenefitPayment:
    """Record a reinsertion instalment paid to a person."""
    person = _active_person(session, person_id)
    payment = BenefitPayment(person_id=person.id, case_id=case_id, amount=amount,
                             paid_on=paid_on, instalment=instalment, site_code=site,
                             recorded_by_id=actor.id)
    session.add(payment)
    session.flush()
    record_event(session=session, actor=actor, action="payment.record",
                 object_type="payment", object_id=str(payment.id), site_code=site,
                 details={"person": str(person.id), "instalment": instalment})
    return payment
