"""Aggregate statistics for the committee (contract 8): every table with its margins, small
counts suppressed; one table or the whole set, cut by one published filter; files in CSV
(with HXL), XLSX and JSON; the threshold (raised by administrators only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import Field

from app.core.errors import FieldError, NotFound, ValidationFailed
from app.core.strict import Strict
from app.deps import CurrentUser, SessionDep, StatsDep
from exports import service, writers
from exports.catalogue import SPECS

router = APIRouter(prefix="/stats", tags=["statistics"])

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "not authenticated"},
    404: {"description": "no such table"},
    422: {"description": "invalid filter or value; `errors` names the field"},
}


def stats_filter(
    site: Annotated[str | None, Query(description="a whole site (code)")] = None,
    category: Annotated[str | None, Query(description="a whole category")] = None,
    month: Annotated[str | None, Query(description="a whole month, YYYY-MM",
                                       pattern=r"^\d{4}-\d{2}$")] = None,
) -> service.Filter:
    """At most one filter, each a published granularity (see docs/adr: differencing)."""
    given = [(d, v) for d, v in (("site", site), ("category", category), ("month", month)) if v]
    if len(given) > 1:
        raise ValidationFailed([FieldError(given[1][0], "one filter at a time")])
    return given[0] if given else None


FilterDep = Annotated[service.Filter, Depends(stats_filter)]


@router.get("", responses=ERRORS, summary="Every table (contract 8)")
def all_tables(actor: CurrentUser, stats: StatsDep, where: FilterDep) -> dict[str, Any]:
    """Metadata and every table with its margins; suppressed cells are `null`."""
    return stats.as_json(where)


@router.get("/headline", responses=ERRORS, summary="Headline figures")
def headline(actor: CurrentUser, stats: StatsDep, where: FilterDep) -> dict[str, Any]:
    """The dashboard's headline figures (`null` when suppressed)."""
    stats.check_filter(where)
    return {"metadata": stats.metadata(where), "figures": stats.headline(where)}


@router.get("/tables/{name}", responses=ERRORS, summary="One table")
def one_table(name: str, actor: CurrentUser, stats: StatsDep, where: FilterDep
              ) -> dict[str, Any]:
    """One table with its margins, under at most one filter."""
    if name not in SPECS:
        raise NotFound("no such table")
    if name in stats.withheld:
        raise NotFound(stats.withheld[name])
    stats.check_filter(where)
    return {"metadata": stats.metadata(where), "table": stats.view(name, where)}


@router.get("/export", responses={**ERRORS, 200: {
    "description": "the file", "content": {media: {} for media in writers.MEDIA_TYPES.values()}}},
            summary="Statistics as a file")
def export_file(actor: CurrentUser, stats: StatsDep, session: SessionDep, where: FilterDep,
                format: Annotated[Literal["csv", "xlsx", "json"], Query()] = "json"
                ) -> Response:
    """CSV files with their HXL row (a ZIP), an XLSX workbook or JSON; audited."""
    stats.check_filter(where)
    body = writers.write(stats, format, where)
    service.record_export(session=session, actor=actor, kind=format, where=where)
    name = f"ddr-statistics.{writers.SUFFIXES[format]}"
    return Response(body, media_type=writers.MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class ThresholdIn(Strict):
    """A new suppression threshold (never lower than the one in force)."""

    threshold: int = Field(ge=2, le=100)


@router.put("/threshold", responses={**ERRORS, 403: {"description": "administrators only"}},
            summary="Raise the threshold")
def raise_threshold(body: ThresholdIn, session: SessionDep, actor: CurrentUser
                    ) -> dict[str, int]:
    """Raise the suppression threshold (administrators; lowering it is refused)."""
    return {"threshold": service.set_threshold(session=session, actor=actor,
                                               threshold=body.threshold)}
