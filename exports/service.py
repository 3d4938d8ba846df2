"""The committee's statistics: computed from the database's aggregates, suppressed and audited
once per refresh, and read as tables, filter views and headline figures (contract 8)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.audit import record_event
from app.core.errors import FieldError, Forbidden, ValidationFailed
from app.core.models import utcnow
from app.core.roles import Role
from app.core.security import Principal
from exports import aggregates
from exports.catalogue import (
    POPULATIONS,
    SPECS,
    TABLES,
    TableSpec,
    build_table,
    filter_views,
    return_population,
    view_name,
)
from exports.disclosure import DEFAULT_THRESHOLD, rule_text, suppress
from exports.models import DisclosureSetting
from exports.tables import TOTAL, Cell, Line, Table, cell_values, hierarchy_lines

logger = logging.getLogger(__name__)
SOURCE = "DDR Registry (national register of disarmament, demobilization and reintegration)"
FILTERS = ("site", "category", "month")
COMPUTE_STEPS = len(POPULATIONS) + 4
"""How many times :func:`compute` reports progress."""

Filter = tuple[str, str] | None
Progress = Callable[[str], None]
ARMED_GROUP_TABLE = "registrations_by_armed_group"
NOT_RECOUNTED = ("withheld: the count by armed group does not cover every registration yet "
                 "(those made before the upgrade that added it are counted by `ddr stats "
                 "recount`)")
"""Why the armed-group table is withheld while its total falls short of the registrations'."""


@dataclass(frozen=True)
class SiteRef:
    """A site's code, names and region (what the dashboard labels rows with)."""

    code: str
    name_en: str
    name_ar: str
    region: str


@dataclass(frozen=True)
class GroupRef:
    """An armed group's code and names (what the armed-group table is labelled with)."""

    code: str
    name_en: str
    name_ar: str


@dataclass
class Statistics:
    """Every table with its margins, the cells suppressed and how they were chosen."""

    threshold: int
    generated_at: datetime
    tables: dict[str, Table]
    values: dict[Cell, int]
    hidden: set[Cell]
    sites: list[SiteRef] = field(default_factory=list)
    medians: dict[str, float] = field(default_factory=dict)
    """Median days per step (published beside its count when the count is)."""
    groups: list[GroupRef] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)
    """Tables not published, with the reason (stated in the metadata)."""

    def published_tables(self) -> list[TableSpec]:
        """The tables every output carries (all but those withheld)."""
        return [spec for spec in TABLES if spec.name not in self.withheld]

    @property
    def rule(self) -> str:
        """The suppression rule applied."""
        return rule_text(self.threshold)

    def period(self) -> tuple[str | None, str | None]:
        """The first and last month with registrations."""
        months = self.tables["registrations_by_month"].levels["month"]
        return (months[0], months[-1]) if months else (None, None)

    def published(self, table: Table, key: tuple[str, ...]) -> int | None:
        """An entry's count, or None when suppressed."""
        cell = table.cell(key)
        return None if cell in self.hidden else self.values[cell]

    def check_filter(self, where: Filter) -> None:
        """Refuse a filter that is not a published granularity (422 naming the field)."""
        if where is None:
            return
        dimension, value = where
        if dimension not in FILTERS:
            raise ValidationFailed([FieldError("filter", "filter by site, category or month")])
        known = {"site": [s.code for s in self.sites],
                 "category": self.tables["registrations_by_category"].levels["category"],
                 "month": self.tables["registrations_by_month"].levels["month"]}[dimension]
        if value not in known:
            raise ValidationFailed([FieldError(dimension, f"not a published {dimension}")])

    def view(self, name: str, where: Filter = None) -> dict[str, Any]:
        """A table, or its slice under one filter: dimensions and rows (contract 8)."""
        spec = SPECS[name]
        table = self.tables[name]
        applied = where
        if where is not None:
            dimension, value = where
            if dimension in table.dimensions:
                pass
            elif view_name(name, dimension) in self.tables:
                table = self.tables[view_name(name, dimension)]
            else:
                applied = None  # this population has no such filter: shown whole
        rows = []
        for key in table.keys():
            picks = dict(zip(table.dimensions, key, strict=True))
            if applied is not None and picks[applied[0]] != applied[1]:
                continue
            count = self.published(table, key)
            row: dict[str, Any] = {d: picks[d] for d in spec.dimensions}
            row.update(count=count, suppressed=count is None)
            if name == "step_durations":
                row["median_days"] = (self.medians.get(picks["step"])
                                      if count is not None and count >= self.threshold else None)
            rows.append(row)
        return {"name": name, "title": spec.title, "population": spec.population,
                "dimensions": list(spec.dimensions),
                "filter": ({"dimension": applied[0], "value": applied[1]} if applied else None),
                "rows": rows}

    def metadata(self, where: Filter = None) -> dict[str, Any]:
        """What every output states: threshold, rule, source, period and when."""
        first, last = self.period()
        return {"threshold": self.threshold, "rule": self.rule,
                "generated_at": self.generated_at.isoformat(timespec="seconds"),
                "source": SOURCE, "period": {"from": first, "to": last},
                "filter": {"dimension": where[0], "value": where[1]} if where else None,
                "count_unit": "registrations, weapons, lots, cases or pairs as each table "
                              "names; a marginalised dimension is written TOTAL",
                "suppressed_as": "null in JSON, x in CSV, XLSX and on screen: counts from 1 to "
                                 f"{self.threshold - 1} and the complementary cells alike",
                "withheld": [{"table": name, "reason": reason}
                             for name, reason in self.withheld.items()]}

    def as_json(self, where: Filter = None) -> dict[str, Any]:
        """Contract 8: metadata and every table with its margins."""
        self.check_filter(where)
        return {"metadata": self.metadata(where),
                "tables": [self.view(spec.name, where) for spec in self.published_tables()]}

    def headline(self, where: Filter = None) -> dict[str, int | None]:
        """The dashboard's headline figures (None when suppressed)."""
        def total(name: str, **picks: str) -> int | None:
            view = self.view(name, where)
            for row in view["rows"]:
                if all(row[d] == picks.get(d, TOTAL) for d in view["dimensions"]):
                    return row["count"]
            return None

        under_15 = total("registrations_by_age", age_band="under_15")
        teen = total("registrations_by_age", age_band="15_17")
        return {
            "registrations": total("registrations_by_site"),
            "women_and_girls": total("registrations_by_site", sex="F"),
            # a sum of two published cells reveals nothing new; one suppressed: not shown
            "children": None if under_15 is None or teen is None else under_15 + teen,
            "foreign_fighters": total("registrations_by_category", category="foreign_fighter"),
            "weapons": total("weapons_by_type"),
            "ammunition_lots": total("ammunition_by_category"),
            "open_cases": total("cases_by_pathway", case_status="open"),
            "open_pairs": total("duplicate_pairs", pair_status="open"),
            "refused_payments": total("refused_payments"),
        }


def compute(*, session: Session, threshold: int, progress: Progress | None = None
            ) -> Statistics:
    """Count in the database, build every table and view, suppress and audit."""
    say = progress or (lambda step: None)
    site_rows = aggregates.sites(session)
    sites = [SiteRef(s.code, s.name_en, s.name_ar, s.region) for s in site_rows]
    codes = [s.code for s in sites]
    regions = {s.code: s.region or s.code for s in sites}
    say("counting case steps")
    funnel = aggregates.step_counts(session, date.today())
    medians = median_days(funnel.durations)
    readers: dict[str, Callable[[Session], list[aggregates.Group]]] = {
               "registrations": aggregates.registration_groups,
               "weapons": aggregates.weapon_groups,
               "ammunition": aggregates.ammunition_groups,
               "cases": aggregates.case_groups, "pairs": aggregates.pair_groups,
               "case_steps": lambda _s: funnel.steps, "overdue": lambda _s: funnel.overdue,
               "options": lambda _s: funnel.options,
               "durations": lambda _s: [aggregates.Group((step,), n)
                                        for step, _d, n in funnel.durations],
               "armed_groups": aggregates.armed_group_groups,
               "merges": aggregates.merge_groups, "desk_links": aggregates.desk_link_groups,
               "refused_payments": aggregates.refused_payment_groups}
    say("counting returns")
    returns = aggregates.return_groups(session)
    for stage, stage_groups in returns.items():
        readers[return_population(stage)] = _given(stage_groups)
    groups = {}
    for population, read in readers.items():
        say(f"counting {population}")
        groups[population] = read(session)
    withheld = {}
    if (sum(g.count for g in groups["armed_groups"])
            != sum(g.count for g in groups["registrations"])):
        withheld[ARMED_GROUP_TABLE] = NOT_RECOUNTED
    say("building tables")
    tables: dict[str, Table] = {}
    for spec in TABLES:
        if spec.name in withheld:
            continue
        of = POPULATIONS[spec.population]
        rows = groups[spec.population]
        tables[spec.name] = build_table(name=spec.name, population=of,
                                        dimensions=spec.dimensions, groups=rows, sites=codes,
                                        regions=regions)
        for dimension in filter_views(spec):
            name = view_name(spec.name, dimension)
            tables[name] = build_table(name=name, population=of,
                                       dimensions=(*spec.dimensions, dimension), groups=rows,
                                       sites=codes, regions=regions, base=spec.name,
                                       filter_dimension=dimension)
    values = cell_values(tables.values())
    lines = [line for table in tables.values() for line in table.lines()]
    by_region: dict[str, list[str]] = {}
    for code, region in regions.items():
        by_region.setdefault(region, []).append(code)
    lines += hierarchy_lines(values, parent="region", child="site", children=by_region)
    if ARMED_GROUP_TABLE in tables:  # its total is the registrations' (suppressed alike)
        lines.append(Line(parts=(("armed_groups", frozenset()),),
                          total=("registrations", frozenset())))
    say("suppressing small cells and auditing")
    hidden = suppress(values, lines, threshold)
    groups_listed = [GroupRef(g.code, g.name_en, g.name_ar)
                     for g in aggregates.armed_groups(session)]
    return Statistics(threshold=threshold, generated_at=utcnow(), tables=tables, values=values,
                      hidden=hidden, sites=sites, medians=medians, groups=groups_listed,
                      withheld=withheld)


def _given(groups: list[aggregates.Group]) -> Callable[[Session], list[aggregates.Group]]:
    """A reader of groups counted already."""
    return lambda _session: groups


def median_days(histogram: list[tuple[str, int, int]]) -> dict[str, float]:
    """The median of each step's durations, from (step, days, count) groups."""
    by_step: dict[str, list[tuple[int, int]]] = {}
    for step, days, count in histogram:
        by_step.setdefault(step, []).append((days, count))
    out = {}
    for step, buckets in by_step.items():
        total = sum(n for _d, n in buckets)
        ordered = sorted(buckets)

        def at(rank: int, ordered: list[tuple[int, int]] = ordered) -> int:
            seen = 0
            for days, n in ordered:
                seen += n
                if seen > rank:
                    return days
            return ordered[-1][0]

        out[step] = (at((total - 1) // 2) + at(total // 2)) / 2
    return out


class StatisticsCache:
    """The statistics last computed, served until they are `max_age` seconds old.

    Computing them reads the whole register (seconds on a large one), so it never runs in a
    request: it runs in a background thread on a reader engine (on SQLite a deferred,
    query-only transaction that never holds the writer). A request that finds the figures
    stale is answered with them (they say when they were computed) and starts the next
    computation; a request that finds none under the threshold in force (the first, or after
    the threshold was raised) gets `None` — the figures are being computed."""

    def __init__(self, reader: Engine) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._entry: tuple[float, Statistics] | None = None
        self._running: threading.Thread | None = None

    def get(self, *, session: Session, max_age: float) -> Statistics | None:
        """The statistics under the threshold in force, or None while they are computed."""
        threshold = current_threshold(session=session)
        with self._lock:
            entry = self._entry
            current = entry is not None and entry[1].threshold == threshold
            stale = entry is None or time.monotonic() - entry[0] >= max_age
            if (stale or not current) and self._running is None:
                self._running = threading.Thread(target=self._refresh, args=(threshold,),
                                                 daemon=True, name="statistics")
                self._running.start()
            return entry[1] if current and entry is not None else None

    def _refresh(self, threshold: int) -> None:
        try:
            self.compute_now(threshold=threshold)
        except Exception:  # the figures served stay; the next request tries again
            logger.exception("statistics could not be computed")
        finally:
            with self._lock:
                self._running = None

    def compute_now(self, *, threshold: int | None = None) -> Statistics:
        """Compute the statistics on the reader engine and keep them."""
        with Session(self._reader) as session:
            threshold = threshold or current_threshold(session=session)
            stats = compute(session=session, threshold=threshold)
        with self._lock:
            self._entry = (time.monotonic(), stats)
        return stats

    def wait(self, timeout: float = 120) -> None:
        """Wait for a computation under way (tests and benchmarks)."""
        thread = self._running
        if thread is not None:
            thread.join(timeout)


def current_threshold(*, session: Session) -> int:
    """The suppression threshold in force."""
    setting = session.get(DisclosureSetting, 1)
    return setting.threshold if setting else DEFAULT_THRESHOLD


def set_threshold(*, session: Session, actor: Principal, threshold: int) -> int:
    """Raise the threshold (admins only; never lowered: figures published under a higher
    threshold and again under a lower one could be subtracted)."""
    if actor.role != Role.admin:
        raise Forbidden("only an administrator may change the threshold")
    current = current_threshold(session=session)
    if threshold < current:
        raise ValidationFailed([FieldError("threshold", f"may only be raised (now {current})")])
    if threshold > 100:
        raise ValidationFailed([FieldError("threshold", "at most 100")])
    setting = session.get(DisclosureSetting, 1) or DisclosureSetting(id=1, threshold=threshold)
    setting.threshold = threshold
    setting.changed_at = utcnow()
    setting.changed_by_id = actor.id
    session.add(setting)
    session.flush()
    record_event(session=session, actor=actor, action="stats.threshold", object_type="stats",
                 object_id="threshold", details={"from": current, "to": threshold})
    return threshold


def record_export(*, session: Session, actor: Principal, kind: str, where: Filter) -> None:
    """Write who took a statistics file (aggregates only: no identifying data)."""
    record_event(session=session, actor=actor, action="stats.export", object_type="stats",
                 object_id=kind, details={"filter": list(where) if where else None})
