"""The tables the committee's statistics publish, and the filter views each can be cut by.

A population's counts come from one GROUP BY (`exports.aggregates`); each table sums them over
the dimensions it does not show. Filters are published granularities only (a whole site, a
whole category, a whole month; one at a time): the view of a table under a filter is a slice
of the table crossed with the filter's dimension, a table suppressed and audited together with
every other (see docs/adr: differencing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.dedup.enums import PairStatus
from app.registry.counts import NO_GROUP
from app.registry.enums import Category, Sex, WeaponType
from app.weapons.enums import AmmunitionCategory
from exports.aggregates import AGE_BANDS, Group
from exports.tables import Table
from reintegration.engine import Pathway
from reintegration.enums import CaseStatus, StepStatus
from reintegration.pathways import all_pathways, latest
from reintegration.pathways.reintegration import OPTIONS
from reintegration.returns.board import STAGES


@dataclass(frozen=True)
class TableSpec:
    """A published table: its population and dimensions."""

    name: str
    population: str
    dimensions: tuple[str, ...]
    title: str


@dataclass(frozen=True)
class Population:
    """What is counted, the dimensions of its GROUP BY and the filters it offers."""

    name: str
    group_dimensions: tuple[str, ...]
    filters: tuple[str, ...]


RETURN_STAGE_TITLES = {
    "registered": "registered for return", "verified": "nationality verified",
    "consenting": "consenting to return", "documented": "travel document issued",
    "ready": "ready to go", "departed": "departed", "handed_over": "handed over",
    "non_return": "not returning (declined)"}
"""The returns board's stages (reintegration.returns.board.STAGES), as table titles say them."""


def return_population(stage: str) -> str:
    """The population (and table) of return cases that reached `stage`."""
    return f"returns_{stage}"


POPULATIONS = {
    "registrations": Population(
        "registrations", ("site", "sex", "category", "nationality", "age_band", "month"),
        ("site", "category", "month")),
    "armed_groups": Population("armed_groups", ("armed_group",), ()),
    "weapons": Population("weapons", ("weapon_type", "calibre", "site", "month"),
                          ("site", "month")),
    "ammunition": Population("ammunition", ("ammunition_category", "site", "month"),
                             ("site", "month")),
    "cases": Population("cases", ("pathway", "case_status", "site", "month"),
                        ("site", "month")),
    "pairs": Population("pairs", ("pair_status", "decision"), ()),
    "case_steps": Population("case_steps", ("step", "step_status"), ()),
    "overdue": Population("overdue", ("step",), ()),
    "options": Population("options", ("option",), ()),
    "durations": Population("durations", ("step",), ()),
    "merges": Population("merges", (), ()),
    "desk_links": Population("desk_links", (), ()),
    "refused_payments": Population("refused_payments", (), ()),
    **{return_population(stage): Population(return_population(stage), ("country",), ())
       for stage in STAGES},
}
"""Each population's GROUP BY dimensions (in `exports.aggregates` order) and filters. Returns
are one population per stage of the board: the stages overlap, so they are not parts of one
sum."""

TABLES = (
    TableSpec("registrations_by_site", "registrations", ("site", "sex"),
              "Registrations by site and sex"),
    TableSpec("registrations_by_region", "registrations", ("region", "sex"),
              "Registrations by region and sex"),
    TableSpec("registrations_by_category", "registrations", ("category", "sex"),
              "Registrations by category and sex"),
    TableSpec("registrations_by_age", "registrations", ("age_band", "sex"),
              "Registrations by age band and sex"),
    TableSpec("registrations_by_nationality", "registrations", ("nationality", "sex"),
              "Registrations by nationality and sex"),
    TableSpec("registrations_by_month", "registrations", ("month", "sex"),
              "Registrations by month and sex"),
    TableSpec("registrations_by_armed_group", "armed_groups", ("armed_group",),
              "Registrations by armed group (national level only)"),
    TableSpec("weapons_by_type", "weapons", ("weapon_type", "site"),
              "Weapons handed in by type and site"),
    TableSpec("weapons_by_calibre", "weapons", ("calibre", "weapon_type"),
              "Weapons handed in by calibre and type"),
    TableSpec("weapons_by_month", "weapons", ("month",), "Weapons handed in by month"),
    TableSpec("ammunition_by_category", "ammunition", ("ammunition_category", "site"),
              "Ammunition lots handed in by category and site"),
    TableSpec("cases_by_pathway", "cases", ("pathway", "case_status"),
              "Cases by pathway and status"),
    TableSpec("cases_by_site", "cases", ("site", "case_status"), "Cases by site and status"),
    TableSpec("cases_by_step", "case_steps", ("step", "step_status"),
              "Reintegration funnel: case steps by status"),
    TableSpec("overdue_steps", "overdue", ("step",), "Steps overdue (due date passed)"),
    TableSpec("options_chosen", "options", ("option",), "Reintegration option chosen"),
    TableSpec("step_durations", "durations", ("step",),
              "Steps done, with the median days each took"),
    TableSpec("duplicate_pairs", "pairs", ("pair_status", "decision"),
              "Candidate duplicate pairs by review status and the matcher's decision"),
    TableSpec("persons_merged", "merges", (), "Persons merged after review"),
    TableSpec("desk_links", "desk_links", (),
              "Registrations linked at the desk to a person already registered"),
    TableSpec("refused_payments", "refused_payments", (),
              "Payments refused as double claims (the instalment already paid to the person)"),
    *(TableSpec(return_population(stage), return_population(stage), ("country",),
                f"Return cases by country of origin: {title}")
      for stage, title in RETURN_STAGE_TITLES.items()),
)
SPECS = {spec.name: spec for spec in TABLES}

def _latest_pathways() -> list[Pathway]:
    """Pathways whose cases are counted (not those behind an authorisation)."""
    return [latest(key) for key in sorted({p.key for p in all_pathways()
                                           if not p.visible_with})]


_FIXED_LEVELS: dict[str, Sequence[str]] = {
    "sex": [s.value for s in Sex],
    "category": [c.value for c in Category],
    "age_band": AGE_BANDS,
    "weapon_type": [w.value for w in WeaponType],
    "ammunition_category": [a.value for a in AmmunitionCategory],
    "pair_status": [p.value for p in PairStatus],
    "pathway": [p.key for p in _latest_pathways()],
    "case_status": [c.value for c in CaseStatus],
    "step": [f"{p.key}.{step.key}" for p in _latest_pathways() for step in p.steps],
    "step_status": [s.value for s in StepStatus],
    "option": [key for key, _label in OPTIONS],
    "decision": ["match", "possible"],
}


def levels_of(dimension: str, seen: set[str], sites: Sequence[str],
              regions: dict[str, str]) -> list[str]:
    """A dimension's values in display order: closed vocabularies whole, sites all, months a
    gapless run, other values as seen (sorted)."""
    if dimension in _FIXED_LEVELS:
        fixed = list(_FIXED_LEVELS[dimension])
        return fixed + sorted(seen - set(fixed))
    if dimension == "site":
        return list(sites) + sorted(seen - set(sites))
    if dimension == "region":
        return sorted({regions.get(s) or s for s in sites} | seen)
    if dimension == "armed_group":  # those naming none last
        return sorted(seen - {NO_GROUP}) + [NO_GROUP] * (NO_GROUP in seen)
    if dimension == "month" and seen:
        return _month_run(min(seen), max(seen))
    return sorted(seen)


def _month_run(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def build_table(*, name: str, population: Population, dimensions: tuple[str, ...],
                groups: Sequence[Group], sites: Sequence[str], regions: dict[str, str],
                base: str | None = None, filter_dimension: str | None = None) -> Table:
    """Sum a population's groups into a table of `dimensions` (region from the site)."""
    source = [population.group_dimensions.index("site" if d == "region" else d)
              for d in dimensions]
    as_region = [d == "region" for d in dimensions]
    counts: dict[tuple[str, ...], int] = {}
    for group in groups:
        key = tuple(regions.get(group.values[at]) or group.values[at] if region
                    else group.values[at] for at, region in zip(source, as_region, strict=True))
        counts[key] = counts.get(key, 0) + group.count
    levels = {d: levels_of(d, {k[i] for k in counts}, sites, regions)
              for i, d in enumerate(dimensions)}
    return Table(name=name, population=population.name, dimensions=dimensions, levels=levels,
                 counts=counts, base=base, filter_dimension=filter_dimension)


def view_name(table: str, dimension: str) -> str:
    """The name of a table's view under a filter on `dimension`."""
    return f"{table}@{dimension}"


def filter_views(spec: TableSpec) -> list[str]:
    """The filter dimensions a table is crossed with (those it does not show already; a
    region table is not cut by site, which lies inside one region)."""
    population = POPULATIONS[spec.population]
    return [f for f in population.filters
            if f not in spec.dimensions and not (f == "site" and "region" in spec.dimensions)]
