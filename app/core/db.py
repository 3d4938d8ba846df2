"""Database engine and sessions: SQLite (embedded default) or PostgreSQL.

SQLite runs in WAL mode with `synchronous=FULL`, foreign keys on and a busy timeout, and every
transaction begins IMMEDIATE: almost every request writes (reads of identifying data are
audited), and a deferred transaction that later wants to write can fail instead of waiting.
A request is one transaction (:func:`session_scope`), committed before it is answered.

SQLite allows one writer at a time. Units of work on a SQLite file queue for it on a lock —
a lock of the process and an `flock` on a file beside the database, so that the worker
processes of `ddr serve --workers N` queue the same way — instead of each retrying in SQLite's
busy handler, which sleeps up to 100 ms between tries and lets a waiter lose to newcomers.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session


def make_engine(url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False) -> Engine:
    """Create an engine with the connection settings this project relies on."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout_ms, echo)
    if url.startswith("postgresql"):
        return create_engine(url, echo=echo, pool_size=20, max_overflow=20, pool_pre_ping=True)
    return create_engine(url, echo=echo, poolclass=NullPool)


def _sqlite_engine(url: str, busy_timeout_ms: int, echo: bool) -> Engine:
    engine = create_engine(url, echo=echo, pool_size=20, max_overflow=20, connect_args={
        "check_same_thread": False, "timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class WriterLock:
    """The writer of one SQLite database, for the threads of this process and for other
    processes (through `flock` on `path`; None for an in-memory database: threads only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """Wait until no other thread or process writes, and write until the block ends."""
        with self._threads:
            if self.path is None:
                yield
                return
            if self._pid != os.getpid():  # a forked worker opens its own descriptor
                self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            assert self._fd is not None
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_WRITERS: WeakKeyDictionary[Engine, WriterLock] = WeakKeyDictionary()


def _writer(engine: Engine) -> WriterLock | None:
    if engine.dialect.name != "sqlite":
        return None
    writer = _WRITERS.get(engine)
    if writer is None:
        database = engine.url.database
        path = (Path(database + "-lock") if database and database != ":memory:"
                and not database.startswith("file:") else None)
        writer = _WRITERS.setdefault(engine, WriterLock(path))
    return writer


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error. On SQLite it holds the
    writer (:class:`WriterLock`) from start to end."""
    writer = _writer(engine)
    with (writer.held() if writer else nullcontext()), \
            Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
