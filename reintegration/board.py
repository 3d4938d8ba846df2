"""The case manager's board, case lists and the supervisor's workload view.

Everything is counted and ordered in the database on indexed columns (case status, assignee,
site, next due date; step status and due date) and only a page of rows is read, so the board
costs the same with ten or ten thousand open cases. Names on a page are decrypted for that
page only, and the read is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Forbidden
from app.core.roles import SUPERVISORS, Role
from app.core.security import Principal
from app.registry.models import Registration
from app.users.models import User, UserSite
from app.users.service import principal_for
from reintegration.access import ASSIGNEE_ROLES, can_see, require_case_worker, visible_clause
from reintegration.enums import OPEN_STEP_STATUSES, CaseStatus
from reintegration.models import Case, CaseStep
from reintegration.schemas import (
    BoardFilters,
    BoardOut,
    CaseOut,
    CaseRow,
    Count,
    StepCount,
    StepRow,
    UserRef,
    WorkloadOut,
    WorkloadRow,
)
from reintegration.views import full_name

OPEN_STEPS = sorted(OPEN_STEP_STATUSES)


def _filters(actor: Principal, site: str | None, pathway: str | None) -> ColumnElement[bool]:
    clauses = [visible_clause(actor)]
    if site:
        clauses.append(col(Case.site_code) == site.upper())
    if pathway:
        clauses.append(col(Case.pathway) == pathway)
    return and_(*clauses)


def _rows(session: Session, crypto: FieldCrypto, cases: Sequence[Case]) -> dict[uuid.UUID,
                                                                                CaseRow]:
    """List rows of cases: their registration number and name (decrypted), assignee."""
    registrations = {r.id: r for r in session.exec(select(Registration).where(
        col(Registration.id).in_({c.registration_id for c in cases if c.registration_id})))}
    usernames = dict(session.exec(select(User.id, User.username).where(
        col(User.id).in_({c.assigned_to_id for c in cases if c.assigned_to_id}))).all())
    rows = {}
    for case in cases:
        registration = registrations.get(case.registration_id) if case.registration_id else None
        rows[case.id] = CaseRow(
            id=case.id, person_id=case.person_id,
            registration_number=registration.registration_number if registration else None,
            name=full_name(crypto, registration), pathway=case.pathway, status=case.status,
            site=case.site_code, current_step=case.current_step, next_due_on=case.next_due_on,
            assigned_to=usernames.get(case.assigned_to_id) if case.assigned_to_id else None,
            version=case.version)
    return rows


def _count(session: Session, where: ColumnElement[bool]) -> int:
    """How many cases `where` selects."""
    return int(session.exec(select(func.count()).select_from(Case).where(where)).one())


def _due(session: Session, where: ColumnElement[bool],
         limit: int) -> tuple[list[tuple[tuple[str, str], Case]], int]:
    """Cases whose next due date `where` selects (soonest first), each with the step that
    falls due then, and how many there are: ordered and counted on the case's own next due
    date (indexed), so the cost does not grow with the steps done over the years."""
    total = _count(session, where)
    cases = session.exec(select(Case).where(where)
                         .order_by(col(Case.next_due_on), col(Case.opened_on), col(Case.id))
                         .limit(limit)).all()
    due_on = {c.id: c.next_due_on for c in cases}
    steps: dict[uuid.UUID, tuple[str, str]] = {}
    # the steps of these cases only (filtered here: a status condition would draw the
    # planner to the index of every open step)
    rows = session.exec(select(col(CaseStep.case_id), col(CaseStep.key),
                               col(CaseStep.status), col(CaseStep.due_on))
                        .where(col(CaseStep.case_id).in_(list(due_on)))
                        .order_by(col(CaseStep.position))).all() if cases else []
    for case_id, key, status, day in rows:
        if day == due_on[case_id] and status in OPEN_STEPS:
            steps.setdefault(case_id, (key, status))
    return [(steps[c.id], c) for c in cases if c.id in steps], total


def board(*, session: Session, crypto: FieldCrypto, actor: Principal,
          filters: BoardFilters) -> BoardOut:
    """A case manager's board: their open cases (soonest due first), unassigned cases of
    their sites, cases overdue (most overdue first) and due this week, each with its most
    urgent step, cases by status and open cases by step. `scope` "mine" counts the cases
    assigned to the caller (a case manager's default), "sites" every case the caller may
    see."""
    require_case_worker(actor)
    today = date.today()
    scope = filters.scope or ("mine" if actor.role == Role.case_manager else "sites")
    where = _filters(actor, filters.site, filters.pathway)
    mine = col(Case.assigned_to_id) == actor.id
    scoped = and_(where, mine) if scope == "mine" else where
    is_open = col(Case.status) == CaseStatus.open

    my_where = and_(where, mine, col(Case.status) != CaseStatus.closed)
    my_cases = session.exec(select(Case).where(my_where)
                            .order_by(col(Case.next_due_on).asc().nulls_last(),
                                      col(Case.opened_on))
                            .limit(filters.limit)).all()
    free_where = and_(where, is_open, col(Case.assigned_to_id).is_(None))
    unassigned = session.exec(select(Case).where(free_where)
                              .order_by(col(Case.next_due_on).asc().nulls_last(),
                                        col(Case.opened_on))
                              .limit(filters.limit)).all()
    week = and_(scoped, is_open, col(Case.next_due_on) >= today,
                col(Case.next_due_on) <= today + timedelta(days=6))
    due, due_total = _due(session, week, filters.limit)
    overdue, overdue_total = _due(session, and_(scoped, is_open, col(Case.next_due_on) < today),
                                  filters.limit)
    by_status = session.exec(select(Case.status, func.count()).where(scoped)
                             .group_by(col(Case.status)).order_by(col(Case.status))).all()
    by_step = session.exec(select(Case.pathway, Case.current_step, func.count())
                           .where(scoped, is_open)
                           .group_by(col(Case.pathway), col(Case.current_step))
                           .order_by(col(Case.pathway), col(Case.current_step))).all()

    shown = {c.id: c for c in [*my_cases, *unassigned, *(c for _s, c in due),
                               *(c for _s, c in overdue)]}
    rows = _rows(session, crypto, list(shown.values()))
    record_event(session=session, actor=actor, action="case.board", object_type="case",
                 details={"scope": scope, "shown": sorted(str(i) for i in shown)})

    def step_row(step: tuple[str, str], case: Case) -> StepRow:
        assert case.next_due_on is not None
        return StepRow(case=rows[case.id], step=step[0], status=step[1],
                       due_on=case.next_due_on,
                       days_overdue=max((today - case.next_due_on).days, 0))

    return BoardOut(
        today=today, scope=scope,
        my_cases=[rows[c.id] for c in my_cases], my_cases_total=_count(session, my_where),
        unassigned=[rows[c.id] for c in unassigned],
        unassigned_total=_count(session, free_where),
        due_this_week=[step_row(s, c) for s, c in due], due_this_week_total=due_total,
        overdue=[step_row(s, c) for s, c in overdue], overdue_total=overdue_total,
        by_status=[Count(key=str(status), count=int(n)) for status, n in by_status],
        by_step=[StepCount(pathway=p, step=s, count=int(n)) for p, s, n in by_step])


def case_list(*, session: Session, crypto: FieldCrypto, actor: Principal,
              assigned_to: int | Literal["none"] | None = None, site: str | None = None,
              pathway: str | None = None, status: str | None = CaseStatus.open,
              due: Literal["overdue", "week"] | None = None, page: int = 1,
              page_size: int = 50) -> tuple[int, list[CaseRow]]:
    """A page of the cases the caller may see (soonest due first), with the total; `due`:
    only cases with a step overdue, or with their next step due this week."""
    require_case_worker(actor)
    today = date.today()
    clauses = [_filters(actor, site, pathway)]
    if due == "overdue":
        clauses.append(col(Case.next_due_on) < today)
    elif due == "week":
        clauses += [col(Case.next_due_on) >= today,
                    col(Case.next_due_on) <= today + timedelta(days=6)]
    if assigned_to == "none":
        clauses.append(col(Case.assigned_to_id).is_(None))
    elif assigned_to is not None:
        clauses.append(col(Case.assigned_to_id) == assigned_to)
    if status:
        clauses.append(col(Case.status) == status)
    where = and_(*clauses)
    total = _count(session, where)
    cases = session.exec(select(Case).where(where)
                         .order_by(col(Case.next_due_on).asc().nulls_last(),
                                   col(Case.opened_on), col(Case.id))
                         .offset((page - 1) * page_size).limit(page_size)).all()
    rows = _rows(session, crypto, cases)
    record_event(session=session, actor=actor, action="case.list", object_type="case",
                 details={"shown": [str(c.id) for c in cases]})
    return total, [rows[c.id] for c in cases]


def workload(*, session: Session, actor: Principal, site: str | None = None) -> WorkloadOut:
    """Open cases, cases overdue and cases due this week per case manager, for the cases the
    supervisor may see (optionally one site), and how many open cases nobody has."""
    if actor.role not in SUPERVISORS:
        raise Forbidden("only supervisors see workloads")
    today = date.today()
    where = and_(_filters(actor, site, None), col(Case.status) == CaseStatus.open)
    open_cases = dict(session.exec(select(Case.assigned_to_id, func.count()).where(where)
                                   .group_by(col(Case.assigned_to_id))).all())

    def by_user(clause: ColumnElement[bool]) -> dict[int | None, int]:
        return {k: int(n) for k, n in session.exec(
            select(Case.assigned_to_id, func.count()).where(where, clause)
            .group_by(col(Case.assigned_to_id))).all()}

    overdue = by_user(col(Case.next_due_on) < today)
    due = by_user(and_(col(Case.next_due_on) >= today,
                       col(Case.next_due_on) <= today + timedelta(days=6)))
    people = session.exec(select(User).where(col(User.role).in_(sorted(ASSIGNEE_ROLES)),
                                             col(User.active))
                          .order_by(col(User.username))).all()
    sites: dict[int, list[str]] = {}
    for user_id, code in session.exec(select(UserSite.user_id, UserSite.site_code)).all():
        sites.setdefault(user_id, []).append(code)
    rows = []
    for user in people:
        assert user.id is not None
        theirs = sorted(sites.get(user.id, []))
        shares = user.all_sites or actor.all_sites or bool(set(theirs) & actor.sites)
        if site and not (user.all_sites or site.upper() in theirs):
            shares = False
        if not (shares or open_cases.get(user.id)):
            continue
        rows.append(WorkloadRow(user=UserRef(id=user.id, username=user.username),
                                role=user.role, sites=theirs if not user.all_sites else ["*"],
                                open_cases=int(open_cases.get(user.id, 0)),
                                overdue=overdue.get(user.id, 0),
                                due_this_week=due.get(user.id, 0)))
    return WorkloadOut(rows=rows, unassigned=int(open_cases.get(None, 0)))



def assignees(*, session: Session, actor: Principal,
              case: CaseOut | None = None) -> list[UserRef]:
    """Who a supervisor can give cases to: active case managers and supervisors sharing a
    site with the supervisor (with `case`: those who can work that case)."""
    people = session.exec(select(User).where(col(User.role).in_(sorted(ASSIGNEE_ROLES)),
                                             col(User.active))
                          .order_by(col(User.username))).all()
    found = []
    for user in people:
        assert user.id is not None
        candidate = principal_for(session=session, user=user)
        if case is not None:
            fits = can_see(candidate, case.pathway, case.site)
        else:
            fits = (actor.all_sites or candidate.all_sites
                    or bool(candidate.sites & actor.sites))
        if fits:
            found.append(UserRef(id=user.id, username=user.username))
    return found
