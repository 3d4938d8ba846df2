"""Movements: a convoy or flight to one country, its returnees, and its way from planned to
confirmed, departed and arrived.

Returnees are return cases of the movement's country, open and on no other movement. A
confirmed movement marks each returnee's `movement` step done; a movement departs only when
every returnee is ready (the readiness check names each one who is not and why), and its
departure marks each one's `departed` step done. Each change names the movement version it
saw and claims the next (a conditional UPDATE), with its audit event, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from app.core.models import utcnow
from app.core.security import Principal
from app.registry.models import Registration
from reintegration.access import CASE_WORKERS, can_see
from reintegration.engine import current_step
from reintegration.enums import CaseStatus, EventKind, StepStatus
from reintegration.models import Case, CaseStep
from reintegration.pathways import definition
from reintegration.pathways.returns import COORDINATOR
from reintegration.returns import documents, readiness
from reintegration.returns.models import Movement, MovementReturnee
from reintegration.returns.schemas import (
    CandidateOut,
    MovementIn,
    MovementOut,
    MovementRow,
    MovementStatusIn,
    Reason,
    ReturneeOut,
    ReturneesIn,
)
from reintegration.schemas import StepIn
from reintegration.service import steps_of, transition
from reintegration.timeline import append, claim
from reintegration.views import full_name

ACTIVE = ("planned", "confirmed", "departed")
"""A case on a movement in one of these is on no other."""
MOVES: dict[str, tuple[str, ...]] = {
    "planned": ("confirmed", "cancelled"),
    "confirmed": ("planned", "departed", "cancelled"),
    "departed": ("arrived",),
    "arrived": (),
    "cancelled": (),
}
"""From each movement status, where it may go."""
CONFIRM_BLOCKERS = frozenset({"case_not_open", "no_consent", "declines"})
"""What stops a returnee's movement being confirmed (the rest of readiness may follow until
departure)."""


def require_coordinator(actor: Principal) -> None:
    """Movements are for returns coordinators (and administrators)."""
    if actor.role not in CASE_WORKERS or not (
            COORDINATOR in actor.authorisations or actor.role == "admin"):
        raise Forbidden("only returns coordinators plan movements")


def _get(session: Session, movement_id: uuid.UUID) -> Movement:
    movement = session.get(Movement, movement_id)
    if movement is None:
        raise NotFound("movement not found")
    return movement


def _claim(session: Session, movement: Movement, seen: int, **values: Any) -> None:
    """Move the movement from version `seen` to the next, if nobody changed it meanwhile."""
    result = session.execute(
        update(Movement).where(col(Movement.id) == movement.id, col(Movement.version) == seen)
        .values(version=seen + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"this movement changed since version {seen}; reload it",
                       extra={"current_version": movement.version})
    session.refresh(movement)


def _fields(body: MovementIn) -> dict[str, Any]:
    return {"country_code": body.country, "kind": body.kind, "route": body.route,
            "border_crossing": body.border_crossing, "planned_on": body.planned_on,
            "capacity": body.capacity, "escort": body.escort}


def plan(*, session: Session, actor: Principal, body: MovementIn) -> tuple[Movement, bool]:
    """Plan a movement (or answer the one planned with the same id and content); whether it
    was created now."""
    require_coordinator(actor)
    fields = _fields(body)
    earlier = session.get(Movement, body.id)
    if earlier is not None:
        if any(getattr(earlier, k) != v for k, v in fields.items()):
            raise Conflict("a movement with this id exists with other data")
        return earlier, False
    if body.planned_on < date.today():
        raise ValidationFailed([FieldError("planned_on", "is in the past")])
    movement = Movement(id=body.id, created_by_id=actor.id, **fields)
    session.add(movement)
    session.flush()
    record_event(session=session, actor=actor, action="movement.plan", object_type="movement",
                 object_id=str(movement.id), details={"country": movement.country_code,
                                                      "kind": movement.kind})
    return movement, True


def add_returnees(*, session: Session, actor: Principal, movement_id: uuid.UUID,
                  body: ReturneesIn) -> Movement:
    """Put return cases on a planned movement: of its country, open, on no other movement,
    within its capacity (readiness is checked at departure, and shown meanwhile)."""
    require_coordinator(actor)
    movement = _get(session, movement_id)
    if movement.version != body.version:
        raise Conflict(f"this movement changed since version {body.version}; reload it",
                       extra={"current_version": movement.version})
    if movement.status != "planned":
        raise ValidationFailed([FieldError("status", "returnees join a planned movement "
                                                     "only")])
    wanted = list(dict.fromkeys(body.cases))
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(wanted)))}
    taken = set(session.exec(
        select(MovementReturnee.case_id).join(Movement).where(
            col(MovementReturnee.case_id).in_(wanted),
            col(Movement.status).in_(ACTIVE))).all())
    errors = []
    for position, case_id in enumerate(wanted):
        case = cases.get(case_id)
        where = f"cases.{position}"
        if case is None or case.pathway != "return" or not can_see(actor, case.pathway,
                                                                   case.site_code):
            errors.append(FieldError(where, "not a return case you can see"))
        elif case.status != CaseStatus.open:
            errors.append(FieldError(where, "the case is not open"))
        elif case.country != movement.country_code:
            errors.append(FieldError(where, "of another country"))
        elif case_id in taken:
            errors.append(FieldError(where, "already on a movement"))
    if errors:
        raise ValidationFailed(errors)
    aboard = _count(session, movement.id)
    if aboard + len(wanted) > movement.capacity:
        raise ValidationFailed([FieldError("cases", f"over the capacity of {movement.capacity}"
                                                    )])
    _claim(session, movement, body.version)
    session.add_all([MovementReturnee(movement_id=movement.id, case_id=c, added_by_id=actor.id)
                     for c in wanted])
    record_event(session=session, actor=actor, action="movement.returnees.add",
                 object_type="movement", object_id=str(movement.id),
                 details={"cases": [str(c) for c in wanted]})
    session.flush()
    return movement


def remove_returnee(*, session: Session, actor: Principal, movement_id: uuid.UUID,
                    case_id: uuid.UUID, version: int) -> Movement:
    """Take a returnee off a planned or confirmed movement (their *Assigned to a movement*
    step reopens)."""
    require_coordinator(actor)
    movement = _get(session, movement_id)
    if movement.status not in ("planned", "confirmed"):
        raise ValidationFailed([FieldError("status", "returnees leave a planned or confirmed "
                                                     "movement only")])
    row = session.exec(select(MovementReturnee).where(
        MovementReturnee.movement_id == movement.id, MovementReturnee.case_id == case_id)).first()
    if row is None:
        raise NotFound("not on this movement")
    _claim(session, movement, version)
    session.delete(row)
    case = session.get(Case, case_id)
    assert case is not None
    _reopen_assignment(session, actor, [case], movement, "removed")
    record_event(session=session, actor=actor, action="movement.returnees.remove",
                 object_type="movement", object_id=str(movement.id),
                 details={"case": str(case_id)})
    session.flush()
    return movement


def set_status(*, session: Session, crypto: FieldCrypto, actor: Principal,
               movement_id: uuid.UUID, body: MovementStatusIn) -> Movement:
    """Move a movement on. Confirming marks each returnee's `movement` step done; departing
    is refused while any returnee is not ready (each named with the reasons) and marks each
    one's `departed` step done."""
    require_coordinator(actor)
    movement = _get(session, movement_id)
    if movement.version != body.version:
        raise Conflict(f"this movement changed since version {body.version}; reload it",
                       extra={"current_version": movement.version})
    if body.status not in MOVES[movement.status]:
        raise ValidationFailed([FieldError("status", f"a movement cannot go from "
                                                     f"{movement.status} to {body.status}")])
    on = body.on or date.today()
    if on > date.today():
        raise ValidationFailed([FieldError("on", "is in the future")])
    cases = cases_of(session, movement.id)
    if body.status in ("confirmed", "departed") and not cases:
        raise ValidationFailed([FieldError("cases", "the movement has no returnees")])
    if body.status in ("confirmed", "departed"):
        numbers = _numbers(session, cases)
        checked = readiness.check(session, cases, on)
        # confirmed: everyone consents (and their case is open); departed: everyone is ready
        needed = CONFIRM_BLOCKERS if body.status == "confirmed" else None
        not_ready = {c.id: [r for r in checked[c.id] if needed is None or r in needed]
                     for c in cases}
        not_ready = {k: v for k, v in not_ready.items() if v}
        if not_ready:
            raise ValidationFailed(
                [FieldError(f"returnee.{numbers.get(case_id) or case_id}", ", ".join(codes))
                 for case_id, codes in not_ready.items()],
                detail="returnees not ready: " + ", ".join(
                    str(numbers.get(c) or c) for c in not_ready))
    changes: dict[str, Any] = {"status": body.status}
    if body.status == "departed":
        changes["departed_on"] = on
    if body.status == "arrived":
        changes["arrived_on"] = on
    _claim(session, movement, body.version, **changes)
    if body.status == "confirmed":
        _move_steps(session, crypto, actor, cases, "movement", on, {})
    elif body.status in ("planned", "cancelled"):
        _reopen_assignment(session, actor, cases, movement, body.status)
    elif body.status == "departed":
        _move_steps(session, crypto, actor, cases, "departed", on, {
            "departed_on": on.isoformat(), "route": movement.route,
            "border_crossing": movement.border_crossing})
    record_event(session=session, actor=actor, action=f"movement.{body.status}",
                 object_type="movement", object_id=str(movement.id),
                 details={"returnees": len(cases), "on": on.isoformat()})
    session.flush()
    return movement


def _move_steps(session: Session, crypto: FieldCrypto, actor: Principal,
                cases: Sequence[Case], key: str, on: date, data: dict[str, Any]) -> None:
    """Mark one step done on each case (skipping those where it is done already)."""
    done = set(session.exec(select(CaseStep.case_id).where(
        col(CaseStep.case_id).in_([c.id for c in cases]), CaseStep.key == key,
        CaseStep.status == StepStatus.done)).all())
    for case in cases:
        if case.id in done:
            continue
        session.refresh(case)
        transition(session=session, crypto=crypto, actor=actor, case_id=case.id, step_key=key,
                   body=StepIn(status=StepStatus.done, version=case.version, data=data,
                               on=max(on, case.opened_on)))


def _reopen_assignment(session: Session, actor: Principal, cases: Sequence[Case],
                       movement: Movement, why: str) -> None:
    """Reopen the *Assigned to a movement* step (done -> pending) of these cases: their
    movement was cancelled or went back to planned, or they were taken off it (`why`). The
    other steps, and so their readiness, stay as they are. Each reopened case gets a new
    version and a timeline entry (with its audit event)."""
    assigned = {r.case_id: r for r in session.exec(select(CaseStep).where(
        col(CaseStep.case_id).in_([c.id for c in cases]), CaseStep.key == "movement",
        CaseStep.status == StepStatus.done))}
    for case in cases:
        row = assigned.get(case.id)
        if row is None:
            continue
        session.refresh(case)
        pathway = definition(case.pathway, case.pathway_version)
        statuses = {k: r.status for k, r in steps_of(session, case.id).items()}
        statuses["movement"] = StepStatus.pending
        claim(session, case, case.version, current_step=current_step(pathway, statuses))
        row.status, row.settled_on = StepStatus.pending, None
        row.changed_at, row.changed_by_id = utcnow(), actor.id
        session.add(row)
        append(session=session, crypto=None, actor=actor, case=case, kind=EventKind.step,
               step="movement", before=StepStatus.done, after=StepStatus.pending,
               facts={"movement": str(movement.id), "reopened": why})


def _count(session: Session, movement_id: uuid.UUID) -> int:
    return int(session.exec(select(func.count()).select_from(MovementReturnee).where(
        MovementReturnee.movement_id == movement_id)).one())


def cases_of(session: Session, movement_id: uuid.UUID) -> list[Case]:
    """The return cases on a movement, in the order they joined it."""
    return list(session.exec(select(Case).join(
        MovementReturnee, col(MovementReturnee.case_id) == col(Case.id)).where(
        MovementReturnee.movement_id == movement_id).order_by(col(MovementReturnee.added_at),
                                                              col(Case.id))).all())


def _numbers(session: Session, cases: Sequence[Case]) -> dict[uuid.UUID, str]:
    numbers = dict(session.exec(select(Registration.id, Registration.registration_number)
                                .where(col(Registration.id).in_(
                                    [c.registration_id for c in cases]))).all())
    return {c.id: numbers[c.registration_id] for c in cases if c.registration_id in numbers}


def reason_list(codes: Sequence[str], translate: Any = None) -> list[Reason]:
    """Reason codes with their messages (translated with `translate` when given)."""
    text = translate or (lambda m: m)
    return [Reason(code=c, message=text(readiness.REASONS[c])) for c in codes]


def _people(session: Session, crypto: FieldCrypto, cases: Sequence[Case]
            ) -> dict[uuid.UUID, tuple[str | None, str | None]]:
    """Registration number and name of each case (decrypted: the caller audits the read)."""
    registrations = {r.id: r for r in session.exec(select(Registration).where(
        col(Registration.id).in_([c.registration_id for c in cases])))}
    found = {}
    for case in cases:
        registration = registrations.get(case.registration_id) if case.registration_id else None
        found[case.id] = (registration.registration_number if registration else None,
                          full_name(crypto, registration))
    return found


def movement_view(*, session: Session, crypto: FieldCrypto, actor: Principal,
                  movement_id: uuid.UUID) -> MovementOut:
    """A movement with its returnees and the readiness of each (names: an audited read)."""
    require_coordinator(actor)
    movement = _get(session, movement_id)
    cases = cases_of(session, movement.id)
    people = _people(session, crypto, cases)
    travel_on = movement.departed_on or movement.planned_on
    checked = readiness.check(session, cases, travel_on) if movement.status in (
        "planned", "confirmed") else {c.id: [] for c in cases}
    returnees = [ReturneeOut(case_id=c.id, registration_number=people[c.id][0],
                             name=people[c.id][1], site=c.site_code, ready=not checked[c.id],
                             reasons=reason_list(checked[c.id])) for c in cases]
    record_event(session=session, actor=actor, action="movement.read", object_type="movement",
                 object_id=str(movement.id), details={"cases": [str(c.id) for c in cases]})
    ready = sum(r.ready for r in returnees)
    return MovementOut(
        id=movement.id, country=movement.country_code, kind=movement.kind,
        route=movement.route, border_crossing=movement.border_crossing,
        planned_on=movement.planned_on, capacity=movement.capacity, escort=movement.escort,
        status=movement.status, version=movement.version, departed_on=movement.departed_on,
        arrived_on=movement.arrived_on, returnees=returnees, ready=ready,
        not_ready=len(returnees) - ready)


def list_movements(*, session: Session, actor: Principal, country: str | None = None,
                   status: str | None = None) -> list[MovementRow]:
    """Movements, soonest first (no names)."""
    require_coordinator(actor)
    counts = (select(MovementReturnee.movement_id, func.count().label("n"))
              .group_by(col(MovementReturnee.movement_id)).subquery())
    query = (select(Movement, counts.c.n)
             .join(counts, counts.c.movement_id == col(Movement.id), isouter=True))
    if country:
        query = query.where(col(Movement.country_code) == country.upper())
    if status:
        query = query.where(col(Movement.status) == status)
    rows = session.exec(query.order_by(col(Movement.planned_on), col(Movement.id))).all()
    return [MovementRow(id=m.id, country=m.country_code, kind=m.kind, route=m.route,
                        planned_on=m.planned_on, capacity=m.capacity, status=m.status,
                        returnees=int(n or 0)) for m, n in rows]


def candidates(*, session: Session, crypto: FieldCrypto, actor: Principal,
               movement_id: uuid.UUID, limit: int = 200) -> list[CandidateOut]:
    """Open return cases of the movement's country on no movement, ready ones first
    (names: an audited read)."""
    require_coordinator(actor)
    movement = _get(session, movement_id)
    on_one = select(MovementReturnee.case_id).join(Movement).where(
        col(Movement.status).in_(ACTIVE))
    cases = list(session.exec(
        select(Case)
        .where(Case.pathway == "return", Case.status == CaseStatus.open,
               Case.country == movement.country_code, col(Case.id).not_in(on_one))
        .order_by(col(Case.opened_on), col(Case.id))).all())
    cases = [c for c in cases if can_see(actor, c.pathway, c.site_code)]
    checked = readiness.check(session, cases, movement.planned_on)
    cases.sort(key=lambda c: (bool(checked[c.id]), c.opened_on))
    cases = cases[:limit]
    people = _people(session, crypto, cases)
    record_event(session=session, actor=actor, action="movement.candidates",
                 object_type="movement", object_id=str(movement.id),
                 details={"cases": [str(c.id) for c in cases]})
    return [CandidateOut(case_id=c.id, registration_number=people[c.id][0],
                         name=people[c.id][1], site=c.site_code, ready=not checked[c.id],
                         reasons=reason_list(checked[c.id])) for c in cases]


def return_facts(session: Session, case_id: uuid.UUID) -> dict[str, Any]:
    """What a return case's page shows beside its steps: the readiness reasons, the movement
    it is on (if any), whether the person is flagged do-not-re-enter, and other persons'
    return cases recorded with the same travel document number."""
    from reintegration.returns.flags import do_not_reenter

    case = session.get(Case, case_id)
    assert case is not None
    movement = session.exec(select(Movement).join(MovementReturnee).where(
        MovementReturnee.case_id == case_id, col(Movement.status).in_(
            (*ACTIVE, "arrived"))).order_by(col(Movement.planned_on).desc())).first()
    return {"reasons": readiness.check(session, [case])[case.id], "movement": movement,
            "do_not_reenter": bool(do_not_reenter(session, [case.person_id])),
            "same_document": documents.shared_with(session, case), "country": case.country}
