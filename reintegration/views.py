"""Reading a case whole: header, steps with what they recorded, timeline, referrals and
instalments (free text decrypted; the values of steps that need an authorisation the reader
lacks stay hidden). The read names the person and is audited."""

from __future__ import annotations

import json
import uuid

from sqlmodel import Session, col, select

from app.core.crypto import FieldCrypto
from app.core.sealed import unseal
from app.core.security import Principal
from app.registry.indexes import NAME_FIELDS
from app.registry.models import Registration
from app.users.models import User
from reintegration.access import scoped_case
from reintegration.engine import Pathway
from reintegration.enums import ACTIVE_CASE_STATUSES
from reintegration.models import Case, CaseEvent
from reintegration.pathways import definition
from reintegration.payments import instalment_views
from reintegration.referrals import referral_views
from reintegration.schemas import CaseOut, StepOut, UserRef
from reintegration.service import record_read, sealed_values, steps_of
from reintegration.timeline import event_view


def full_name(crypto: FieldCrypto, registration: Registration | None) -> str | None:
    """A registration's name parts, decrypted and joined."""
    if registration is None:
        return None
    names = unseal(crypto, registration, NAME_FIELDS)
    return " ".join(n for n in (names[f] for f in NAME_FIELDS) if n) or None


def restricted_steps(pathway: Pathway, actor: Principal) -> set[str]:
    """Steps whose recorded values the reader may not read (an authorisation is missing)."""
    return {s.key for s in pathway.steps
            if s.authorisation and s.authorisation not in actor.authorisations}


def case_view(*, session: Session, crypto: FieldCrypto, actor: Principal,
              case_id: uuid.UUID, audit: bool = True) -> CaseOut:
    """A case whole, as the API and the case page show it (audited unless `audit=False`, for
    the answer to a change that was audited already)."""
    case = scoped_case(session, actor, case_id)
    return view_of(session=session, crypto=crypto, actor=actor, case=case, audit=audit)


def view_of(*, session: Session, crypto: FieldCrypto, actor: Principal, case: Case,
            audit: bool = True) -> CaseOut:
    """:func:`case_view` of a case already loaded and checked."""
    pathway = definition(case.pathway, case.pathway_version)
    hidden = restricted_steps(pathway, actor)
    steps = []
    for key, row in steps_of(session, case.id).items():
        step = pathway.step(key)
        values = {} if key in hidden else {**json.loads(row.facts),
                                           **sealed_values(crypto, row)}
        steps.append(StepOut(key=key, title=step.title if step else key, status=row.status,
                             due_on=row.due_on, started_on=row.started_on,
                             settled_on=row.settled_on, attempts=row.attempts,
                             outcome=None if key in hidden else row.outcome, values=values,
                             restricted=key in hidden))
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)
                           .order_by(col(CaseEvent.version))).all()
    registration = (session.get(Registration, case.registration_id)
                    if case.registration_id else None)
    assignee = session.get(User, case.assigned_to_id) if case.assigned_to_id else None
    others = session.exec(select(Case.id).where(
        Case.person_id == case.person_id, Case.pathway == case.pathway, Case.id != case.id,
        col(Case.status).in_(sorted(ACTIVE_CASE_STATUSES)))).all()
    if audit:
        record_read(session=session, actor=actor, case=case)
    return CaseOut(
        id=case.id, person_id=case.person_id, registration_id=case.registration_id,
        registration_number=registration.registration_number if registration else None,
        name=full_name(crypto, registration), pathway=case.pathway,
        pathway_version=case.pathway_version, status=case.status,
        close_reason=case.close_reason, version=case.version, site=case.site_code,
        assigned_to=UserRef(id=assignee.id, username=assignee.username)
        if assignee and assignee.id is not None else None,
        opened_on=case.opened_on, current_step=case.current_step,
        next_due_on=case.next_due_on, steps=steps,
        events=[event_view(crypto, e, restricted=e.step_key in hidden) for e in events],
        referrals=referral_views(session, crypto, case),
        instalments=instalment_views(session, crypto, case.id),
        other_open_cases=list(others))
