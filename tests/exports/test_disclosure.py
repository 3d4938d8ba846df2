"""Suppression and its audit on tables built to be hard: a site with one woman, a row with a
single small cell, random sparse tables; no published cell from 1 to threshold - 1, no
suppressed cell narrower than the threshold, margins equal to the sums they stand for."""

from __future__ import annotations

import random

import pytest

from exports.disclosure import audit, feasible_intervals, primary, suppress
from exports.tables import TOTAL, Cell, Line, Table, cell_values

THRESHOLD = 5


def site_sex(counts: dict[tuple[str, str], int], sites: list[str]) -> Table:
    return Table(name="t", population="registrations", dimensions=("site", "sex"),
                 levels={"site": sites, "sex": ["M", "F"]}, counts=counts)


def protect(tables: list[Table], threshold: int = THRESHOLD
            ) -> tuple[dict[Cell, int], list[Line], set[Cell]]:
    values = cell_values(tables)
    lines = [line for table in tables for line in table.lines()]
    return values, lines, suppress(values, lines, threshold)


def check(values: dict[Cell, int], lines: list[Line], hidden: set[Cell],
          threshold: int = THRESHOLD) -> None:
    published_small = [c for c, v in values.items() if 0 < v < threshold and c not in hidden]
    assert published_small == []
    assert audit(values, lines, hidden, threshold) == {}
    for line in lines:  # margins are the sums of their parts
        assert sum(values[p] for p in line.parts) == values[line.total]
        assert sum(1 for m in line.members() if m in hidden) != 1


ONE_WOMAN = {("TRP", "M"): 40, ("TRP", "F"): 1, ("BEN", "M"): 30, ("BEN", "F"): 12,
             ("MIS", "M"): 25, ("MIS", "F"): 9}
SINGLE_SMALL_CELL = {("TRP", "M"): 40, ("TRP", "F"): 2, ("BEN", "M"): 30, ("BEN", "F"): 12}
SMALL_SITE = {("TRP", "M"): 40, ("TRP", "F"): 8, ("BEN", "M"): 3, ("BEN", "F"): 1,
              ("MIS", "M"): 25, ("MIS", "F"): 9}
ALL_ONES = {("TRP", "M"): 1, ("TRP", "F"): 1, ("BEN", "M"): 1, ("BEN", "F"): 1}


@pytest.mark.parametrize("counts", [ONE_WOMAN, SINGLE_SMALL_CELL, SMALL_SITE, ALL_ONES],
                         ids=["a site with one woman", "a single small cell in two rows",
                              "a small site", "every cell one"])
def test_hard_tables_pass_the_audit(counts: dict[tuple[str, str], int]) -> None:
    sites = sorted({site for site, _ in counts})
    table = site_sex(counts, sites)
    values, lines, hidden = protect([table])
    check(values, lines, hidden)
    assert primary(values, THRESHOLD) <= hidden


def test_the_lone_woman_is_not_the_difference_of_published_figures() -> None:
    table = site_sex(ONE_WOMAN, ["TRP", "BEN", "MIS"])
    values, lines, hidden = protect([table])
    woman = table.cell(("TRP", "F"))
    assert woman in hidden
    interval = feasible_intervals(values, lines, hidden, [woman])[woman]
    assert interval.low <= 1 <= (interval.high or float("inf"))
    assert interval.width() >= THRESHOLD
    # without the secondary cells the row total gives her away
    alone = feasible_intervals(values, lines, {woman}, [woman])[woman]
    assert alone.low == alone.high == 1


def test_a_weak_pattern_fails_the_audit() -> None:
    """Four suppressed ones in a rectangle: each can only move by one either way."""
    table = site_sex({("TRP", "M"): 1, ("TRP", "F"): 1, ("BEN", "M"): 1, ("BEN", "F"): 1,
                      ("MIS", "M"): 20, ("MIS", "F"): 20}, ["TRP", "BEN", "MIS"])
    values = cell_values([table])
    interior = {table.cell((s, x)) for s in ("TRP", "BEN") for x in ("M", "F")}
    totals = {table.cell((s, TOTAL)) for s in ("TRP", "BEN")}
    failing = audit(values, table.lines(), interior | totals, THRESHOLD)
    assert set(failing) == interior | totals


def test_linked_tables_share_their_cells() -> None:
    """The same sex totals in two tables: suppressed in both or published in both."""
    by_site = site_sex(ONE_WOMAN, ["TRP", "BEN", "MIS"])
    by_category = Table(name="c", population="registrations", dimensions=("category", "sex"),
                        levels={"category": ["a", "b"], "sex": ["M", "F"]},
                        counts={("a", "M"): 93, ("a", "F"): 19, ("b", "M"): 2, ("b", "F"): 3})
    values, lines, hidden = protect([by_site, by_category])
    check(values, lines, hidden)
    assert by_site.cell((TOTAL, "F")) == by_category.cell((TOTAL, "F"))


@pytest.mark.parametrize("seed", range(12))
def test_random_sparse_tables(seed: int) -> None:
    rng = random.Random(seed)
    sites = [f"S{i}" for i in range(rng.randint(2, 6))]
    groups = [f"g{i}" for i in range(rng.randint(2, 4))]
    counts = {}
    for site in sites:
        for sex in ("M", "F"):
            for group in groups:
                counts[(site, sex, group)] = rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15, 40])
    table = Table(name="r", population="p", dimensions=("site", "sex", "group"),
                  levels={"site": sites, "sex": ["M", "F"], "group": groups}, counts=counts)
    values, lines, hidden = protect([table])
    check(values, lines, hidden)



def test_the_audit_fails_exactly_the_cells_whose_exact_interval_is_narrow() -> None:
    """The audit skips solving for a cell the solutions found so far already show wide
    enough: on random tables with random cells suppressed besides the primary ones (some
    primary cells left narrow, some made wide) it still fails exactly the primary cells whose
    exactly computed interval is narrower than the threshold, with that interval."""
    kinds = {"narrow": 0, "wide": 0}
    for seed in range(12):
        rng = random.Random(seed)
        sites = [f"S{i}" for i in range(rng.randint(3, 7))]
        groups = [f"g{i}" for i in range(rng.randint(2, 4))]
        counts = {(site, sex, group): rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40])
                  for site in sites for sex in ("M", "F") for group in groups}
        table = Table(name="r", population="p", dimensions=("site", "sex", "group"),
                      levels={"site": sites, "sex": ["M", "F"], "group": groups}, counts=counts)
        values = cell_values([table])
        lines = table.lines()
        hidden = primary(values, THRESHOLD) | {c for c in values if rng.random() < 0.5}
        exact = feasible_intervals(values, lines, hidden, primary(values, THRESHOLD))
        narrow = {c for c, interval in exact.items() if interval.width() < THRESHOLD - 1e-6}
        failing = audit(values, lines, hidden, THRESHOLD)
        assert set(failing) == narrow, seed
        assert all(interval == exact[cell] for cell, interval in failing.items())
        kinds["narrow"] += len(narrow)
        kinds["wide"] += len(exact) - len(narrow)
    assert kinds["narrow"] > 50, kinds
    assert kinds["wide"] > 50, kinds
