"""The counts behind every statistic, computed by the database.

Each function is one GROUP BY over indexed clear columns at the finest grain the tables need
(never a row per person into Python), or reads the running counts the write path keeps at that
grain (registrations, weapons); the tables are sums of these groups. The same SQL runs
on SQLite and PostgreSQL (`extract` compiles to each dialect's own date functions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, extract, func, select, true
from sqlmodel import Session, col

from app.core.models import AuditEvent
from app.dedup.models import CandidatePair, PersonMerge
from app.registry import counts
from app.registry.counts import AGE_BANDS
from app.registry.models import ArmedGroup, Site
from app.weapons.models import AmmunitionLot
from reintegration.enums import OPEN_STEP_STATUSES
from reintegration.models import Case, CaseStep
from reintegration.pathways import keys_visible_with
from reintegration.payments import REFUSED
from reintegration.returns.board import STAGES, counts_by_country

__all__ = ["AGE_BANDS", "Group", "StepCounts"]


@dataclass(frozen=True)
class Group:
    """One group of a GROUP BY: its values in the query's order and how many rows."""

    values: tuple[str, ...]
    count: int


def _month(column: Any) -> tuple[Any, Any]:
    return extract("year", column), extract("month", column)


def _month_label(year: Any, month: Any) -> str:
    return f"{int(year):04d}-{int(month):02d}"


def registration_groups(session: Session) -> list[Group]:
    """Registrations by site, sex, category, nationality, age band and month (the running
    counts the write path keeps, `app.registry.counts`: a few thousand rows, not a million)."""
    return [Group(key, n) for key, n in counts.registration_counts(session)]


def armed_group_groups(session: Session) -> list[Group]:
    """Registrations by the armed group they name, nationally (the running count the write
    path keeps from the group's code in clear: the statistics never decrypt)."""
    return [Group((code,), n) for code, n in counts.armed_group_counts(session)]


def armed_groups(session: Session) -> Sequence[ArmedGroup]:
    """The managed list of armed groups (their names label the table), by code."""
    return session.execute(select(ArmedGroup).order_by(ArmedGroup.code)).scalars().all()


def weapon_groups(session: Session) -> list[Group]:
    """Weapons handed in by type, calibre, site and month (running counts)."""
    return [Group(key, n) for key, n in counts.weapon_counts(session)]


def ammunition_groups(session: Session) -> list[Group]:
    """Ammunition lots handed in by category, site and month, with the rounds they hold."""
    year, month = _month(AmmunitionLot.handed_in_on)
    keys: list[Any] = [AmmunitionLot.category, AmmunitionLot.handover_site, year, month]
    rows = session.execute(select(*keys, func.count()).group_by(*keys))
    return [Group((category, site, _month_label(y, m)), n) for category, site, y, m, n in rows]


def _counted_pathways() -> Any:
    """Cases of pathways open to every case worker: those behind an authorisation (children's
    cases) appear in no list or count (docs/cases.md), statistics included."""
    restricted = sorted(keys_visible_with())
    return col(Case.pathway).not_in(restricted) if restricted else true()


def case_groups(session: Session) -> list[Group]:
    """Cases by pathway, status, site and month opened."""
    year, month = _month(Case.opened_at)
    keys: list[Any] = [Case.pathway, Case.status, Case.site_code, year, month]
    rows = session.execute(select(*keys, func.count()).where(_counted_pathways())
                           .group_by(*keys))
    return [Group((pathway, status, site, _month_label(y, m)), n)
            for pathway, status, site, y, m, n in rows]


def pair_groups(session: Session) -> list[Group]:
    """Candidate duplicate pairs by review status and the matcher's decision."""
    keys: list[Any] = [CandidatePair.status, CandidatePair.decision]
    rows = session.execute(select(*keys, func.count()).group_by(*keys))
    return [Group((str(status), str(decision)), n) for status, decision, n in rows]


def merge_groups(session: Session) -> list[Group]:
    """Persons merged into another after a `same person` decision."""
    count = session.execute(select(func.count()).select_from(PersonMerge)).scalar_one()
    return [Group((), int(count))]


def desk_link_groups(session: Session) -> list[Group]:
    """Registrations linked at the desk to a person already registered (a second person
    prevented)."""
    count = session.execute(select(func.count()).select_from(AuditEvent)
                         .where(col(AuditEvent.action) == "duplicate.link")).scalar_one()
    return [Group((), int(count))]


def refused_payment_groups(session: Session) -> list[Group]:
    """Payments refused as double claims (the instalment already paid to the person)."""
    count = session.execute(select(func.count()).select_from(AuditEvent)
                         .where(col(AuditEvent.action) == REFUSED)).scalar_one()
    return [Group((), int(count))]


def return_groups(session: Session) -> dict[str, list[Group]]:
    """Return cases by country of origin, for each stage of the returns board (registered,
    verified ... handed over, non-return): the board's own counts. The stages overlap (a case
    handed over was verified too), so each stage is a population of its own."""
    by_country = counts_by_country(session)
    return {stage: [Group((country or "unknown",), figures[stage])
                    for country, figures in by_country.items() if figures[stage]]
            for stage in STAGES}


def sites(session: Session) -> Sequence[Site]:
    """Every site, by code."""
    return session.execute(select(Site).order_by(Site.code)).scalars().all()


def _step(pathway: str, key: str) -> str:
    return f"{pathway}.{key}"


@dataclass(frozen=True)
class StepCounts:
    """The reintegration funnel from one pass over the cases' steps."""

    steps: list[Group]
    """By `pathway.step` and the step's status."""
    overdue: list[Group]
    """Steps still to do, of cases not closed, whose due date has passed, by `pathway.step`."""
    options: list[Group]
    """The reintegration option chosen (the outcome of the `option` step once done)."""
    durations: list[tuple[str, int, int]]
    """Done steps by `pathway.step` and the days they took: (step, days, count)."""


def step_counts(session: Session, today: date) -> StepCounts:
    """Count the cases' steps in one GROUP BY: status, overdue or not, the outcome and (for
    done steps) the dates they started and were settled, whose differences are taken here,
    portably, from the distinct date pairs."""
    done = col(CaseStep.status) == "done"
    overdue = case((col(CaseStep.status).in_([s.value for s in OPEN_STEP_STATUSES])
                    & (col(CaseStep.due_on) < today) & (col(Case.status) != "closed"), 1),
                   else_=0)
    outcome = case((done & (col(CaseStep.key) == "option"), col(CaseStep.outcome)), else_=None)
    started = case((done, col(CaseStep.started_on)), else_=None)
    settled = case((done, col(CaseStep.settled_on)), else_=None)
    keys: list[Any] = [Case.pathway, CaseStep.key, CaseStep.status, overdue, outcome, started,
                       settled]
    rows = session.execute(select(*keys, func.count())
                           .join(Case, col(Case.id) == col(CaseStep.case_id))
                           .where(_counted_pathways()).group_by(*keys))
    steps: dict[tuple[str, ...], int] = {}
    late: dict[tuple[str, ...], int] = {}
    options: dict[tuple[str, ...], int] = {}
    histogram: dict[tuple[str, int], int] = {}
    for pathway, key, status, is_late, chosen, began, ended, n in rows:
        step = _step(pathway, key)
        steps[(step, status)] = steps.get((step, status), 0) + n
        if is_late:
            late[(step,)] = late.get((step,), 0) + n
        if chosen is not None and pathway == "reintegration":
            options[(str(chosen),)] = options.get((str(chosen),), 0) + n
        if began is not None and ended is not None:
            bucket = (step, max((_day(ended) - _day(began)).days, 0))
            histogram[bucket] = histogram.get(bucket, 0) + n
    return StepCounts(
        steps=[Group(k, n) for k, n in steps.items()],
        overdue=[Group(k, n) for k, n in late.items()],
        options=[Group(k, n) for k, n in options.items()],
        durations=[(step, days, n) for (step, days), n in sorted(histogram.items())])


def _day(value: Any) -> date:
    """A date read back from a CASE expression (SQLite gives its text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
