"""Tables of counts with their margins, and the cells they share.

A table crosses a few dimensions (`site`, `sex` ...); its entries are every combination of the
dimensions' values and `TOTAL` (a marginalised dimension). An entry is a *cell* of a
population (registrations, weapons, cases ...) named by its non-`TOTAL` values only, so the
entry `(site=TRP, sex=TOTAL)` of one table and `(site=TRP)` of another are one cell: the same
number, suppressed or published everywhere alike (linked tables cannot be played off each
other). Every sum a table publishes is a *line*: the entries along one dimension and their
total.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

TOTAL = "TOTAL"

Cell = tuple[str, frozenset[tuple[str, str]]]
"""A population and the (dimension, value) pairs that pick its members."""


@dataclass(frozen=True)
class Line:
    """A published sum: the parts add up to the total."""

    parts: tuple[Cell, ...]
    total: Cell

    def members(self) -> tuple[Cell, ...]:
        """The parts and the total."""
        return (*self.parts, self.total)


@dataclass
class Table:
    """Counts of one population crossed by `dimensions`, with every margin."""

    name: str
    population: str
    dimensions: tuple[str, ...]
    levels: dict[str, list[str]]
    """Each dimension's values, in display order (without TOTAL)."""
    counts: dict[tuple[str, ...], int] = field(default_factory=dict)
    """Interior counts by key (values in `dimensions` order); absent keys are zero."""
    base: str | None = None
    """For a filter view: the table it refines (None for a published table)."""
    filter_dimension: str | None = None

    def keys(self) -> Iterable[tuple[str, ...]]:
        """Every entry's key, interior and margins, TOTAL last along each dimension."""
        return itertools.product(*[[*self.levels[d], TOTAL] for d in self.dimensions])

    def cell(self, key: Sequence[str]) -> Cell:
        """The cell an entry stands for."""
        return (self.population, frozenset((d, v) for d, v in zip(self.dimensions, key,
                                                                    strict=True) if v != TOTAL))

    def entries(self) -> dict[tuple[str, ...], int]:
        """Every entry's count, margins summed from the interior counts."""
        values = dict.fromkeys(self.keys(), 0)
        for key, count in self.counts.items():
            for mask in itertools.product((False, True), repeat=len(key)):
                values[tuple(TOTAL if m else v for v, m in zip(key, mask, strict=True))] += count
        return values

    def lines(self) -> list[Line]:
        """Every sum the table publishes."""
        out = []
        for key in self.keys():
            for position, value in enumerate(key):
                if value != TOTAL:
                    continue
                parts = tuple(self.cell((*key[:position], level, *key[position + 1:]))
                              for level in self.levels[self.dimensions[position]])
                if parts:
                    out.append(Line(parts=parts, total=self.cell(key)))
        return out


def cell_values(tables: Iterable[Table]) -> dict[Cell, int]:
    """The value of every cell of the tables."""
    values: dict[Cell, int] = {}
    for table in tables:
        for key, count in table.entries().items():
            values[table.cell(key)] = count
    return values


def hierarchy_lines(values: Mapping[Cell, int], *, parent: str, child: str,
                    children: Mapping[str, Sequence[str]]) -> list[Line]:
    """Sums a hierarchy publishes across tables: a region's cell is the sum of its sites'
    cells with the same other values, wherever both are published."""
    out = []
    for population, picks in list(values):
        chosen = dict(picks)
        if parent not in chosen or child in chosen:
            continue
        others = frozenset((d, v) for d, v in picks if d != parent)
        parts = tuple((population, others | {(child, c)})
                      for c in children.get(chosen[parent], ()))
        if parts and all(p in values for p in parts):
            out.append(Line(parts=parts, total=(population, picks)))
    return out
