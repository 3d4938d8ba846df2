"""The dashboard's charts as data for the templates: rows of labelled bars (server-side SVG,
mirrored right to left), each chart with the table of its figures underneath. Suppressed
figures draw no bar and read `<threshold`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pycountry
from babel import Locale
from babel.dates import format_date

from app.registry.counts import NO_GROUP
from app.web.case_labels import CASE_STATUS_LABELS, STEP_STATUS_LABELS
from app.web.forms import CATEGORY_LABELS, N_, PATHWAY_LABELS, SEX_LABELS, WEAPON_LABELS
from app.web.i18n import translations
from app.web.returns import STAGE_LABELS as RETURN_STAGE_LABELS
from app.web.review_labels import BAND_LABELS
from app.web.review_labels import STATUS_LABELS as PAIR_STATUS_LABELS
from exports.catalogue import RETURN_STAGE_TITLES, return_population
from exports.service import ARMED_GROUP_TABLE, GroupRef, SiteRef, Statistics
from exports.tables import TOTAL
from reintegration.pathways import all_pathways
from reintegration.pathways.reintegration import OPTIONS

STEP_LABELS = {f"{p.key}.{step.key}": step.title for p in all_pathways() for step in p.steps}
PATHWAY_TITLES = {p.key: p.title for p in all_pathways()}

AGE_LABELS = {"under_15": N_("Under 15"), "15_17": N_("15 to 17"), "18_24": N_("18 to 24"),
              "25_34": N_("25 to 34"), "35_49": N_("35 to 49"), "50_plus": N_("50 and over"),
              "unknown": N_("Age not known")}
HEADLINES = {
    "registrations": N_("Registrations"), "women_and_girls": N_("Women and girls"),
    "children": N_("Children (under 18)"), "foreign_fighters": N_("Foreign fighters"),
    "weapons": N_("Weapons handed in"), "ammunition_lots": N_("Ammunition lots"),
    "open_cases": N_("Open cases"), "open_pairs": N_("Possible duplicates waiting"),
    "refused_payments": N_("Payments refused as double claims"),
}
NO_GROUP_LABEL = N_("No armed group stated")
ARMED_GROUP_NOTE = N_("National level only: this table is not cut by site, category or month, "
                      "and no person's group is shown.")
WITHHELD = {ARMED_GROUP_TABLE: N_("Registrations by armed group: withheld until the "
                                  "registrations made before the upgrade are counted "
                                  "(ddr stats recount).")}
"""What the dashboard says of a table the statistics withhold."""
_BABEL = {"ar": "ar_LY", "en": "en_GB"}


@dataclass
class Bar:
    """One row of a chart: its label, its parts (series, count or None) and their total."""

    key: str
    label: str
    parts: list[tuple[str, int | None]]
    total: int | None
    segments: list[dict[str, Any]] = field(default_factory=list)
    median: float | None = None


@dataclass
class Chart:
    """A chart and the table of its figures."""

    id: str
    title: str
    series: list[tuple[str, str]]
    bars: list[Bar]
    kind: str = "bars"
    """bars (stacked), pyramid (the first series leftwards, the second rightwards) or overlay
    (every series from the axis, the later drawn over the earlier: stages a case passes)."""
    note: str = ""
    filtered: bool = False
    """Whether the dashboard's filter applies (some populations have no such dimension)."""
    medians: bool = False
    totals: bool = True
    """Whether the table has a total column (not for stages that overlap)."""


class Labeller:
    """Names of dimension values in the user's language."""

    def __init__(self, language: str, sites: list[SiteRef],
                 groups: list[GroupRef] | None = None) -> None:
        groups = groups or []
        self.language = language
        self.gettext = translations(language).gettext
        self.sites = {s.code: (s.name_ar if language == "ar" else s.name_en) for s in sites}
        self.territories = Locale.parse(_BABEL[language]).territories
        self.groups = {g.code: (g.name_ar if language == "ar" else g.name_en) for g in groups}

    def __call__(self, dimension: str, value: str) -> str:
        """The label of one value of a dimension."""
        if value == TOTAL:
            return self.gettext("Total")
        tables: dict[str, dict[Any, str]] = {
            "sex": SEX_LABELS, "category": CATEGORY_LABELS, "age_band": AGE_LABELS,
            "weapon_type": WEAPON_LABELS, "pathway": {**PATHWAY_LABELS, **PATHWAY_TITLES},
            "case_status": CASE_STATUS_LABELS, "pair_status": PAIR_STATUS_LABELS,
            "decision": BAND_LABELS, "step_status": STEP_STATUS_LABELS,
            "option": dict(OPTIONS), "step": STEP_LABELS}
        if dimension in tables:
            known = tables[dimension].get(value)
            return self.gettext(known) if known else value
        if dimension == "site":
            return self.sites.get(value, value)
        if dimension == "armed_group":
            return (self.gettext(NO_GROUP_LABEL) if value == NO_GROUP
                    else self.groups.get(value, value))
        if dimension == "month":
            return format_date(date(int(value[:4]), int(value[5:7]), 1), "MMM y",
                               locale=_BABEL[self.language])
        if dimension in ("nationality", "country"):
            country = pycountry.countries.get(alpha_3=value)
            return self.territories.get(country.alpha_2, value) if country else value
        return value


def _scale(bars: list[Bar], direction: str, kind: str) -> None:
    """Lay out each bar's segments on a 0–100 axis (right to left: mirrored)."""
    widest = max([(max((c or 0 for _, c in b.parts), default=0) if kind == "overlay"
                   else b.total or sum(c or 0 for _, c in b.parts)) for b in bars] + [1])
    for bar in bars:
        if kind == "pyramid":
            for position, (series, count) in enumerate(bar.parts):
                width = round((count or 0) * 100 / widest, 2)
                toward_centre = (position == 0) != (direction == "rtl")
                bar.segments.append({"series": series, "x": 100 - width if toward_centre
                                     else 0, "width": width})
            continue
        if kind == "overlay":
            for series, count in bar.parts:
                width = round((count or 0) * 100 / widest, 2)
                bar.segments.append({"series": series, "x": 100 - width if direction == "rtl"
                                     else 0, "width": width})
            continue
        start = 0.0
        for series, count in bar.parts:
            width = round((count or 0) * 100 / widest, 2)
            x = 100 - start - width if direction == "rtl" else start
            bar.segments.append({"series": series, "x": round(x, 2), "width": width})
            start += width


def chart(stats: Statistics, name: str, where: Any, label: Labeller, *, chart_id: str,
          rows_by: str, series_by: str | None, direction: str, kind: str = "bars",
          skip: tuple[str, ...] = (), title: str = "", note: str = "", medians: bool = False
          ) -> Chart:
    """One table's view as a chart: a bar per value of `rows_by`, split by `series_by`."""
    view = stats.view(name, where)
    figures = {tuple(r[d] for d in view["dimensions"]): r["count"] for r in view["rows"]}
    dims = view["dimensions"]
    levels = stats.tables[name].levels
    series_values = levels[series_by] if series_by else []
    bars = []
    for value in levels[rows_by]:
        if value in skip:
            continue

        def figure(series: str | None, value: str = value) -> int | None:
            key = tuple(value if d == rows_by else (series or TOTAL) if d == series_by
                        else TOTAL for d in dims)
            return figures.get(key)

        parts = [(s, figure(s)) for s in series_values] if series_by else [("all", figure(None))]
        bars.append(Bar(key=value, label=label(rows_by, value), parts=parts,
                        total=figure(None)))
    if kind == "pyramid":
        bars.reverse()  # the oldest on top
    if medians:  # the median days a step took, published where its count of done steps is
        durations = {r["step"]: r["median_days"]
                     for r in stats.view("step_durations")["rows"]}
        for bar in bars:
            bar.median = durations.get(bar.key)
    _scale(bars, direction, kind)
    series = ([(s, label(series_by, s)) for s in series_values] if series_by
              else [("all", label.gettext("Count"))])
    return Chart(id=chart_id, title=label.gettext(title or stats.tables[name].name),
                 series=series, bars=bars, kind=kind,
                 note=label.gettext(note) if note else "", filtered=view["filter"] is not None,
                 medians=medians)


def returns_chart(stats: Statistics, label: Labeller, direction: str) -> Chart:
    """Return cases by country of origin and stage: one bar per country, each stage drawn from
    the axis over the one before (the stages overlap: each is a table of its own)."""
    views = {stage: {r["country"]: r["count"] for r in
                     stats.view(return_population(stage))["rows"]}
             for stage in RETURN_STAGE_TITLES}
    countries = stats.tables[return_population("registered")].levels["country"]
    bars = [Bar(key=country, label=label("country", country),
                parts=[(stage, views[stage].get(country)) for stage in RETURN_STAGE_TITLES],
                total=None) for country in countries]
    _scale(bars, direction, "overlay")
    return Chart(id="chart-returns", title=label.gettext("Returns by country of origin and stage"),
                 series=[(stage, label.gettext(RETURN_STAGE_LABELS[stage]))
                         for stage in RETURN_STAGE_TITLES],
                 bars=bars, kind="overlay",
                 note=label.gettext("Each stage counts the return cases that reached it; a case "
                                    "counts in every stage it passed."), totals=False)


def dashboard_charts(stats: Statistics, where: Any, language: str, direction: str
                     ) -> list[Chart]:
    """Every chart of the committee's dashboard, under one filter."""
    label = Labeller(language, stats.sites, stats.groups)

    def draw(name: str, **options: Any) -> Chart:
        return chart(stats, name, where, label, direction=direction, **options)

    return [
        draw("registrations_by_month", chart_id="chart-time", rows_by="month",
              series_by="sex", title=N_("Registrations over time")),
        draw("registrations_by_site", chart_id="chart-sites", rows_by="site",
              series_by="sex", title=N_("Registrations by site")),
        draw("registrations_by_age", chart_id="chart-pyramid",
              rows_by="age_band", series_by="sex", kind="pyramid",
              title=N_("Age and sex")),
        draw("registrations_by_category", chart_id="chart-categories",
              rows_by="category", series_by="sex", title=N_("Registrations by category")),
        draw("cases_by_step", chart_id="chart-funnel", rows_by="step",
              series_by="step_status", title=N_("Reintegration funnel: steps by status"),
              medians=True),
        draw("overdue_steps", chart_id="chart-overdue", rows_by="step", series_by=None,
              title=N_("Steps overdue")),
        draw("options_chosen", chart_id="chart-options", rows_by="option", series_by=None,
              title=N_("Reintegration option chosen")),
        draw("registrations_by_nationality", chart_id="chart-nationality",
              rows_by="nationality", series_by="sex", skip=("LBY",),
              title=N_("Non-Libyan participants by country of origin")),
        *([draw(ARMED_GROUP_TABLE, chart_id="chart-armed-groups", rows_by="armed_group",
                series_by=None, title=N_("Registrations by armed group"),
                note=ARMED_GROUP_NOTE)] if ARMED_GROUP_TABLE in stats.tables else []),
        returns_chart(stats, label, direction),
        draw("weapons_by_type", chart_id="chart-weapons", rows_by="weapon_type",
              series_by=None, title=N_("Weapons handed in by type")),
        draw("duplicate_pairs", chart_id="chart-duplicates",
              rows_by="pair_status", series_by="decision",
              title=N_("Duplicate detection: pairs by review status")),
    ]


def filter_choices(stats: Statistics, language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filters offered (published granularities only): groups of (value, label)."""
    label = Labeller(language, stats.sites)
    gettext = label.gettext
    return [
        (gettext("Site"), [(f"site:{s.code}", label("site", s.code)) for s in stats.sites]),
        (gettext("Category"), [(f"category:{c}", label("category", c))
                               for c in stats.tables["registrations_by_category"]
                               .levels["category"]]),
        (gettext("Month"), [(f"month:{m}", label("month", m))
                            for m in stats.tables["registrations_by_month"].levels["month"]]),
    ]
