"""Statements compiled once and run straight on the driver's cursor.

The write phase of a registration runs a dozen statements while SQLite's one writer is held.
Through :meth:`sqlalchemy.engine.Connection.execute`, each costs several times what the
driver spends on it (cache keys, execution context, events, result set-up), and on a busy
server that overhead is paid by the thread every registration waits for. A
:class:`DirectStatement` is a Core statement compiled by SQLAlchemy once per dialect; running it
converts the parameters with the same bind processors SQLAlchemy would apply, in the
transaction of the given connection, and raises SQLAlchemy's wrapped driver errors (so an
:class:`~sqlalchemy.exc.IntegrityError` is still an ``IntegrityError``).

Only for statements whose parameters are complete (no column defaults are filled in) and whose
results, if any, are plain values (no result processing): inserts, counters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import exc, insert
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
        parameters = self._parameters(compiled, params)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, parameters)
        except connection.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(compiled.sql, parameters, error,
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
            self._statement(size).execute(connection, {
                f"{column}_m{i}": row[column]
                for i, row in enumerate(rows[start:start + size]) for column in self.columns})
            start += size

    def _statement(self, size: int) -> DirectStatement:
        statement = self._by_count.get(size)
        if statement is None:
            blank = dict.fromkeys(self.columns)
            statement = DirectStatement(insert(self.table).values([blank] * size))
            self._by_count[size] = statement
        return statement
