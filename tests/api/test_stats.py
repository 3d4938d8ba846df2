"""The statistics API (contract 8) and the differencing attack of the ADR: a committee member
who reads every published view (each filter in turn) and subtracts cannot recover a small
cell, by hand or by linear programming."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from exports.disclosure import feasible_intervals
from exports.tables import TOTAL, Cell, Line
from tests.factories import (
    insert_plain_registrations,
    plain_registration_rows,
    seed_reference,
    user_headers,
)


def women(site: str, category: str, count: int, month: int | None = None
          ) -> list[dict[str, Any]]:
    return [{"site": site, "sex": "F", "category": category,
             "nationality": "SDN" if category == "foreign_fighter" else "LBY",
             "birth_year": 1990 + n % 20, "registered_on": date(2026, month or 1 + n % 4, 10)}
            for n in range(count)]


# a register of 1,500 with small cells: three women registered at Tripoli in May (the only
# registrations that month), the women of Misrata in few categories, one woman at Kufra
DATA = [*plain_registration_rows(1500, seed=3), *women("MIS", "libyan_combatant", 12),
        *women("MIS", "child", 2), *women("KUF", "foreign_fighter", 1),
        *women("TRP", "associated_civilian", 3, month=5)]
SITES = ["TRP", "BEN", "MIS", "SEB", "ZAW", "KUF", "ZIN", "SRT"]


@pytest.fixture
def committee(client: TestClient, engine: Engine) -> dict[str, str]:
    seed_reference(engine)
    with session_scope(engine) as session:
        insert_plain_registrations(session, DATA)
    client.app.state.stats_cache.compute_now()  # type: ignore[attr-defined]
    return user_headers(client, engine, "committee")


def table(client: TestClient, headers: dict[str, str], name: str, **where: str
          ) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/stats/tables/{name}", params=where, headers=headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["table"]["rows"]
    return rows


def count(rows: list[dict[str, Any]], **picks: str) -> int | None:
    for row in rows:
        if all(row[k] == v for k, v in picks.items()):
            return row["count"]  # type: ignore[no-any-return]
    raise AssertionError(f"no row {picks}")


def test_contract_8(client: TestClient, committee: dict[str, str]) -> None:
    body = client.get("/api/v1/stats", headers=committee).json()
    assert body["metadata"]["threshold"] == 5
    assert "linear programming" in body["metadata"]["rule"]
    assert body["metadata"]["generated_at"]
    by_site = next(t for t in body["tables"] if t["name"] == "registrations_by_site")
    assert by_site["dimensions"] == ["site", "sex"]
    trp = sum(1 for r in DATA if r["site"] == "TRP" and r["sex"] == "M")
    assert {"site": "TRP", "sex": "M", "count": trp, "suppressed": False} in by_site["rows"]
    assert count(by_site["rows"], site="TOTAL", sex="TOTAL") == len(DATA)
    assert count(by_site["rows"], site="KUF", sex="F") is None  # one woman
    for t in body["tables"]:
        for row in t["rows"]:
            assert row["suppressed"] == (row["count"] is None)
            assert row["count"] is None or not 0 < row["count"] < 5, (t["name"], row)


@pytest.mark.parametrize(("dimension", "levels"), [
    ("category", ["libyan_combatant", "foreign_fighter", "associated_civilian", "child"]),
    ("month", ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"])])
def test_the_differencing_attack_fails(client: TestClient, committee: dict[str, str],
                                       dimension: str, levels: list[str]) -> None:
    """Read the table by site and sex, then under each filter value in turn, and subtract
    (the three women of May at Tripoli: Tripoli's women are published, and so is every other
    month): no small cell comes out, by hand or by linear programming."""
    whole = table(client, committee, "registrations_by_site")
    field = {"category": "category", "month": "registered_on"}[dimension]
    truth = Counter((r["site"], r["sex"], r["category"] if dimension == "category"
                     else r[field].strftime("%Y-%m")) for r in DATA)
    targets = [key for key, n in truth.items()
               if 0 < n < 5 and count(whole, site=key[0], sex=key[1]) is not None]
    if dimension == "month":  # May at Tripoli
        assert ("TRP", "F", "2026-05") in targets
    views = {v: table(client, committee, "registrations_by_site", **{dimension: v})
             for v in levels}
    for site in ("TRP", "BEN", "MIS", "SEB", "KUF"):
        for sex in ("M", "F", TOTAL):
            total = count(whole, site=site, sex=sex)
            slices = [count(views[v], site=site, sex=sex) for v in levels]
            if total is not None and sum(1 for s in slices if s is None) == 1:
                derived = total - sum(s for s in slices if s is not None)
                assert not 0 < derived < 5, (site, sex, derived)
    # the attacker's linear program over everything read
    values: dict[Cell, float] = {}
    hidden_cells: set[Cell] = set()
    for value in [None, *levels]:
        for row in whole if value is None else views[value]:
            picks = {("site", row["site"]), ("sex", row["sex"])} - {("site", TOTAL),
                                                                  ("sex", TOTAL)}
            if value is not None:
                picks.add((dimension, value))
            cell: Cell = ("r", frozenset(picks))
            values[cell] = row["count"] or 0
            if row["count"] is None:
                hidden_cells.add(cell)
    lines: list[Line] = []
    for cell in list(values):
        picks = dict(cell[1])
        if dimension not in picks:  # a whole-population cell is the sum over the filter
            lines.append(Line(parts=tuple(("r", cell[1] | {(dimension, v)}) for v in levels),
                              total=cell))
        for dim, dim_levels in (("site", SITES), ("sex", ["M", "F"])):
            if dim not in picks:
                lines.append(Line(parts=tuple(("r", cell[1] | {(dim, v)})
                                              for v in dim_levels), total=cell))
    for site, sex, value in targets:
        assert ("r", frozenset({("site", site), ("sex", sex), (dimension, value)})
                ) in hidden_cells
    intervals = feasible_intervals(values, lines, hidden_cells, hidden_cells)
    for cell, interval in intervals.items():
        assert interval.width() >= 5, (sorted(cell[1]), interval)


def test_filters_are_published_granularities(client: TestClient,
                                             committee: dict[str, str]) -> None:
    two = client.get("/api/v1/stats", params={"site": "TRP", "month": "2026-01"},
                     headers=committee)
    assert two.status_code == 422
    assert two.json()["errors"][0]["field"] == "month"
    unknown = client.get("/api/v1/stats", params={"site": "XXX"}, headers=committee)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "site"
    partial = client.get("/api/v1/stats", params={"month": "2026-1"}, headers=committee)
    assert partial.status_code == 422
    assert client.get("/api/v1/stats/tables/nothing", headers=committee).status_code == 404
    january = table(client, committee, "registrations_by_category", month="2026-01")
    assert count(january, category="TOTAL", sex="TOTAL") == sum(
        1 for r in DATA if r["registered_on"].month == 1)


def test_statistics_are_computed_off_the_request_path(client: TestClient, engine: Engine) -> None:
    """The first request finds none: 503 on the API, a page that waits on the web; a
    background computation then serves them."""
    seed_reference(engine)
    with session_scope(engine) as session:
        insert_plain_registrations(session, DATA[:50])
    headers = user_headers(client, engine, "committee")
    first = client.get("/api/v1/stats/headline", headers=headers)
    assert first.status_code == 503
    assert "being computed" in first.json()["detail"]
    client.app.state.stats_cache.wait()  # type: ignore[attr-defined]
    ready = client.get("/api/v1/stats/headline", headers=headers)
    assert ready.status_code == 200
    assert set(ready.json()["figures"]) >= {"registrations", "women_and_girls"}


def test_files_and_headline(client: TestClient, committee: dict[str, str]) -> None:
    headline = client.get("/api/v1/stats/headline", headers=committee).json()["figures"]
    assert headline["registrations"] == len(DATA)
    assert headline["women_and_girls"] == sum(1 for r in DATA if r["sex"] == "F")
    response = client.get("/api/v1/stats/export", params={"format": "csv"}, headers=committee)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "registrations_by_site.csv" in archive.namelist()
    as_json = client.get("/api/v1/stats/export", params={"format": "json"}, headers=committee)
    assert json.loads(as_json.content)["metadata"]["threshold"] == 5


def test_only_an_admin_raises_the_threshold(client: TestClient, engine: Engine,
                                            committee: dict[str, str]) -> None:
    admin = user_headers(client, engine, "admin")
    put = "/api/v1/stats/threshold"
    assert client.put(put, json={"threshold": 10}, headers=committee).status_code == 403
    assert client.put(put, json={"threshold": 10}, headers=admin).status_code == 200
    lower = client.put(put, json={"threshold": 6}, headers=admin)
    assert lower.status_code == 422
    assert lower.json()["errors"][0]["field"] == "threshold"
    # figures computed under 5 are not served once the threshold is 10
    pending = client.get("/api/v1/stats", headers=committee)
    assert pending.status_code == 503
    client.app.state.stats_cache.wait()  # type: ignore[attr-defined]
    body = client.get("/api/v1/stats", headers=committee).json()
    assert body["metadata"]["threshold"] == 10
    by_site = next(t for t in body["tables"] if t["name"] == "registrations_by_site")
    assert count(by_site["rows"], site="KUF", sex="F") is None
