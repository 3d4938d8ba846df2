"""Case work: opening cases, moving their steps, assigning them, notes, suspending and
closing. Each change names the case version it saw, is checked against the pathway definition
(`reintegration.engine`) and is written with its timeline event and audit event in the
caller's transaction.

Registrations open their case through :func:`open_cases_for` (the enrolment service calls it
for each registration, and a bulk import for each batch), in the transaction that inserts them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Uuid, bindparam, exists, func, insert
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from app.core.audit import event_row, record_event, record_events
from app.core.crypto import FieldCrypto
from app.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from app.core.models import ordered_id, utcnow
from app.core.roles import SUPERVISORS
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.registry.models import Person, Registration, WeaponHandover
from app.users.models import User
from app.users.service import principal_for
from reintegration import payments
from reintegration.access import ASSIGNEE_ROLES, can_see, scoped_case
from reintegration.engine import (
    CaseFacts,
    InstalmentsSettled,
    Pathway,
    ReferralOutcome,
    Step,
    StepRecorded,
    StepState,
    WeaponsLinked,
    check_transition,
    clean_data,
    current_step,
    effects,
    missing,
    opening_due,
)
from reintegration.enums import (
    ACTIVE_CASE_STATUSES,
    OPEN_STEP_STATUSES,
    SETTLED_STEP_STATUSES,
    CaseStatus,
    CloseReason,
    EventKind,
    StepStatus,
)
from reintegration.models import Case, CaseEvent, CaseStep, Referral
from reintegration.pathways import CASE_PATHWAY_OF_CATEGORY, definition, latest
from reintegration.schemas import AssignIn, NoteIn, StatusIn, StepIn
from reintegration.timeline import append, check_version, claim

CASE_PATHWAY_OF_PERSON = {"reintegration": "reintegration", "child_protection": "child",
                          "return_to_origin": "return"}
"""The case pathway of a person's pathway (`Person.pathway`)."""


# -- opening ---------------------------------------------------------------------------------


@dataclass
class NewCase:
    """A case to open as the rows to insert: plain column values, not ORM objects (a bulk
    import opens thousands of cases at a time, and building a case's eleven step objects
    cost more than everything else of opening it)."""

    row: dict[str, Any]
    steps: list[dict[str, Any]]
    """The step rows, their ids and the case's as text (:data:`_INSERT_STEP`): a row of
    strings, numbers and dates is a dict the garbage collector does not track, and an
    import's batch makes eleven per case."""


def _new_case(pathway: Pathway, *, person_id: uuid.UUID, site: str, actor: Principal,
              opened_on: date, registration_id: uuid.UUID | None,
              country: str | None = None) -> NewCase:
    due = opening_due(pathway, opened_on)
    now, case_id = utcnow(), ordered_id()
    row = {"id": case_id, "person_id": person_id, "registration_id": registration_id,
           "pathway": pathway.key, "pathway_version": pathway.version,
           "status": CaseStatus.open.value, "site_code": site, "opened_on": opened_on,
           "opened_at": now, "opened_by_id": actor.id, "updated_at": now, "version": 1,
           "country": country if pathway.key == "return" else None,
           "current_step": current_step(pathway, {s.key: s.initial for s in pathway.steps}),
           "next_due_on": min(due.values(), default=None)}
    steps = [{"id": ordered_id().hex, "case_id": case_id.hex, "key": s.key, "position": i,
              "status": s.initial.value, "due_on": due.get(s.key)}
             for i, s in enumerate(pathway.steps)]
    return NewCase(row, steps)


_INSERT_CASE, _INSERT_EVENT = insert(Case), insert(CaseEvent)
_INSERT_STEP = insert(CaseStep).values(id=bindparam("id", type_=Uuid(as_uuid=False)),
                                       case_id=bindparam("case_id", type_=Uuid(as_uuid=False)))
"""Case steps with their ids bound as text (:attr:`NewCase.steps`), stored as UUIDs."""


def _insert(session: Session, actor: Principal, opened: Sequence[NewCase]) -> None:
    """Insert new cases, their steps, their first timeline events and audit events (a plain
    insert per table on the unit of work's connection: none is read back as an object)."""
    if not opened:
        return
    connection = session.connection()
    connection.execute(_INSERT_CASE, [case.row for case in opened])
    connection.execute(_INSERT_STEP, [step for case in opened for step in case.steps])
    connection.execute(_INSERT_EVENT, [{
        "id": ordered_id(), "case_id": case.row["id"], "version": case.row["version"],
        "at": case.row["opened_at"], "happened_on": case.row["opened_on"],
        "kind": EventKind.opened.value, "actor_id": actor.id,
        "actor_username": actor.username,
        "facts": json.dumps({"pathway": case.row["pathway"],
                             "pathway_version": case.row["pathway_version"]},
                            sort_keys=True)} for case in opened])
    record_events(session=session, rows=[event_row(
        actor=actor, action="case.open", object_type="case", object_id=str(case.row["id"]),
        site_code=case.row["site_code"], details={"person": str(case.row["person_id"]),
                                                  "pathway": case.row["pathway"]})
        for case in opened])


def open_case(*, session: Session, actor: Principal, person_id: uuid.UUID, site: str,
              pathway: str | None = None, registration_id: uuid.UUID | None = None,
              opened_on: date | None = None) -> Case:
    """Open a case for a person on a pathway (default: the person's own), on its latest
    version, with every step in its initial status and due dates counted from `opened_on`."""
    person = session.get(Person, person_id)
    if person is None or person.status != "active":
        raise NotFound("person not found")
    key = pathway or CASE_PATHWAY_OF_PERSON.get(person.pathway, person.pathway)
    registration = session.get(Registration, registration_id) if registration_id else None
    new = _new_case(latest(key), person_id=person.id, site=site, actor=actor,
                    opened_on=opened_on or date.today(), registration_id=registration_id,
                    country=registration.nationality if registration else None)
    _insert(session, actor, [new])
    case = session.get(Case, new.row["id"])
    assert case is not None
    return case


def pathway_for(*, category: str, is_child: bool) -> str | None:
    """The pathway a registration opens a case on (None: none yet, e.g. a foreign fighter
    until the return pathway exists). A child is on the child pathway whatever else holds."""
    if is_child:
        return "child"
    return CASE_PATHWAY_OF_CATEGORY.get(category)


_OPENING = (select_columns(col(Registration.id), col(Registration.person_id),
                           col(Registration.site_code), col(Registration.registered_on),
                           col(Registration.category), col(Registration.is_child),
                           col(Person.is_child), col(Registration.nationality))
            .join(Person, col(Person.id) == col(Registration.person_id))
            .where(col(Registration.id).in_(bindparam("ids", expanding=True))))
_CASES_OF = select_columns(col(Case.person_id), col(Case.pathway)).where(
    col(Case.person_id).in_(bindparam("persons", expanding=True)))
"""The statements of :func:`open_cases_for` (built once: every registration runs them)."""


def open_cases_for(*, session: Session, actor: Principal,
                   registration_ids: Sequence[uuid.UUID],
                   new_persons: Collection[uuid.UUID] = ()) -> list[uuid.UUID]:
    """Open the case each new registration's person needs (reintegration for Libyan
    combatants and associated civilians, child protection for children), unless the person
    already has a case on that pathway (a second registration of the same person, a re-run;
    `new_persons`, persons the caller created in this transaction, have none, and their cases
    are not looked up). Due dates count from the registration day. Call it in the
    transaction that inserted the registrations (the enrolment service for one, a bulk import
    for a batch); it returns the ids of the cases opened."""
    if not registration_ids:
        return []
    found = session.execute(_OPENING, {"ids": list(registration_ids)}).all()
    order = {registration_id: i for i, registration_id in enumerate(registration_ids)}
    wanted = [(row, key) for row in sorted(found, key=lambda r: order[r[0]])
              if (key := pathway_for(category=row[4], is_child=row[5] or row[6])) is not None]
    if not wanted:
        return []
    persons = sorted({row[1] for row, _key in wanted if row[1] not in new_persons}, key=str)
    have = ({(person, key) for person, key in session.execute(_CASES_OF, {"persons": persons})}
            if persons else set())
    opened = []
    for (registration_id, person_id, site, registered_on, *_flags, country), key in wanted:
        if (person_id, key) in have:
            continue
        have.add((person_id, key))
        opened.append(_new_case(latest(key), person_id=person_id, site=site, actor=actor,
                                opened_on=registered_on, registration_id=registration_id,
                                country=country))
    _insert(session, actor, opened)
    return [case.row["id"] for case in opened]


def backfill(*, session: Session, actor: Principal) -> tuple[int, int]:
    """Give cases opened before the workflow existed their steps, and open the cases missing
    for active persons; returns (cases given steps, cases opened). Safe to re-run."""
    bare = session.exec(select(Case).where(
        ~exists().where(col(CaseStep.case_id) == col(Case.id)),
        col(Case.status).in_(sorted(ACTIVE_CASE_STATUSES)))).all()
    with_events = set(session.exec(select(CaseEvent.case_id).where(
        col(CaseEvent.case_id).in_([c.id for c in bare]))).all()) if bare else set()
    filled = 0
    for case in bare:
        try:
            pathway = latest(case.pathway)
        except NotFound:
            continue  # a pathway not defined yet (return): its issue gives it steps
        fresh = _new_case(pathway, person_id=case.person_id, site=case.site_code,
                          actor=actor, opened_on=case.opened_on,
                          registration_id=case.registration_id)
        case.pathway_version = pathway.version
        case.current_step, case.next_due_on = (fresh.row["current_step"],
                                               fresh.row["next_due_on"])
        session.add(case)
        session.add_all([CaseStep(**{**step, "id": uuid.UUID(step["id"]), "case_id": case.id})
                         for step in fresh.steps])
        if case.id not in with_events:  # opened before there was a timeline
            append(session=session, crypto=None, actor=actor, case=case, kind=EventKind.opened,
                   on=case.opened_on, facts={"pathway": case.pathway,
                                             "pathway_version": pathway.version,
                                             "backfill": True})
        filled += 1
    caseless = session.exec(
        select(Registration.id).join(Person, col(Person.id) == col(Registration.person_id))
        .where(col(Person.status) == "active",
               ~exists().where(col(Case.person_id) == col(Person.id)))
        .order_by(col(Registration.created_at))).all()
    opened = open_cases_for(session=session, actor=actor, registration_ids=list(caseless))
    session.flush()
    return filled, len(opened)


# -- moving a step ---------------------------------------------------------------------------


def steps_of(session: Session, case_id: uuid.UUID) -> dict[str, CaseStep]:
    """A case's steps by key, in pathway order."""
    rows = session.exec(select(CaseStep).where(CaseStep.case_id == case_id)
                        .order_by(col(CaseStep.position))).all()
    return {row.key: row for row in rows}


def sealed_values(crypto: FieldCrypto, row: CaseStep) -> dict[str, str]:
    """A step's encrypted values, decrypted."""
    if row.sealed is None:
        return {}
    values: dict[str, str] = json.loads(unseal(crypto, row)["sealed"] or "{}")
    return values


def _facts(session: Session, case: Case, step: Step, rows: Mapping[str, CaseStep],
           filled: set[str]) -> CaseFacts:
    """What the moving step's requirements are checked against (queries only those its
    requirements need)."""
    facts = CaseFacts(steps={k: StepState(r.status, settled_on=r.settled_on)
                             for k, r in rows.items()})
    facts.steps[step.key].filled = filled
    kinds = {type(r) for r in step.requirements}
    if WeaponsLinked in kinds:
        facts.weapons = int(session.exec(
            select(func.count()).select_from(WeaponHandover)
            .join(Registration, col(Registration.id) == col(WeaponHandover.registration_id))
            .where(Registration.person_id == case.person_id)).one())
    if InstalmentsSettled in kinds:
        facts.instalments_planned, facts.instalments_waiting = payments.instalment_counts(
            session, case.id)
    if ReferralOutcome in kinds:
        facts.referrals = [(k, s) for k, s in session.exec(
            select(Referral.step_key, Referral.status).where(Referral.case_id == case.id))]
    return facts


def _day(on: date | None, case: Case) -> date:
    day = on or date.today()
    if day > date.today():
        raise ValidationFailed([FieldError("on", "is in the future")])
    if day < case.opened_on:
        raise ValidationFailed([FieldError("on", "is before the case was opened")])
    return day


def _next_due(statuses: Mapping[str, str], dues: Mapping[str, date | None]) -> date | None:
    return min((d for k, d in dues.items() if d is not None and statuses[k] in
                OPEN_STEP_STATUSES), default=None)


def _set_status(row: CaseStep, to: StepStatus, on: date, actor: Principal) -> None:
    if to == StepStatus.in_progress:
        row.attempts += 1
    if to in (StepStatus.in_progress, StepStatus.done):
        row.started_on = row.started_on or on
    row.settled_on = on if to in SETTLED_STEP_STATUSES else None
    row.status = to
    row.changed_at, row.changed_by_id = utcnow(), actor.id


def transition(*, session: Session, crypto: FieldCrypto, actor: Principal,
               case_id: uuid.UUID, step_key: str, body: StepIn) -> Case:
    """Move one step of a case (checked against its pathway's table, roles, authorisation and
    requirements), record what it carries, apply its branches and due dates."""
    case = scoped_case(session, actor, case_id)
    pathway = definition(case.pathway, case.pathway_version)
    step = pathway.step(step_key)
    if step is None:
        raise NotFound("step not found")
    check_version(session, case, body.version)
    if case.status != CaseStatus.open:
        raise ValidationFailed([FieldError("status", "the case is not open: resume or reopen "
                                                     "it first")])
    rows = steps_of(session, case.id)
    row = rows[step.key]
    check_transition(pathway, step, row.status, body.status, role=actor.role,
                     authorisations=actor.authorisations)
    to = StepStatus(body.status)
    clear, sealed = clean_data(step, body.data)
    on = _day(body.on, case)
    stored = sealed_values(crypto, row)
    values = {**json.loads(row.facts), **clear}
    facts = _facts(session, case, step, rows, {*values, *stored, *sealed})
    problems = missing(step, to, facts, ())
    if problems:
        raise ValidationFailed(problems, detail="prerequisite missing: "
                                                + ", ".join(p.field for p in problems))
    taken = effects(pathway, step, to, values, facts, on)
    statuses: dict[str, str] = {k: r.status for k, r in rows.items()}
    statuses.update({step.key: to, **taken.statuses})
    dues = {k: r.due_on for k, r in rows.items()} | taken.due
    changes: dict[str, Any] = {"current_step": current_step(pathway, statuses),
                               "next_due_on": _next_due(statuses, dues)}
    if taken.close:
        changes.update(status=CaseStatus.closed, close_reason=taken.close, closed_at=utcnow())
    claim(session, case, body.version, **changes)

    before = row.status
    _set_status(row, to, on, actor)
    row.facts = json.dumps(values, sort_keys=True)
    outcome = next((f.name for f in step.fields if f.outcome), None)
    row.outcome = values.get(outcome) if outcome else None
    if sealed:
        seal(crypto, row, {"sealed": json.dumps({**stored, **sealed}, ensure_ascii=False)})
    if pathway.recorded is not None:
        pathway.recorded(StepRecorded(session=session, crypto=crypto, actor=actor, case=case,
                                      step=step.key, status=to, values=values,
                                      sealed={**stored, **sealed}))
    for key, status in taken.statuses.items():
        _set_status(rows[key], status, on, actor)
    for key, due in taken.due.items():
        rows[key].due_on = due
    session.add_all(rows.values())
    planned = (payments.plan_default(session=session, case=case, plan=step.instalments, on=on)
               if to == StepStatus.in_progress and step.instalments else [])
    append(session=session, crypto=crypto, actor=actor, case=case, kind=EventKind.step, on=on,
           step=step.key, before=before, after=to,
           facts={"values": clear, "attempt": row.attempts,
                  "effects": {k: str(s) for k, s in taken.statuses.items()},
                  "due": {k: d.isoformat() for k, d in taken.due.items()},
                  "planned_instalments": planned,
                  "closed": str(taken.close) if taken.close else None},
           sealed={"note": body.note, "values": sealed})
    session.flush()
    return case


# -- assignment, notes, status ---------------------------------------------------------------


def assign(*, session: Session, crypto: FieldCrypto, actor: Principal, case_id: uuid.UUID,
           body: AssignIn) -> Case:
    """Give a case to a case manager (supervisors: anyone who can work it; case managers:
    themselves) or to nobody."""
    case = scoped_case(session, actor, case_id)
    check_version(session, case, body.version)
    supervisor = actor.role in SUPERVISORS
    if not supervisor and body.assigned_to not in (actor.id, None):
        raise Forbidden("only a supervisor gives a case to someone else")
    if not supervisor and body.assigned_to is None and case.assigned_to_id != actor.id:
        raise Forbidden("only a supervisor takes a case from someone else")
    if not supervisor and body.assigned_to == actor.id and case.assigned_to_id not in (
            None, actor.id):
        raise Forbidden("this case is someone else's: a supervisor reassigns it")
    before = _username(session, case.assigned_to_id)
    after = None
    if body.assigned_to is not None:
        user = session.get(User, body.assigned_to)
        if (user is None or not user.active or user.role not in ASSIGNEE_ROLES
                or not can_see(principal_for(session=session, user=user), case.pathway,
                               case.site_code)):
            raise ValidationFailed([FieldError("assigned_to", "not a case manager who can "
                                                              "work this case")])
        after = user.username
    claim(session, case, body.version, assigned_to_id=body.assigned_to)
    append(session=session, crypto=crypto, actor=actor, case=case, kind=EventKind.assigned,
           facts={"from": before, "to": after})
    session.flush()
    return case


def _username(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.exec(select(User.username).where(User.id == user_id)).first()


def add_note(*, session: Session, crypto: FieldCrypto, actor: Principal, case_id: uuid.UUID,
             body: NoteIn) -> Case:
    """Add a note to the case timeline (encrypted)."""
    case = scoped_case(session, actor, case_id)
    check_version(session, case, body.version)
    claim(session, case, body.version)
    append(session=session, crypto=crypto, actor=actor, case=case, kind=EventKind.note,
           sealed={"note": body.text})
    session.flush()
    return case


def set_status(*, session: Session, crypto: FieldCrypto, actor: Principal,
               case_id: uuid.UUID, body: StatusIn) -> Case:
    """Suspend or resume a case, close it with a reason (closing as completed needs every
    step settled) or reopen it (supervisors)."""
    case = scoped_case(session, actor, case_id)
    check_version(session, case, body.version)
    pathway = definition(case.pathway, case.pathway_version)
    before, to = case.status, CaseStatus(body.status)
    allowed = {CaseStatus.open: {CaseStatus.suspended, CaseStatus.closed},
               CaseStatus.suspended: {CaseStatus.open, CaseStatus.closed},
               CaseStatus.closed: {CaseStatus.open}}[CaseStatus(before)]
    if to not in allowed:
        raise ValidationFailed([FieldError("status", f"a case cannot go from {before} to "
                                                     f"{to}")])
    changes: dict[str, Any] = {"status": to, "close_reason": None, "closed_at": None}
    if to == CaseStatus.closed:
        if body.reason is None or body.reason not in pathway.close_reasons:
            raise ValidationFailed([FieldError("reason", "choose why the case closes")])
        if body.reason == CloseReason.completed:
            waiting = [k for k, r in steps_of(session, case.id).items()
                       if r.status not in SETTLED_STEP_STATUSES]
            if waiting:
                raise ValidationFailed([FieldError(f"step.{k}", "not settled yet")
                                        for k in waiting],
                                       detail="prerequisite missing: steps not settled")
        changes.update(close_reason=body.reason, closed_at=utcnow())
    if before == CaseStatus.closed and actor.role not in SUPERVISORS:
        raise Forbidden("only a supervisor reopens a closed case")
    claim(session, case, body.version, **changes)
    append(session=session, crypto=crypto, actor=actor, case=case, kind=EventKind.status,
           before=before, after=to,
           facts={"reason": str(body.reason) if to == CaseStatus.closed else None},
           sealed={"note": body.note})
    session.flush()
    return case


# -- what other domains ask ------------------------------------------------------------------


def cases_under_way(session: Session, person_id: uuid.UUID) -> int:
    """How many active cases of a person have work recorded (a step moved, a referral): a
    merge of two persons who both have some waits for a supervisor. A case just opened by a
    registration does not count."""
    worked = (exists().where(col(CaseStep.case_id) == col(Case.id),
                             col(CaseStep.changed_at).is_not(None))
              | exists().where(col(Referral.case_id) == col(Case.id)))
    return int(session.exec(select(func.count()).select_from(Case).where(
        Case.person_id == person_id, col(Case.status).in_(sorted(ACTIVE_CASE_STATUSES)),
        worked)).one())


def person_cases(*, session: Session, actor: Principal,
                 person_id: uuid.UUID) -> list[dict[str, Any]]:
    """The cases of a person the caller may know of: `[{id, pathway, status}]`."""
    rows = session.exec(select(Case).where(Case.person_id == person_id)
                        .order_by(col(Case.opened_at))).all()
    return [{"id": c.id, "pathway": c.pathway, "status": c.status} for c in rows
            if can_see(actor, c.pathway, c.site_code)]


def record_read(*, session: Session, actor: Principal, case: Case) -> None:
    """Audit a read of a case (it names the person and carries their notes)."""
    record_event(session=session, actor=actor, action="case.read", object_type="case",
                 object_id=str(case.id), site_code=case.site_code,
                 details={"person": str(case.person_id)})
