"""The per-country board of returns: how many returnees are registered, verified,
consenting, documented, ready, departed and handed over, and how many took the non-return
branch; median days per stage; who is stuck longest at each stage, and why.

The counts are one grouped query over the clear columns of the case steps (status and
outcome codes), so statistics can use them too (:func:`counts_by_country`). Names are
decrypted only for the few people the stuck list shows, and that read is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, true, union_all
from sqlalchemy import select as select_columns
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.security import Principal
from app.registry.models import Registration
from reintegration.access import require_case_worker, visible_clause
from reintegration.enums import CaseStatus, CloseReason, StepStatus
from reintegration.models import Case, CaseStep
from reintegration.pathways import all_pathways
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
_STEP_KEYS = sorted({s.key for p in all_pathways() if p.key == "return" for s in p.steps})
"""Every stage a return case can wait at (the steps of every version of the pathway)."""


def _flag(key: str, *conditions: ColumnElement[bool]) -> Any:
    """1 when one of the case's done steps is `key` (and meets `conditions`), per case."""
    return func.max(case((and_(col(CaseStep.key) == key, *conditions), literal(1)),
                         else_=literal(0)))


def counts_by_country(session: Session, where: ColumnElement[bool] | None = None
                      ) -> dict[str, dict[str, int]]:
    """Return cases per country by stage (plain ints; every case, or those `where`
    selects): the figures of the board, for the committee statistics as well.

    Two grouped queries reading index entries only: the cases per country; and the *done*
    rows of the steps counted (by stage: `ix_case_step_stage`), folded per case and then
    per country (the case's country by id: `ix_reintegration_case_country`). Cases with no
    step done are counted by the first alone."""
    cases = and_(col(Case.pathway) == "return",
                 func.coalesce(col(Case.close_reason), "") != CloseReason.duplicate,
                 where if where is not None else true())
    found: dict[str, dict[str, int]] = {}
    for country, n in session.execute(
            select_columns(col(Case.country), func.count()).where(cases)
            .group_by(col(Case.country))):
        found[country or ""] = dict.fromkeys(STAGES, 0) | {"registered": int(n)}
    outcome = col(CaseStep.outcome)
    per_case = (
        select_columns(
            col(CaseStep.case_id).label("case_id"),
            _flag("nationality_verified", outcome == "confirmed").label("v"),
            _flag("consent", outcome == "consents").label("c"),
            _flag("travel_document").label("d"),
            _flag("medical_clearance", outcome.in_(readiness.FIT)).label("m"),
            _flag("departed").label("g"),
            _flag("handover").label("h"),
            _flag("consent", outcome == "declines").label("n"))
        .where(col(CaseStep.key).in_(("nationality_verified", "consent", "travel_document",
                                      "medical_clearance", "departed", "handover")),
               col(CaseStep.status) == StepStatus.done)
        .group_by(col(CaseStep.case_id))
        .subquery())
    ready = case((and_(per_case.c.v == 1, per_case.c.c == 1, per_case.c.d == 1,
                       per_case.c.m == 1, per_case.c.g == 0), literal(1)), else_=literal(0))
    figures = {"verified": per_case.c.v, "consenting": per_case.c.c,
               "documented": per_case.c.d, "ready": ready, "departed": per_case.c.g,
               "handed_over": per_case.c.h, "non_return": per_case.c.n}
    rows = session.execute(
        select_columns(col(Case.country), *(func.sum(f) for f in figures.values()))
        .select_from(per_case).join(Case, col(Case.id) == per_case.c.case_id)
        .where(cases).group_by(col(Case.country)))
    for country, *sums in rows:
        found[country or ""].update(zip(figures, (int(n or 0) for n in sums), strict=True))
    return dict(sorted(found.items()))


def board(*, session: Session, actor: Principal) -> BoardOut:
    """The per-country counts of the return cases the caller may see (contract 7)."""
    require_case_worker(actor)
    counts = counts_by_country(session, visible_clause(actor))
    return BoardOut(countries=[CountryCounts(country=country, **figures)
                               for country, figures in counts.items()])


class days_between(FunctionElement[int]):  # noqa: N801 (an SQL function)
    """Whole days from the date `start` to the date `end`, computed in the database."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (f"CAST(julianday({compiler.process(end, **kw)}) - "
            f"julianday({compiler.process(start, **kw)}) AS INTEGER)")


def _median(histogram: list[tuple[int, int]]) -> float:
    """The median of values given as (value, how many), sorted by value."""
    total = sum(n for _value, n in histogram)
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value, n in histogram:
        found += [value for position in middle if seen <= position < seen + n]
        seen += n
    return sum(found) / len(found)


def _medians(session: Session, where: ColumnElement[bool]) -> list[StageMedian]:
    """Median days of each stage per country, in one pass over the return cases' done steps:
    each case's settle dates pivoted to one row (`ix_case_step_stage`), the days of every
    stage counted from them, then grouped per country, stage and days in the database, so
    only a histogram per stage is read."""
    settled = (
        select_columns(col(CaseStep.case_id).label("case_id"),
                       *(func.max(case((col(CaseStep.key) == key, col(CaseStep.settled_on))))
                         .label(key) for key in STAGE_FROM))
        .where(col(CaseStep.key).in_(STAGE_FROM), col(CaseStep.status) == StepStatus.done)
        .group_by(col(CaseStep.case_id))
        .subquery())
    days = (
        select_columns(col(Case.country), *(
            days_between(settled.c[key],
                         col(Case.opened_on) if before is None else settled.c[before])
            .label(key) for key, before in STAGE_FROM.items()))
        .join(settled, settled.c.case_id == col(Case.id))
        .where(col(Case.pathway) == "return", where)
        .cte("stage_days"))
    per_stage = [
        select_columns(days.c.country, literal(key).label("stage"), days.c[key], func.count())
        .where(days.c[key].is_not(None)).group_by(days.c.country, days.c[key])
        for key in STAGE_FROM]
    histograms: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for country, key, value, count in session.execute(union_all(*per_stage)):
        histograms[(country or "", key)].append((int(value), int(count)))
    return [StageMedian(country=country, stage=key, median_days=_median(sorted(values)),
                        cases=sum(n for _v, n in values))
            for (country, key), values in sorted(histograms.items())]


def _stuck(session: Session, crypto: FieldCrypto, where: ColumnElement[bool],
           today: date) -> list[StuckCase]:
    """At each stage, the open cases unchanged the longest (each stage's first few entries
    of `ix_reintegration_case_step`)."""
    longest = [select_columns(col(Case.id))
               .where(col(Case.pathway) == "return", col(Case.status) == CaseStatus.open,
                      col(Case.current_step) == stage, where)
               .order_by(col(Case.updated_at), col(Case.id)).limit(STUCK_PER_STAGE)
               .subquery() for stage in _STEP_KEYS]
    chosen = sorted(session.exec(select(Case).where(col(Case.id).in_(
        union_all(*(select_columns(first.c.id) for first in longest))))),
        key=lambda c: (str(c.current_step), c.updated_at, c.id))
    if not chosen:
        return []
    registrations = {r.id: r for r in session.exec(select(Registration).where(
        col(Registration.id).in_([c.registration_id for c in chosen])))}
    current = {(r.case_id, r.key): r for r in session.exec(select(CaseStep).where(
        col(CaseStep.case_id).in_([c.id for c in chosen])))}
    checked = readiness.check(session, chosen)
    found = []
    for waiting in chosen:
        stage = str(waiting.current_step)
        row = current[(waiting.id, stage)]
        registration = registrations.get(waiting.registration_id)  # type: ignore[arg-type]
        found.append(StuckCase(
            case_id=waiting.id, country=waiting.country or "",
            stage=stage,
            registration_number=registration.registration_number if registration else None,
            name=full_name(crypto, registration), site=waiting.site_code,
            days=(today - waiting.updated_at.date()).days, status=row.status,
            attempts=row.attempts, last_outcome=row.outcome,
            reasons=reason_list(checked[waiting.id])))
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
