"""Database engine and sessions: SQLite (embedded default) or PostgreSQL.

SQLite runs in WAL mode with `synchronous=FULL`, foreign keys on and a busy timeout, and every
transaction begins IMMEDIATE: almost every request writes (reads of identifying data are
audited), and a deferred transaction that later wants to write can fail instead of waiting.
A request is one transaction (:func:`session_scope`), committed before it is answered.

SQLite allows one writer at a time. The units of work of one process queue for it on a lock
instead of each retrying in SQLite's busy handler, which sleeps up to 100 ms between tries and
lets a waiter lose to newcomers. Other processes (a CLI command, more worker processes) meet
SQLite's busy timeout.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from app.core.errors import Busy


def create_private_sqlite_file(url: str) -> None:
    """Create a SQLite database file readable by its owner only (0600) before SQLite would
    create it world-readable; its -wal and -shm files take the same mode."""
    if not url.startswith("sqlite"):
        return
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False) -> Engine:
    """Create an engine with the connection settings this project relies on."""
    if url.startswith("sqlite"):
        create_private_sqlite_file(url)
        return _sqlite_engine(url, busy_timeout_ms, echo)
    if url.startswith("postgresql"):
        return create_engine(url, echo=echo, pool_size=20, max_overflow=20, pool_pre_ping=True)
    return create_engine(url, echo=echo, poolclass=NullPool)


def make_reader_engine(url: str, *, busy_timeout_ms: int = 10_000) -> Engine:
    """An engine for long read-only work (statistics): each transaction reads one snapshot of
    the register, so figures counted by separate queries agree. On SQLite its transactions
    begin deferred and its connections are `query_only`: they read a WAL snapshot and never
    take the writer, so registrations go on while it reads. On PostgreSQL its transactions
    are REPEATABLE READ (a snapshot; a reader never blocks a writer)."""
    if url.startswith("postgresql"):
        return create_engine(url, pool_size=2, max_overflow=2, pool_pre_ping=True,
                             isolation_level="REPEATABLE READ")
    if not url.startswith("sqlite"):
        return make_engine(url, busy_timeout_ms=busy_timeout_ms)
    engine = create_engine(url, pool_size=2, max_overflow=2, connect_args={
        "check_same_thread": False, "timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")  # deferred: one snapshot, no writer

    return engine


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

    _WRITERS[engine] = _Writer(threading.Lock(), busy_timeout_ms / 1000)
    return engine


@dataclass(frozen=True)
class _Writer:
    lock: threading.Lock
    timeout: float


_WRITERS: WeakKeyDictionary[Engine, _Writer] = WeakKeyDictionary()
"""The writer lock of each SQLite engine this process made."""


@contextmanager
def _writer(engine: Engine) -> Iterator[None]:
    """Hold the process's lock on a SQLite engine's writer (nothing for other databases)."""
    writer = _WRITERS.get(engine)
    if writer is None:
        yield
        return
    if not writer.lock.acquire(timeout=writer.timeout):
        raise Busy("the register is busy; nothing was saved, try again in a moment")
    try:
        yield
    finally:
        writer.lock.release()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error. On SQLite it holds the
    process's writer lock from start to end."""
    with _writer(engine), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
