"""Every table's counts equal a brute-force count over the same synthetic registrations
(on SQLite and PostgreSQL), and the published statistics hide every small cell."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from exports.disclosure import audit
from exports.service import Statistics, compute
from exports.tables import TOTAL
from tests.factories import insert_plain_registrations, plain_registration_rows, seed_reference

REGIONS = {"TRP": "West", "BEN": "East", "MIS": "West", "SEB": "South", "KUF": "South"}


def age_band(row: dict[str, Any]) -> str:
    if row["birth_year"] is None:
        return "unknown"
    age = row["registered_on"].year - row["birth_year"]
    for limit, band in ((15, "under_15"), (18, "15_17"), (25, "18_24"), (35, "25_34"),
                        (50, "35_49")):
        if age < limit:
            return band
    return "50_plus"


def brute(rows: list[dict[str, Any]], dimension: str) -> Counter[tuple[str, str]]:
    def value(row: dict[str, Any]) -> str:
        if dimension == "region":
            return REGIONS[row["site"]]
        if dimension == "age_band":
            return age_band(row)
        if dimension == "month":
            return row["registered_on"].strftime("%Y-%m")
        return str(row[dimension])
    return Counter((value(row), row["sex"]) for row in rows)


@pytest.fixture
def statistics(engine: Engine) -> tuple[Statistics, list[dict[str, Any]]]:
    seed_reference(engine)
    rows = plain_registration_rows(400)
    with session_scope(engine) as session:
        insert_plain_registrations(session, rows)
    with session_scope(engine) as session:
        return compute(session=session, threshold=5), rows


DIMENSIONS = ["site", "region", "category", "age_band", "nationality", "month"]


def test_tables_equal_a_brute_force_count(
        statistics: tuple[Statistics, list[dict[str, Any]]]) -> None:
    stats, rows = statistics
    for dimension in DIMENSIONS:
        check_table(stats, rows, dimension)


def check_table(stats: Statistics, rows: list[dict[str, Any]], dimension: str) -> None:
    table = stats.tables[f"registrations_by_{'age' if dimension == 'age_band' else dimension}"]
    expected = brute(rows, dimension)
    entries = table.entries()
    for (value, sex), count in expected.items():
        assert entries[(value, sex)] == count
    assert entries[(TOTAL, TOTAL)] == len(rows)
    assert entries[(TOTAL, "F")] == sum(1 for r in rows if r["sex"] == "F")
    assert sum(v for k, v in entries.items() if TOTAL not in k) == len(rows)


def test_filter_views_equal_a_brute_force_count(
        statistics: tuple[Statistics, list[dict[str, Any]]]) -> None:
    stats, rows = statistics
    cube = stats.tables["registrations_by_age@site"].entries()
    expected = Counter((age_band(r), r["sex"], r["site"]) for r in rows)
    for key, count in expected.items():
        assert cube[key] == count
    march = [r for r in rows if r["registered_on"].month == 3]
    view = stats.view("registrations_by_category", ("month", "2026-03"))
    published = {(r["category"], r["sex"]): r["count"] for r in view["rows"]}
    assert published[(TOTAL, TOTAL)] == len(march)


def test_no_small_cell_is_published_and_the_audit_passes(
        statistics: tuple[Statistics, list[dict[str, Any]]]) -> None:
    stats, _rows = statistics
    small = [c for c, v in stats.values.items() if 0 < v < 5]
    assert small, "the synthetic data should hold small cells"
    assert all(c in stats.hidden for c in small)
    lines = [line for t in stats.tables.values() for line in t.lines()]
    assert audit(stats.values, lines, stats.hidden, 5) == {}
    for name in stats.tables:
        if "@" in name:
            continue
        for row in stats.view(name)["rows"]:
            assert row["count"] is None or not 0 < row["count"] < 5
            assert row["suppressed"] == (row["count"] is None)


def test_weapons_cases_and_pairs_are_counted(engine: Engine) -> None:
    seed_reference(engine)
    with session_scope(engine) as session:
        stats = compute(session=session, threshold=5)
    assert stats.view("weapons_by_type")["rows"][-1]["count"] == 0
    assert stats.headline()["registrations"] == 0
    assert date.today()  # the empty register: every table has its margins
    assert all(stats.view(spec)["rows"] for spec in ("cases_by_pathway", "duplicate_pairs",
                                                       "persons_merged", "desk_links"))
