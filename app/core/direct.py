"""Statements compiled once and run straight on the driver's cursor.

The write phase of a registration runs a dozen statements while SQLite's one writer is held.
Through :meth:`sqlalchemy.engine.Connection.execute`, each costs several times what the
driver spends on it (cache keys, execution context, events, result set-up), and on a busy
server that overhead is paid by the thread every registration waits for. A
:class:`DirectStatement` is a Core statement compiled by SQLAlchemy once per dialect; running it
converts the parameters with the same bind processors SQLAlchemy would apply, in the
transaction of the given connection, and raises SQLAlchemy's wrapped driver errors (so an
:class:`~sqlalchemy.exc.IntegrityError` is still an ``IntegrityError``).

A :class:`DirectStatement` is only for statements whose parameters are complete (no column
defaults are filled in) and whose results, if any, are plain values (no result processing):
inserts, counters. A :class:`DirectQuery` is a select run the same way, its list parameters
expanded as SQLAlchemy would and its rows converted by the columns' own result processors.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, exc, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None
    """Parameter names in order for a positional driver (SQLite), None for a named one."""
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]


class DirectStatement:
    """A Core statement run on the driver's cursor of a connection.

    Args:
        statement: The statement (an insert of a table, a `text()` with bound parameters).
        columns: For an insert, the columns given (others are left out of the statement).
    """

    def __init__(self, statement: ClauseElement, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.columns = list(columns) if columns is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect,
                                                                column_keys=self.columns))
            names = compiled.positiontup
            processors = compiled._bind_processors  # what execute would apply
            single: list[tuple[str, Callable[[Any], Any]]] = []
            for name, process in processors.items():
                if not callable(process):  # a tuple-valued parameter: not supported here
                    raise TypeError(f"{name}: only single-valued parameters are supported")
                single.append((name, process))
            found = _Compiled(compiled.string, tuple(names) if names is not None else None,
                              tuple(single))
            self._by_dialect[dialect.name] = found
        return found

    def _parameters(self, compiled: _Compiled, params: Mapping[str, Any]) -> Any:
        if not compiled.processors:
            values = params
        else:
            values = dict(params)
            for name, process in compiled.processors:
                if name in values:
                    values[name] = process(values[name])
        if compiled.names is None:
            return values
        return tuple(values[name] for name in compiled.names)

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """Run the statement with `params` in `connection`'s transaction; the driver's cursor
        (fetch a RETURNING value from it)."""
        compiled = self._compiled(connection.dialect)
        return _run(connection, compiled.sql, self._parameters(compiled, params))


def _run(connection: Connection, sql: str, parameters: Any) -> Any:
    """Run `sql` on the driver's cursor of `connection` (in its transaction); the cursor.
    A driver error is raised as SQLAlchemy's wrapped error."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, parameters)
    except connection.dialect.loaded_dbapi.Error as error:
        raise exc.DBAPIError.instance(sql, parameters, error,
                                      connection.dialect.loaded_dbapi.Error) from error
    return cursor


def column_values(instance: Any) -> dict[str, Any]:
    """A new row's column values, from the model instance that holds them (for an insert of
    every column)."""
    return {c.key: getattr(instance, c.key) for c in instance.__table__.columns}


class DirectInsertMany:
    """An insert of several rows of one table in few statements (one step of the driver per
    statement, not one per row as with executemany), compiled once per dialect and size.

    Statements are compiled for row counts that are powers of two (up to one whose
    parameters stay well under the drivers' limits), and the rows are cut into such chunks:
    any number of rows takes at most a few statements and a handful of compiled forms, where
    a statement per row count would compile anew for nearly every group of registrations.

    Args:
        table: The table (or model class) to insert into.
        columns: The columns each row gives.
    """

    MAX_PARAMETERS = 16_000
    """Parameters of one statement at most (SQLite allows 32,766, PostgreSQL 65,535)."""

    def __init__(self, table: Any, columns: Sequence[str]) -> None:
        self.table = table
        self.columns = list(columns)
        self._by_count: dict[int, DirectStatement] = {}
        self._processors: dict[str, tuple[tuple[str, Callable[[Any], Any] | None], ...]] = {}
        """Per dialect, each column with the bind processor of its values."""
        largest = 1
        while largest * 2 * len(self.columns) <= self.MAX_PARAMETERS:
            largest *= 2
        self._largest = largest

    def execute(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        """Insert `rows` (each a mapping of every column of `columns`), in order."""
        rows = list(rows)
        start = 0
        while start < len(rows):
            size = min(self._largest, 1 << ((len(rows) - start).bit_length() - 1))
            chunk = rows[start:start + size]
            statement = self._statement(size)
            compiled = statement._compiled(connection.dialect)
            if compiled.names is None:  # a driver with named parameters
                statement.execute(connection, {
                    f"{column}_m{i}": row[column]
                    for i, row in enumerate(chunk) for column in self.columns})
            else:  # positional (SQLite): the values in column order, row after row
                _run(connection, compiled.sql, self._positional(connection.dialect, chunk))
            start += size

    def _positional(self, dialect: Dialect, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The parameters of `rows` for the positional form of the statement: what
        :meth:`DirectStatement._parameters` gives, without naming every value."""
        pairs = self._processors.get(dialect.name)
        if pairs is None:
            pairs = self._processors[dialect.name] = tuple(
                (column, _bind_processor(self.table, column, dialect))
                for column in self.columns)
        return [value if process is None or value is None else process(value)
                for row in rows for column, process in pairs
                for value in (row[column],)]

    def _statement(self, size: int) -> DirectStatement:
        statement = self._by_count.get(size)
        if statement is None:
            blank = dict.fromkeys(self.columns)
            statement = DirectStatement(insert(self.table).values([blank] * size))
            self._by_count[size] = statement
        return statement


def _bind_processor(table: Any, column: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The bind processor SQLAlchemy applies to a value of `table`'s `column` on `dialect`."""
    sa_table = getattr(table, "__table__", table)
    return cast(Callable[[Any], Any] | None,
                sa_table.c[column].type._cached_bind_processor(dialect))


@dataclass(frozen=True)
class _Expanded:
    sql: str
    recipe: tuple[tuple[str | None, int | None, Callable[[Any], Any] | None, Any], ...]
    """Per parameter of the driver, in order: the parameter it comes from (None: a value
    the statement holds, such as a LIMIT), the position in its list (None: a single value),
    the bind processor of its values and the value held by the statement."""
    named: tuple[str, ...] | None
    """For a driver with named parameters, the name of each parameter of `recipe`."""


class DirectQuery:
    """A Core select run on the driver's cursor of a connection, its rows converted by the
    selected columns' result processors (the values :meth:`Connection.execute` would give).

    The statement is compiled once per dialect; its expanding (list) parameters are expanded
    by SQLAlchemy once per dialect and list lengths, then only filled in. The hot reads of a
    registration (its candidates, whether its id is taken, documents it shares) run through
    it, saving most of SQLAlchemy's cost per execution.

    Args:
        statement: The select; its selected columns' keys name the fields of each row.
    """

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        columns = list(statement.selected_columns)
        self.row: Any = namedtuple("Row", [c.key for c in columns])  # type: ignore[misc]
        self._columns = columns
        self._compiled: dict[str, SQLCompiler] = {}
        self._results: dict[str, tuple[Callable[[Any], Any] | None, ...]] = {}
        self._expanded: dict[tuple[Any, ...], _Expanded] = {}

    def all(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Run the statement with `params` (a list for each expanding parameter) in
        `connection`'s transaction; every row, as a named tuple."""
        dialect = connection.dialect
        if any(isinstance(v, set | frozenset) for v in params.values()):
            params = {k: list(v) if isinstance(v, set | frozenset) else v
                      for k, v in params.items()}
        key = (dialect.name, *params,
               *(len(v) if isinstance(v, list | tuple) else -1 for v in params.values()))
        expanded = self._expanded.get(key)
        if expanded is None:
            expanded = self._expand(dialect, params)
            self._expanded[key] = expanded
        values = [
            (value if process is None or value is None else process(value))
            for name, index, process, held in expanded.recipe
            for value in ((held if name is None else params[name] if index is None
                           else params[name][index]),)]
        parameters: Any = (values if expanded.named is None
                           else dict(zip(expanded.named, values, strict=True)))
        cursor = _run(connection, expanded.sql, parameters)
        processors = self._results[dialect.name]
        make = self.row._make
        if not any(processors):
            return [make(raw) for raw in cursor.fetchall()]
        return [make([v if p is None or v is None else p(v)
                      for v, p in zip(raw, processors, strict=True)])
                for raw in cursor.fetchall()]

    def _expand(self, dialect: Dialect, params: Mapping[str, Any]) -> _Expanded:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect))
            self._compiled[dialect.name] = compiled
            self._results[dialect.name] = tuple(
                c.type._cached_result_processor(dialect, None) for c in self._columns)
        state = compiled.construct_expanded_state(dict(params), escape_names=False)
        origin: dict[str, tuple[str, int | None]] = {}
        for name, expanded_names in state.parameter_expansion.items():
            for i, expanded_name in enumerate(expanded_names):
                origin[expanded_name] = (name, i)
        order = (list(state.positiontup) if state.positiontup is not None
                 else list(state.parameters))
        recipe: list[tuple[str | None, int | None, Callable[[Any], Any] | None, Any]] = []
        for name in order:
            source, index = origin.get(name, (name, None))
            # an expanded value's processor comes with the expansion, a single value's with
            # the statement
            process = (state.processors.get(name) if name in origin
                       else compiled._bind_processors.get(name))
            if process is not None and not callable(process):
                raise TypeError(f"{name}: only single-valued parameters are supported")
            if source in params:
                recipe.append((source, index, process, None))
            else:  # a value of the statement's own (a LIMIT)
                recipe.append((None, None, process, state.parameters[name]))
        return _Expanded(state.statement, tuple(recipe),
                         None if state.positiontup is not None else tuple(order))
