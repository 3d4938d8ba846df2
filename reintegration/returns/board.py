"""The per-country board of returns: how many returnees are registered, verified,
consenting, documented, ready, departed and handed over, and how many took the non-return
branch; median days per stage; who is stuck longest at each stage, and why.

The counts are one grouped query over the clear columns of the case steps (status and
outcome codes), so statistics can use them too (:func:`counts_by_country`). Names are
decrypted only for the few people the stuck list shows, and that read is audited.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, true
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.security import Principal
from app.registry.models import Registration
from reintegration.access import require_case_worker, visible_clause
from reintegration.enums import CaseStatus, CloseReason, StepStatus
from reintegration.models import Case, CaseStep
from reintegration.returns import readiness
from reintegration.returns.movements import reason_list
from reintegration.returns.schemas import (
    BoardDetailsOut,
    BoardOut,
    CountryCounts,
    StageMedian,
    StuckCase,
)
from reintegration.views import full_name

STAGES = ("registered", "verified", "consenting", "documented", "ready", "departed",
          "handed_over", "non_return")
"""The board's columns, in order (contract 7)."""
STAGE_FROM = {"nationality_verified": None, "consent": "nationality_verified",
              "travel_document": "consent", "medical_clearance": "consent",
              "departed": "consent", "handover": "departed"}
"""The stages whose duration the board gives, each from the stage before it (None: from the
case's opening)."""
STUCK_PER_STAGE = 5


def _flag(key: str, *conditions: ColumnElement[bool]) -> Any:
    """1 when the case's step `key` is done (and meets `conditions`), per case."""
    return func.max(case((and_(col(CaseStep.key) == key,
                               col(CaseStep.status) == StepStatus.done, *conditions),
                          literal(1)), else_=literal(0)))


def counts_by_country(session: Session, where: ColumnElement[bool] | None = None
                      ) -> dict[str, dict[str, int]]:
    """Return cases per country by stage (plain ints; every case, or those `where`
    selects): the figures of the board, for the committee statistics as well."""
    wanted = ("nationality_verified", "consent", "travel_document", "medical_clearance",
              "departed", "handover")
    per_case = (
        select_columns(
            col(Registration.nationality).label("country"),
            _flag("nationality_verified", col(CaseStep.outcome) == "confirmed").label("v"),
            _flag("consent", col(CaseStep.outcome) == "consents").label("c"),
            _flag("consent", col(CaseStep.outcome) == "declines").label("n"),
            _flag("travel_document").label("d"),
            _flag("medical_clearance",
                  col(CaseStep.outcome).in_(readiness.FIT)).label("m"),
            _flag("departed").label("g"),
            _flag("handover").label("h"))
        .select_from(Case)
        .join(Registration, col(Registration.id) == col(Case.registration_id))
        .join(CaseStep, and_(col(CaseStep.case_id) == col(Case.id),
                             col(CaseStep.key).in_(wanted)))
        .where(col(Case.pathway) == "return",
               func.coalesce(col(Case.close_reason), "") != CloseReason.duplicate,
               where if where is not None else true())
        .group_by(col(Case.id), col(Registration.nationality))
        .subquery())
    ready = case((and_(per_case.c.v == 1, per_case.c.c == 1, per_case.c.d == 1,
                       per_case.c.m == 1, per_case.c.g == 0), literal(1)), else_=literal(0))
    rows = session.execute(
        select_columns(per_case.c.country, func.count(), func.sum(per_case.c.v),
                       func.sum(per_case.c.c), func.sum(per_case.c.d), func.sum(ready),
                       func.sum(per_case.c.g), func.sum(per_case.c.h), func.sum(per_case.c.n))
        .group_by(per_case.c.country).order_by(per_case.c.country)).all()
    return {country: dict(zip(STAGES, (int(n or 0) for n in figures), strict=True))
            for country, *figures in rows}


def board(*, session: Session, actor: Principal) -> BoardOut:
    """The per-country counts of the return cases the caller may see (contract 7)."""
    require_case_worker(actor)
    counts = counts_by_country(session, visible_clause(actor))
    return BoardOut(countries=[CountryCounts(country=country, **figures)
                               for country, figures in counts.items()])


def _medians(session: Session, where: ColumnElement[bool]) -> list[StageMedian]:
    rows = session.execute(
        select_columns(col(Registration.nationality), col(Case.id), col(Case.opened_on),
                       col(CaseStep.key), col(CaseStep.settled_on))
        .select_from(Case)
        .join(Registration, col(Registration.id) == col(Case.registration_id))
        .join(CaseStep, col(CaseStep.case_id) == col(Case.id))
        .where(col(Case.pathway) == "return", where,
               col(CaseStep.key).in_(list(STAGE_FROM)),
               col(CaseStep.status) == StepStatus.done)).all()
    settled: dict[uuid.UUID, dict[str, date]] = defaultdict(dict)
    meta: dict[uuid.UUID, tuple[str, date]] = {}
    for country, case_id, opened_on, key, settled_on in rows:
        settled[case_id][key] = settled_on
        meta[case_id] = (country, opened_on)
    days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for case_id, steps in settled.items():
        country, opened_on = meta[case_id]
        for key, on in steps.items():
            before = STAGE_FROM[key]
            start = opened_on if before is None else steps.get(before)
            if start is not None and on is not None:
                days[(country, key)].append((on - start).days)
    return [StageMedian(country=country, stage=key, median_days=float(median(values)),
                        cases=len(values))
            for (country, key), values in sorted(days.items())]


def _stuck(session: Session, crypto: FieldCrypto, where: ColumnElement[bool],
           today: date) -> list[StuckCase]:
    since = func.coalesce(func.max(col(CaseStep.settled_on)), col(Case.opened_on))
    rows = session.execute(
        select_columns(col(Case.id), col(Case.current_step), since,
                       col(Registration.nationality))
        .select_from(Case)
        .join(Registration, col(Registration.id) == col(Case.registration_id))
        .join(CaseStep, col(CaseStep.case_id) == col(Case.id))
        .where(col(Case.pathway) == "return", col(Case.status) == CaseStatus.open,
               col(Case.current_step).is_not(None), where)
        .group_by(col(Case.id), col(Case.current_step), col(Case.opened_on),
                  col(Registration.nationality))).all()
    by_stage: dict[str, list[tuple[date, uuid.UUID, str]]] = defaultdict(list)
    for case_id, stage, waited_from, country in rows:
        by_stage[stage].append((waited_from, case_id, country))
    chosen = {case_id: (stage, waited_from, country)
              for stage, waiting in by_stage.items()
              for waited_from, case_id, country in sorted(waiting)[:STUCK_PER_STAGE]}
    if not chosen:
        return []
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(chosen)))}
    registrations = {r.id: r for r in session.exec(select(Registration).where(
        col(Registration.id).in_([c.registration_id for c in cases.values()])))}
    current = {(r.case_id, r.key): r for r in session.exec(select(CaseStep).where(
        col(CaseStep.case_id).in_(chosen)))}
    checked = readiness.check(session, cases.values())
    found = []
    for case_id, (stage, waited_from, country) in chosen.items():
        row = current[(case_id, stage)]
        registration = registrations.get(cases[case_id].registration_id)  # type: ignore[arg-type]
        found.append(StuckCase(
            case_id=case_id, country=country, stage=stage,
            registration_number=registration.registration_number if registration else None,
            name=full_name(crypto, registration), site=cases[case_id].site_code,
            days=(today - waited_from).days, status=row.status, attempts=row.attempts,
            last_outcome=row.outcome, reasons=reason_list(checked[case_id])))
    found.sort(key=lambda s: (s.stage, -s.days))
    return found


def details(*, session: Session, crypto: FieldCrypto, actor: Principal) -> BoardDetailsOut:
    """Median days per stage and country, and who is stuck longest at each stage and why
    (their names: an audited read)."""
    require_case_worker(actor)
    where = visible_clause(actor)
    stuck = _stuck(session, crypto, where, date.today())
    record_event(session=session, actor=actor, action="returns.board.read",
                 object_type="case", details={"shown": sorted(str(s.case_id) for s in stuck)})
    return BoardDetailsOut(medians=_medians(session, where), stuck=stuck)
