"""Statistics files: every CSV parses with libhxl (its hashtag row on the second line), the
XLSX opens with openpyxl with a sheet per table and the metadata, JSON follows contract 8;
`ddr export stats` writes them with exit 0, and refuses a bad format with exit 2."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import hxl
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from exports import writers
from exports.catalogue import TABLES
from exports.service import Statistics, compute
from tests.factories import insert_plain_registrations, plain_registration_rows, seed_reference
from tests.test_cli import ddr


@pytest.fixture
def stats(engine: Engine) -> Statistics:
    seed_reference(engine)
    with session_scope(engine) as session:
        insert_plain_registrations(session, plain_registration_rows(300, seed=11))
    with session_scope(engine) as session:
        return compute(session=session, threshold=5)


def test_csv_files_parse_with_libhxl(stats: Statistics, tmp_path: Path) -> None:
    archive = zipfile.ZipFile(io.BytesIO(writers.write(stats, "csv")))
    assert sorted(archive.namelist()) == sorted(["metadata.csv",
                                                 *(f"{t.name}.csv" for t in TABLES)])
    for spec in TABLES:
        path = tmp_path / f"{spec.name}.csv"
        path.write_bytes(archive.read(f"{spec.name}.csv"))
        second_line = path.read_text(encoding="utf-8").splitlines()[1]
        assert second_line.startswith("#"), spec.name
        source = hxl.data(str(path), hxl.InputOptions(allow_local=True))
        tags = [column.display_tag for column in source.columns]
        assert all(tags), (spec.name, tags)
        rows = [row.values for row in source]
        assert rows, spec.name
    by_site = hxl.data(str(tmp_path / "registrations_by_site.csv"),
                       hxl.InputOptions(allow_local=True))
    assert [c.display_tag for c in by_site.columns] == [
        "#loc+code", "#affected+m", "#affected+f", "#affected+total"]
    total = next(r for r in by_site if r.get("#loc+code") == "TOTAL")
    assert total.get("#affected+total") == "300"
    for spec in TABLES:  # no small figure in any file
        for row in csv.reader(io.StringIO(archive.read(f"{spec.name}.csv").decode())):
            for value in row:
                assert not (value.isdigit() and 0 < int(value) < 5), (spec.name, row)
    meta = dict(csv.reader(io.StringIO(archive.read("metadata.csv").decode())))
    assert meta["threshold"] == "5"
    assert "linear programming" in meta["suppression rule"]


def test_xlsx_has_a_sheet_per_table_and_the_metadata(stats: Statistics) -> None:
    workbook = load_workbook(io.BytesIO(writers.write(stats, "xlsx")), read_only=True)
    assert workbook.sheetnames == ["metadata", *(t.name for t in TABLES)]
    meta = {row[0]: row[1] for row in workbook["metadata"].iter_rows(min_row=2,
                                                                      values_only=True)}
    assert set(meta) >= {"source", "period from", "period to", "generated at", "threshold",
                         "suppression rule"}
    rows = list(workbook["registrations_by_site"].iter_rows(values_only=True))
    assert rows[0] == ("site", "sex", "count")
    assert ("TOTAL", "TOTAL", 300) in rows
    for name in workbook.sheetnames[1:]:
        for row in workbook[name].iter_rows(min_row=2, values_only=True):
            assert row[-1] == "x" or not 0 < row[-1] < 5, (name, row)


def test_json_is_contract_8(stats: Statistics) -> None:
    body = json.loads(writers.write(stats, "json"))
    assert set(body) == {"metadata", "tables"}
    assert {"threshold", "rule", "generated_at"} <= set(body["metadata"])
    for table in body["tables"]:
        assert {"name", "dimensions", "rows"} <= set(table)
        for row in table["rows"]:
            assert set(table["dimensions"]) | {"count", "suppressed"} <= set(row)
        totals = [r for r in table["rows"] if all(r[d] == "TOTAL" for d in table["dimensions"])]
        assert len(totals) == 1, table["name"]  # every table carries its margins


def test_ddr_export_stats(tmp_path: Path, database_url: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / ".url").write_text(database_url)
    assert ddr(work, "init").returncode == 0
    result = ddr(work, "export", "stats", "--format", "json", "--out", "stats.json")
    assert result.returncode == 0, result.stderr
    assert "tables=" in result.stdout
    assert json.loads((work / "stats.json").read_text())["metadata"]["threshold"] == 5
    xlsx = ddr(work, "export", "stats", "--format", "xlsx", "--out", "stats.xlsx",
               "--month", "2026-01")
    assert xlsx.returncode == 2  # no registrations: no such month
    assert "month" in xlsx.stderr
    bad = ddr(work, "export", "stats", "--format", "pdf", "--out", "stats.pdf")
    assert bad.returncode == 2
    assert "--format" in bad.stderr
    two = ddr(work, "export", "stats", "--format", "csv", "--out", "s.zip", "--site", "TRP",
              "--month", "2026-01")
    assert two.returncode == 2
