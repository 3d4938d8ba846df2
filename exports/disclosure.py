"""Disclosure control: primary and secondary suppression, and the linear-programming audit.

Primary: a cell counting 1 to threshold - 1 people is suppressed. Secondary: wherever a
published sum (a line) would leave a single suppressed member, another member is suppressed
too (the smallest one holding at least `threshold`, else the largest), so no suppressed
cell is the difference of published figures. The pattern is heuristic; the audit is exact:
for each primary cell, linear programming (HiGHS, through its own Python interface) finds the
least and greatest value it can take given every published cell and every line of every table
of its population, and the interval must be at least `threshold` wide. Where it is not, the
cell's lines lose more cells and the audit runs again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csc_matrix

from exports.tables import Cell, Line

DEFAULT_THRESHOLD = 5
RULE = ("primary: counts from 1 to {low} suppressed (threshold {threshold}); secondary: "
        "complementary cells suppressed so that every suppressed cell's feasible interval, "
        "computed by linear programming from all published cells and margins, is at least "
        "{threshold} wide; zeros are published")
MAX_ROUNDS = 20
_UNBOUNDED = (highspy.HighsModelStatus.kUnbounded,
              highspy.HighsModelStatus.kUnboundedOrInfeasible)


def rule_text(threshold: int) -> str:
    """The rule applied, as stated in each output's metadata."""
    return RULE.format(low=threshold - 1, threshold=threshold)


@dataclass(frozen=True)
class Interval:
    """Where a suppressed cell may lie given everything published (upper None: unbounded)."""

    low: float
    high: float | None

    def width(self) -> float:
        """How wide the interval is (infinite when unbounded)."""
        return float("inf") if self.high is None else self.high - self.low


def _order(cell: Cell) -> tuple[str, list[tuple[str, str]]]:
    """A fixed order of cells: the same data gives the same pattern on every refresh (two
    patterns of one table could be combined)."""
    return cell[0], sorted(cell[1])


def primary(values: Mapping[Cell, int], threshold: int) -> set[Cell]:
    """Cells counting 1 to threshold - 1."""
    return {cell for cell, value in values.items() if 0 < value < threshold}


def _complement(line: Line, values: Mapping[Cell, int], hidden: set[Cell], threshold: int,
                by_cell: Mapping[Cell, list[Line]]) -> Cell | None:
    """The member of a line to suppress beside its single suppressed one: a part holding at
    least `threshold` that opens the fewest other lines (each line it is the only suppressed
    member of needs a complement in turn), the smallest such."""
    def opened(cell: Cell) -> int:
        return sum(1 for other in by_cell.get(cell, ())
                   if not any(m in hidden for m in other.members()))

    open_parts = [c for c in line.parts if c not in hidden and values[c] > 0]
    big = [c for c in open_parts if values[c] >= threshold]
    if big:
        return min(big, key=lambda c: (opened(c), values[c], _order(c)))
    if open_parts:
        return max(open_parts, key=lambda c: (values[c], _order(c)))
    if line.total not in hidden and values[line.total] > 0:
        return line.total
    zeros = [c for c in line.parts if c not in hidden]
    return zeros[0] if zeros else (line.total if line.total not in hidden else None)


def _close_lines(lines: list[Line], values: Mapping[Cell, int], hidden: set[Cell],
                 threshold: int, by_cell: Mapping[Cell, list[Line]]) -> None:
    """Suppress complements until no line has exactly one suppressed member."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = line.members()
            if sum(1 for m in members if m in hidden) == 1:
                extra = _complement(line, values, hidden, threshold, by_cell)
                if extra is not None:
                    hidden.add(extra)
                    changed = True


def _components(cells: set[Cell], lines: list[Line]) -> dict[Cell, int]:
    """Label suppressed cells by the group of lines that tie them together (union-find)."""
    parent = {cell: cell for cell in cells}

    def find(cell: Cell) -> Cell:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for line in lines:
        members = [m for m in line.members() if m in parent]
        for other in members[1:]:
            parent[find(other)] = find(members[0])
    roots: dict[Cell, int] = {}
    return {cell: roots.setdefault(find(cell), len(roots)) for cell in cells}


def feasible_intervals(values: Mapping[Cell, int], lines: Iterable[Line], hidden: set[Cell],
                       targets: Iterable[Cell], enough: float | None = None
                       ) -> dict[Cell, Interval]:
    """The least and greatest value of each target (a suppressed cell) given the published
    cells and every line, by linear programming over the target's connected group.

    With `enough` (an audit asking only whether each interval is that wide), a target whose
    values in the solutions already found for other targets lie `enough` apart is not solved
    for: its interval is given as the values seen, which its feasible interval contains."""
    relevant = [line for line in lines if any(m in hidden for m in line.members())]
    label = _components(hidden, relevant)
    groups: dict[int, list[Line]] = {}
    for line in relevant:
        first = next(m for m in line.members() if m in hidden)
        groups.setdefault(label[first], []).append(line)
    out: dict[Cell, Interval] = {}
    by_group: dict[int, list[Cell]] = {}
    for cell in sorted(targets, key=_order):
        by_group.setdefault(label[cell], []).append(cell)
    for group, cells in by_group.items():
        group_lines = groups.get(group, [])
        variables = sorted({m for line in group_lines for m in line.members() if m in hidden}
                           | set(cells), key=_order)
        index = {cell: i for i, cell in enumerate(variables)}
        rows, cols, data, rhs = [], [], [], []
        for r, line in enumerate(group_lines):
            constant = 0.0
            for member, sign in [*((p, 1.0) for p in line.parts), (line.total, -1.0)]:
                if member in hidden:
                    rows.append(r)
                    cols.append(index[member])
                    data.append(sign)
                else:
                    constant += sign * values[member]
            rhs.append(-constant)
        matrix = coo_matrix((data, (rows, cols)),
                            shape=(len(group_lines), len(variables))).tocsc()
        for position, interval in _bounds(matrix, np.asarray(rhs, dtype=float),
                                          [index[c] for c in cells], enough).items():
            out[cells[position]] = interval
    return out


def _bounds(matrix: csc_matrix, rhs: np.ndarray, targets: list[int],
            enough: float | None = None) -> dict[int, Interval]:
    """Minimise and maximise each target variable subject to matrix @ x = rhs, x >= 0: one
    HiGHS model per group, its objective changed per target (each solve starts warm). Every
    solution is a feasible point: with `enough`, a target it and the others before it have
    already shown `enough` apart is not solved for (see `feasible_intervals`)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")  # a warm simplex start beats presolving again
    lp = highspy.HighsLp()
    rows, cols = matrix.shape
    lp.num_col_, lp.num_row_ = cols, rows
    lp.col_cost_ = np.zeros(cols)
    lp.col_lower_ = np.zeros(cols)
    lp.col_upper_ = np.full(cols, highspy.kHighsInf)
    lp.row_lower_ = rhs
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs.passModel(lp)
    out: dict[int, Interval] = {}
    lowest, highest = np.full(cols, np.inf), np.full(cols, -np.inf)  # values seen
    for position, target in enumerate(targets):
        if enough is not None and highest[target] - lowest[target] >= enough:
            out[position] = Interval(low=float(lowest[target]), high=float(highest[target]))
            continue
        ends: list[float | None] = []
        for sense in (1.0, -1.0):
            highs.changeColCost(target, sense)
            highs.run()
            status = highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                ends.append(sense * highs.getInfo().objective_function_value)
                seen = np.asarray(highs.getSolution().col_value)
                np.minimum(lowest, seen, out=lowest)
                np.maximum(highest, seen, out=highest)
            elif sense < 0 and status in _UNBOUNDED:
                ends.append(None)
            else:
                raise ValueError(f"published figures are inconsistent: {status}")
        highs.changeColCost(target, 0.0)
        low, high = ends
        assert low is not None
        out[position] = Interval(low=low, high=high)
    return out


def audit(values: Mapping[Cell, int], lines: list[Line], hidden: set[Cell],
          threshold: int) -> dict[Cell, Interval]:
    """The primary cells whose feasible interval is narrower than the threshold."""
    targets = primary(values, threshold)
    intervals = feasible_intervals(values, lines, hidden, targets, enough=threshold)
    return {cell: iv for cell, iv in intervals.items() if iv.width() < threshold - 1e-6}


def suppress(values: Mapping[Cell, int], lines: list[Line], threshold: int) -> set[Cell]:
    """The cells to suppress: primary cells and enough complements to pass the audit.

    A cell that passes stays passing as more cells are suppressed (a suppressed cell is one
    more unknown: every interval can only widen), so each round audits only the cells that
    failed the round before, and widens each through one of its lines."""
    hidden = primary(values, threshold)
    by_cell: dict[Cell, list[Line]] = {}
    for line in lines:
        for member in line.members():
            by_cell.setdefault(member, []).append(line)
    _close_lines(lines, values, hidden, threshold, by_cell)
    failing = sorted(audit(values, lines, hidden, threshold), key=_order)
    for _ in range(MAX_ROUNDS):
        if not failing:
            return hidden
        for cell in failing:
            binding = _binding(values, lines, hidden, cell)
            if binding:  # the published figure that most limits the cell
                hidden.add(binding)
                continue
            choices = [_complement(line, values, hidden, threshold, by_cell)
                       for line in by_cell.get(cell, [])]
            usable = [c for c in choices if c is not None]
            if usable:  # the largest complement widens most
                hidden.add(max(usable, key=lambda c: (values[c], _order(c))))
        _close_lines(lines, values, hidden, threshold, by_cell)
        failing = _narrow(values, lines, hidden, threshold, failing)
    reach = set(failing)
    while failing:  # last resort, around the failing cells: first the zeros that pin them
        around = {m for cell in reach for line in by_cell.get(cell, []) for m in line.members()}
        zeros = {m for m in around if values[m] == 0 and m not in hidden}
        if zeros:
            hidden.update(zeros)
        elif around <= reach:
            raise RuntimeError("no suppression pattern passes the audit")
        else:  # then whole lines, wider each round
            hidden.update(around)
            reach |= around
        _close_lines(lines, values, hidden, threshold, by_cell)
        failing = _narrow(values, lines, hidden, threshold, failing)
    return hidden


def _binding(values: Mapping[Cell, int], lines: list[Line], hidden: set[Cell],
             cell: Cell) -> Cell | None:
    """The published cell whose value most limits how high `cell` can go: maximise it with
    the published members of its group's lines as variables fixed at their values, and take
    the one with the largest dual value (the most binding), preferring non-zero cells."""
    label = _components(hidden, lines)
    group = label[cell]
    group_lines = [line for line in lines
                   if any(m in hidden and label[m] == group for m in line.members())]
    variables = sorted({m for line in group_lines for m in line.members()}, key=_order)
    index = {c: i for i, c in enumerate(variables)}
    rows, cols, data = [], [], []
    for r, line in enumerate(group_lines):
        for member, sign in [*((p, 1.0) for p in line.parts), (line.total, -1.0)]:
            rows.append(r)
            cols.append(index[member])
            data.append(sign)
    matrix = coo_matrix((data, (rows, cols)), shape=(len(group_lines), len(variables))).tocsc()
    fixed = np.array([c not in hidden for c in variables])
    known = np.array([float(values[c]) for c in variables])
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(variables), len(group_lines)
    lp.col_cost_ = np.zeros(len(variables))
    lp.col_cost_[index[cell]] = -1.0
    lp.col_lower_ = np.where(fixed, known, 0.0)
    lp.col_upper_ = np.where(fixed, known, highspy.kHighsInf)
    lp.row_lower_ = np.zeros(len(group_lines))
    lp.row_upper_ = np.zeros(len(group_lines))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    duals = np.abs(np.asarray(highs.getSolution().col_dual))
    candidates = [(variables[i], duals[i]) for i in range(len(variables))
                  if fixed[i] and duals[i] > 1e-9]
    if not candidates:
        return None
    return max(candidates, key=lambda cd: (values[cd[0]] > 0, cd[1], -values[cd[0]],
                                           _order(cd[0])))[0]


def _narrow(values: Mapping[Cell, int], lines: list[Line], hidden: set[Cell], threshold: int,
            cells: list[Cell]) -> list[Cell]:
    """Those of `cells` whose interval is still narrower than the threshold."""
    intervals = feasible_intervals(values, lines, hidden, cells, enough=threshold)
    return [c for c in cells if intervals[c].width() < threshold - 1e-6]
