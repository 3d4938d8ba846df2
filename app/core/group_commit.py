"""Group commit: the write phases of concurrent requests run by one thread, in one transaction.

SQLite has one writer, and a transaction holds it from its first statement to its commit (a
synced write of the log, `synchronous=FULL`). When every request opens and commits a
transaction of its own, the writer passes from thread to thread — each hand-over waiting for
the interpreter lock that the other request threads, busy validating and scoring, hold — and
every registration pays a sync of its own. Here the write phases of the requests waiting at
one moment run one after another in a single thread and transaction, each in a savepoint of
its own (a request that fails leaves nothing behind and does not disturb the others), and
are made durable by one commit. No request is answered before the commit that holds it.

Each write phase runs in the context (context variables: the request id the audit trail
records) of the request that submitted it.

A write phase may also come with a :class:`Batched` form: the group's write phases that share
one batch writer are then written together by one call of it (a registration's rows go in
with one multi-row insert per table for the whole group, instead of a dozen statements each,
every one of them a hand-over of the interpreter lock while the writer is held). When that
call raises, nothing it wrote is kept and each of those write phases runs on its own as
above.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.db import session_scope

_T = TypeVar("_T")

logger = logging.getLogger(__name__)

FALLBACK: Any = object()
"""What a batch writer gives for an item it leaves to the item's own write phase."""


@dataclass(frozen=True)
class Batched:
    """A write phase in a form that can be written together with others of its kind.

    `write(session, entries)` gets one `(context, item)` per write phase (the context of the
    request that submitted it, for what the request's context decides — its request id) and
    returns one result per entry, in order: the result of that write phase, or
    :data:`FALLBACK` to have the write phase itself run (after the batch, in the same
    transaction). If it raises, nothing it wrote is kept (the first batch of a group runs
    before anything else is written, and the transaction is rolled back; a later one runs in a
    savepoint) and every write phase of the batch runs on its own.
    """

    write: Callable[[Session, list[tuple[contextvars.Context, Any]]], list[Any]]
    item: Any

MAX_GROUP = 32
"""Write phases committed together at most (a bound on the writer's hold and on latency)."""
PAUSE_SECONDS = 0.02
"""The longest a request thread waits in :meth:`GroupCommit.pause`."""
IDLE_SECONDS = 5.0
"""The writing thread ends after this long without work (and starts again with the next)."""
WRITING_SWITCH_INTERVAL = 0.0005
"""The interpreter's switch interval while a group holds the writer (normally 5 ms)."""

_switching = threading.Lock()
_writing = 0
_usual_interval = sys.getswitchinterval()


def _writer_taken() -> None:
    """A group holds the writer: from now on, a thread waiting for the interpreter lock — the
    writing thread, after each SQLite call, which lets the lock go — gets it after at most
    WRITING_SWITCH_INTERVAL instead of the usual 5 ms (the interval is per process)."""
    global _writing, _usual_interval
    with _switching:
        if _writing == 0:
            _usual_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_usual_interval, WRITING_SWITCH_INTERVAL))
        _writing += 1


def _writer_released() -> None:
    global _writing
    with _switching:
        _writing -= 1
        if _writing == 0:
            sys.setswitchinterval(_usual_interval)


@dataclass
class _Job(Generic[_T]):
    work: Callable[[Session], _T]
    context: contextvars.Context
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[_T]
    batched: Batched | None = None

    def settle(self, outcome: tuple[bool, Any]) -> None:
        """Hand the outcome to the waiting request (from the writing thread)."""
        try:
            self.loop.call_soon_threadsafe(self._settle, outcome)
        except RuntimeError:  # the loop was closed meanwhile: nobody waits any more
            pass

    def _settle(self, outcome: tuple[bool, Any]) -> None:
        if self.future.done():  # the request was cancelled (its client went away)
            return
        ok, value = outcome
        if ok:
            self.future.set_result(value)
        else:
            self.future.set_exception(value)


class GroupCommit:
    """Run write phases (`work(session)`) of concurrent requests in groups, one transaction
    per group.

    Args:
        engine: The database (meant for SQLite: on PostgreSQL each request's own transaction
            writes in parallel with the others').
        max_group: Write phases per transaction at most.
    """

    def __init__(self, engine: Engine, max_group: int = MAX_GROUP) -> None:
        self.engine = engine
        self.max_group = max_group
        self._queue: queue.SimpleQueue[_Job[Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.quiet = threading.Event()
        """Set while no group holds the writer (see :meth:`pause`)."""
        self.quiet.set()

    async def run(self, work: Callable[[Session], _T], batched: Batched | None = None) -> _T:
        """Run `work(session)` in the next group and return its result once the group has
        committed; its exception, with nothing it wrote kept, when it raises. With `batched`,
        the group may write it together with others of its kind instead (see
        :class:`Batched`): the result is the same."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_T] = loop.create_future()
        self._queue.put(_Job(work, contextvars.copy_context(), loop, future, batched))
        self._ensure_thread()
        return await future

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._start_thread()

    def _start_thread(self) -> None:
        """Start the writing thread (the caller holds `_lock`)."""
        self._thread = threading.Thread(target=self._serve, name="group-commit", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            group = [first]
            try:
                outcomes = self._run_group(group)
            except BaseException as exc:  # this thread ends: no request may wait for it
                for job in group:
                    job.settle((False, exc))
                with self._lock:
                    self._thread = None
                    if not self._queue.empty():
                        self._start_thread()
                raise
            for job, outcome in zip(group, outcomes, strict=True):
                job.settle(outcome)

    def _run_group(self, group: list[_Job[Any]]) -> list[tuple[bool, Any]]:
        """Take the writer, add the write phases queued meanwhile to `group`, run them and
        commit; one outcome per job of `group`."""
        outcomes: list[tuple[bool, Any]] = []
        holding = False
        # from now on, and while the group holds the writer, this thread gets the interpreter
        # lock back soon after each wait: when the writer (another process's) is let go, this
        # thread is not kept waiting behind the request threads before it can take it
        _writer_taken()
        try:
            try:
                with session_scope(self.engine) as session:
                    session.connection()  # begins: on SQLite, waits for and takes the writer
                    holding = True
                    self.quiet.clear()
                    while len(group) < self.max_group:
                        try:
                            group.append(self._queue.get_nowait())
                        except queue.Empty:
                            break
                    outcomes.extend(self._run_jobs(session, group))
            finally:  # committed (or rolled back): the writer is free again
                if holding:
                    self.quiet.set()
        except Exception as exc:  # the commit itself failed: nothing of the group was kept
            return [(False, exc)] * len(group)
        finally:
            _writer_released()
        return outcomes

    def pause(self) -> None:
        """Called by request threads between steps of their work that needs no writer: while
        a group holds the writer, wait (a few milliseconds at most) so that the writing
        thread does not queue for the interpreter lock behind them — the writer is the one
        thing every registration waits for."""
        self.quiet.wait(PAUSE_SECONDS)

    def _run_jobs(self, session: Session, group: list[_Job[Any]]) -> list[tuple[bool, Any]]:
        """Run a group's write phases: those with a batch writer in one call of it per
        writer, then the others (and those it left) one by one; outcomes in `group`'s order."""
        outcomes: list[tuple[bool, Any] | None] = [None] * len(group)
        batches: dict[Any, list[int]] = {}
        for i, job in enumerate(group):
            if job.batched is not None:
                batches.setdefault(job.batched.write, []).append(i)
        written = False
        for write, members in batches.items():
            entries = [(group[i].context, group[i].batched.item)  # type: ignore[union-attr]
                       for i in members]
            try:
                if written:
                    with session.begin_nested():
                        results = write(session, entries)
                else:
                    # nothing written yet: no savepoint (SQLite would copy every page the
                    # batch changes to a journal of the savepoint); a failure rolls back the
                    # transaction and takes the writer again
                    results = write(session, entries)
                    written = True
            except Exception as exc:  # nothing of the batch kept: each runs on its own below
                logger.warning("batch write failed (%s); writing one by one",
                               type(exc).__name__)
                if not written:
                    session.rollback()
                    session.connection()
                continue
            for i, result in zip(members, results, strict=True):
                if result is not FALLBACK:
                    outcomes[i] = (True, result)
        return [outcome if outcome is not None else self._run_one(session, group[i])
                for i, outcome in enumerate(outcomes)]

    @staticmethod
    def _run_one(session: Session, job: _Job[Any]) -> tuple[bool, Any]:
        try:
            with session.begin_nested():
                return True, job.context.run(job.work, session)
        except Exception as exc:
            return False, exc
