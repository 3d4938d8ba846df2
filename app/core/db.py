"""Database engine and sessions: SQLite (embedded default) or PostgreSQL.

SQLite runs in WAL mode with `synchronous=FULL`, foreign keys on, a busy timeout, and every
transaction begun IMMEDIATE: almost every request writes (reads of identifying data are
audited), and a deferred transaction that upgrades to a writer can fail instead of waiting.

SQLite allows one writer at a time. Writers queue on a lock that is taken just before
`BEGIN IMMEDIATE` and released just after `COMMIT` or `ROLLBACK`: a lock of the process (so
its threads do not spin in SQLite's busy handler, which sleeps up to 100 ms per try) and an
`flock` on a file beside the database (so `ddr serve --workers N` processes queue the same
way). The writer is therefore held only while a transaction is open, never across the rest of
a request. Work that only reads — resolving a token, scoring duplicate candidates — can run in
a :func:`read_scope`: a deferred, `query_only` transaction on its own connection that reads a
consistent snapshot without taking the writer.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session


class WriterLock:
    """One SQLite writer at a time, across the threads of a process and across processes.

    Args:
        path: A lock file beside the database (None for an in-memory database: threads only).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self) -> None:
        """Wait until no other thread or process writes, then hold the writer."""
        self._threads.acquire()
        try:
            if self.path is not None:
                fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        """Let the next writer in."""
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            assert self.path is not None
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd


class _Connection(sqlite3.Connection):
    """A pysqlite connection that lets the writer go as soon as its transaction ends."""

    writer: WriterLock | None = None
    holding = False

    def hold(self, writer: WriterLock) -> None:
        writer.acquire()
        self.writer, self.holding = writer, True

    def let_go(self) -> None:
        if self.holding and self.writer is not None:
            self.holding = False
            self.writer.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.let_go()


_WRITERS: WeakKeyDictionary[Engine, WriterLock] = WeakKeyDictionary()
_READERS: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def _sqlite_file(url: str) -> Path | None:
    database = url.split("///", 1)[1] if "///" in url else ""
    database = database.split("?", 1)[0]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False,
                checkpoint_in_background: bool = False) -> Engine:
    """Create an engine with the connection settings this project relies on.

    With `checkpoint_in_background` (the service), a SQLite file's write-ahead log is copied
    back into the database by a background thread instead of by whichever commit crosses
    SQLite's threshold, so no request holds the writer while a checkpoint writes and syncs.
    """
    if url.startswith("sqlite"):
        path = _sqlite_file(url)
        background = checkpoint_in_background and path is not None
        engine = _sqlite_engine(url, busy_timeout_ms, echo, read_only=False,
                                autocheckpoint=not background)
        if background:
            assert path is not None
            _start_checkpointer(engine, path, busy_timeout_ms)
        writer = WriterLock(path.with_name(path.name + "-lock") if path else None)
        _WRITERS[engine] = writer

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            raw = connection.connection.dbapi_connection
            raw.hold(writer)
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                raw.let_go()
                raise

        if path is not None:
            _READERS[engine] = _sqlite_engine(url, busy_timeout_ms, echo, read_only=True)
        return engine
    if url.startswith("postgresql"):
        return create_engine(url, echo=echo, pool_size=20, max_overflow=20, pool_pre_ping=True)
    return create_engine(url, echo=echo, poolclass=NullPool)


def _sqlite_engine(url: str, busy_timeout_ms: int, echo: bool, *, read_only: bool,
                   autocheckpoint: bool = True) -> Engine:
    connect_args: dict[str, Any] = {"check_same_thread": False,
                                    "timeout": busy_timeout_ms / 1000}
    if not read_only:
        connect_args["factory"] = _Connection
    engine = create_engine(url, echo=echo, connect_args=connect_args, pool_size=20,
                           max_overflow=20)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # statement and savepoint journals in memory, not in temporary files: a savepoint's
        # journal holds a copy of every page changed under it (dozens per registration)
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    if read_only:
        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


CHECKPOINT_SECONDS = 0.5


def _start_checkpointer(engine: Engine, path: Path, busy_timeout_ms: int) -> None:
    """Checkpoint the write-ahead log every half second while `engine` is alive.

    PASSIVE checkpoints wait for no reader or writer; durability does not depend on them
    (a commit is durable once its log frames are synced, `synchronous=FULL`)."""
    stop = threading.Event()
    weakref.finalize(engine, stop.set)

    def run() -> None:
        connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000,
                                     check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA synchronous=FULL")
        try:
            while not stop.wait(CHECKPOINT_SECONDS):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    continue  # busy or briefly unavailable: the next round will do
        finally:
            connection.close()

    threading.Thread(target=run, name="sqlite-checkpoint", daemon=True).start()


def writer_lock(engine: Engine) -> WriterLock | None:
    """The writer lock of a SQLite engine (None for other databases)."""
    return _WRITERS.get(engine)


def reader(engine: Engine) -> Engine:
    """The engine for read-only units of work: for a SQLite file, a second engine whose
    connections are `query_only` and begin deferred (no writer); otherwise `engine` itself."""
    return _READERS.get(engine, engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work on one snapshot, always rolled back; it never waits for or
    holds SQLite's writer. Objects read here are detached when it ends."""
    with Session(reader(engine), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()
