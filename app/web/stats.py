"""The committee's dashboard (its home page): headline figures, charts with their tables,
one filter at a time, and the statistics files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.core.errors import FieldError, ValidationFailed
from app.core.security import Principal
from app.deps import MaybeStatsDep, SessionDep, StatsDep
from app.web import deps
from app.web.forms import N_
from app.web.rendering import render
from app.web.stats_charts import HEADLINES, WITHHELD, dashboard_charts, filter_choices
from exports import service, writers

PENDING = N_("the statistics are being computed; try again in a moment")
"""The message of `exports.errors.StatisticsPending`, for the catalogue."""

router = APIRouter(dependencies=[Depends(deps.csrf_protect)], include_in_schema=False)


def parse_filter(value: str | None) -> service.Filter:
    """Read the dashboard's filter, `dimension:value` (empty: none)."""
    if not value:
        return None
    dimension, _, chosen = value.partition(":")
    if dimension not in service.FILTERS or not chosen:
        raise ValidationFailed([FieldError("filter", "filter by site, category or month")])
    return dimension, chosen


FilterParam = Annotated[str | None, Query(alias="filter", max_length=40)]


def dashboard(request: Request, stats: service.Statistics | None, actor: Principal,
              chosen: str | None) -> Response:
    """Render the dashboard under a filter (or say that the figures are being computed)."""
    if stats is None:
        return render(request, "stats/computing.html", actor=actor)
    where = parse_filter(chosen)
    stats.check_filter(where)
    language = deps.request_language(request)
    direction = "rtl" if language == "ar" else "ltr"
    context = {
        "stats": stats, "where": where, "chosen": chosen or "",
        "figures": stats.headline(where), "headlines": HEADLINES,
        "charts": dashboard_charts(stats, where, language, direction),
        "choices": filter_choices(stats, language), "metadata": stats.metadata(where),
        "withheld": [WITHHELD.get(name, reason) for name, reason in stats.withheld.items()],
    }
    return render(request, "stats/dashboard.html", context, actor=actor)


@router.get("/stats")
def stats_page(request: Request, actor: deps.WebUser, stats: MaybeStatsDep,
               chosen: FilterParam = None) -> Response:
    """Show the statistics dashboard (every role: aggregates only)."""
    return dashboard(request, stats, actor, chosen)


@router.get("/stats/export.{fmt}")
def stats_file(fmt: str, actor: deps.WebUser, stats: StatsDep, session: SessionDep,
               chosen: FilterParam = None) -> Response:
    """Download the statistics as CSV (ZIP with HXL rows), XLSX or JSON; audited."""
    if fmt not in writers.FORMATS:
        raise ValidationFailed([FieldError("format", "csv, xlsx or json")])
    where = parse_filter(chosen)
    stats.check_filter(where)
    body = writers.write(stats, fmt, where)
    service.record_export(session=session, actor=actor, kind=fmt, where=where)
    name = f"ddr-statistics.{writers.SUFFIXES[fmt]}"
    return Response(body, media_type=writers.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
