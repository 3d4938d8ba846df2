"""Statistics files: CSV with an HXL hashtag row (one file per table, in a ZIP with the
metadata), XLSX (a sheet per table and a metadata sheet) and JSON (contract 8).

Suppressed cells are written `x` in CSV and XLSX and `null` in JSON; every table
carries its margins (`TOTAL`). Tables crossed by sex are written wide in CSV (one column per
sex, as HXL's `#affected+m` / `#affected+f` convention has it)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook

from app.core.spreadsheet import neutralise
from exports.catalogue import RETURN_STAGE_TITLES, return_population
from exports.service import Filter, Statistics
from exports.tables import TOTAL

FORMATS = ("csv", "xlsx", "json")
SUPPRESSED = "x"
"""Every suppressed cell, small or complementary, reads the same (as statistical offices write
confidential cells): `<5` on complementary cells would be false, and two marks would tell an
attacker which cells are small."""

HXL_DIMENSIONS = {
    "site": "#loc+code", "region": "#adm1+name", "category": "#group+category",
    "age_band": "#group+age", "nationality": "#country+code", "month": "#date+reported",
    "weapon_type": "#item+type", "calibre": "#item+calibre",
    "ammunition_category": "#item+type", "pathway": "#sector+pathway",
    "case_status": "#status+case", "pair_status": "#status+pair", "decision": "#status+match",
    "country": "#country+code", "armed_group": "#group+armed+code",
}
HXL_COUNTS = {
    "registrations": "#affected", "armed_groups": "#affected", "weapons": "#indicator+weapons+num",
    "ammunition": "#indicator+lots+num", "cases": "#indicator+cases+num",
    "pairs": "#indicator+pairs+num", "merges": "#indicator+merged+num",
    "desk_links": "#indicator+linked+num",
    "refused_payments": "#indicator+payments+refused+num",
    **{return_population(stage): f"#indicator+returnees+{stage.replace('_', '')}+num"
       for stage in RETURN_STAGE_TITLES},
}
_SEX_ATTRIBUTE = {"M": "+m", "F": "+f", TOTAL: "+total"}

Progress = Callable[[str], None]


def _shown(count: int | None, threshold: int) -> str:
    return SUPPRESSED if count is None else str(count)


def table_csv(stats: Statistics, view: dict[str, Any]) -> str:
    """One table as CSV: a header, the HXL hashtag row, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    dimensions: list[str] = view["dimensions"]
    count_tag = HXL_COUNTS.get(view["population"], "#indicator+num")
    if "sex" in dimensions and view["population"] == "registrations":
        keys = [d for d in dimensions if d != "sex"]
        sexes = ["M", "F", TOTAL]
        writer.writerow([*keys, *(f"count {s}" for s in sexes)])
        writer.writerow([*(HXL_DIMENSIONS.get(d, "#meta+" + d) for d in keys),
                         *(count_tag + _SEX_ATTRIBUTE[s] for s in sexes)])
        by_key: dict[tuple[str, ...], dict[str, int | None]] = {}
        for row in view["rows"]:
            by_key.setdefault(tuple(row[d] for d in keys), {})[row["sex"]] = row["count"]
        for key, counts in by_key.items():
            writer.writerow([*(neutralise(k) for k in key),
                             *(_shown(counts.get(s), stats.threshold) for s in sexes)])
    else:
        writer.writerow([*dimensions, "count"])
        writer.writerow([*(HXL_DIMENSIONS.get(d, "#meta+" + d) for d in dimensions),
                         count_tag + ("+total" if count_tag == "#affected" else "")])
        for row in view["rows"]:
            writer.writerow([*(neutralise(str(row[d])) for d in dimensions),
                             _shown(row["count"], stats.threshold)])
    return out.getvalue()


def metadata_rows(stats: Statistics, where: Filter) -> list[tuple[str, str]]:
    """The metadata as (name, value) pairs."""
    meta = stats.metadata(where)
    return [("source", meta["source"]), ("period from", meta["period"]["from"] or ""),
            ("period to", meta["period"]["to"] or ""), ("generated at", meta["generated_at"]),
            ("threshold", str(meta["threshold"])), ("suppression rule", meta["rule"]),
            ("suppressed cells", meta["suppressed_as"]),
            ("filter", f"{where[0]}={where[1]}" if where else "none"),
            *((f"withheld: {item['table']}", item["reason"]) for item in meta["withheld"])]


def write_csv_zip(stats: Statistics, where: Filter = None,
                  progress: Progress | None = None) -> bytes:
    """Every table as a CSV file with its HXL row, and metadata.csv, in one ZIP."""
    buffer = io.BytesIO()
    data = stats.as_json(where)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        meta = io.StringIO()
        csv.writer(meta, lineterminator="\n").writerows([("name", "value"),
                                                          *metadata_rows(stats, where)])
        archive.writestr("metadata.csv", meta.getvalue())
        for view in data["tables"]:
            if progress:
                progress(view["name"])
            archive.writestr(f"{view['name']}.csv", table_csv(stats, view))
    return buffer.getvalue()


def write_xlsx(stats: Statistics, where: Filter = None,
               progress: Progress | None = None) -> bytes:
    """A workbook: a metadata sheet, then one sheet per table with its margins."""
    workbook = Workbook(write_only=True)
    meta = workbook.create_sheet("metadata")
    meta.append(["name", "value"])
    for name, value in metadata_rows(stats, where):
        meta.append([name, value])
    for view in stats.as_json(where)["tables"]:
        if progress:
            progress(view["name"])
        sheet = workbook.create_sheet(view["name"][:31])
        sheet.append([*view["dimensions"], "count"])
        for row in view["rows"]:
            count = row["count"]
            sheet.append([*(neutralise(str(row[d])) for d in view["dimensions"]),
                          count if count is not None else SUPPRESSED])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_json(stats: Statistics, where: Filter = None,
               progress: Progress | None = None) -> bytes:
    """Contract 8 as UTF-8 JSON."""
    if progress:
        progress("json")
    return json.dumps(stats.as_json(where), ensure_ascii=False, indent=1).encode()


WRITERS = {"csv": write_csv_zip, "xlsx": write_xlsx, "json": write_json}
MEDIA_TYPES = {"csv": "application/zip",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "json": "application/json"}
SUFFIXES = {"csv": "zip", "xlsx": "xlsx", "json": "json"}


def write(stats: Statistics, fmt: str, where: Filter = None,
          progress: Progress | None = None) -> bytes:
    """The statistics as a file of the given format."""
    return WRITERS[fmt](stats, where, progress)
