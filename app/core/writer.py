"""The writer process: SQLite's one writer, serving every worker process of `ddr serve`.

SQLite lets one transaction write at a time. In a worker process, the thread that holds the
writer (:class:`~app.core.group_commit.GroupCommit`) shares the interpreter lock with the
request threads and the event loop: each SQLite call lets the lock go, and getting it back
waits behind whichever thread took it — time during which no process can write. Measured on
the registration benchmark (two workers): the writer was held 3.1 ms per registration, of
which 2.1 ms was the writing thread's own work.

`ddr serve` on a SQLite file therefore starts one more process that does nothing but write.
Worker processes send it their write phases — named :func:`write_operation` functions with
their arguments, pickled — over a Unix socket in a private folder (mode 0700, and a random
key that both ends prove they hold); it runs them in groups, one transaction per group,
exactly as a worker's own :class:`~app.core.group_commit.GroupCommit` would, and sends each
outcome back once the group has committed. Its interpreter lock belongs to the writing
thread, and the write phases of every worker share one group (fewer commits, fewer pages
written per registration).

A worker that cannot reach the writer process (it was not started, or it ended) writes
through its own group commit instead, so nothing stops working; requests whose write phase
was sent but not answered when the connection broke get 503 (their outcome is unknown: a
retry with the same client UUID is safe — it is answered as a replay or registered then).

The messages carry what the write phase needs, identifying values included: they stay in
the memory of processes of the same service, as they would in one process; the socket is
reachable only by the service's own user.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import os
import pickle
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session

from app.core.audit import request_id_var
from app.core.errors import ServiceUnavailable
from app.core.group_commit import GroupCommit, Outcome, settle_in_loop
from app.core.settings import Settings, get_settings
from matching.model import MatchModel

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])
_MARK = "__ddr_write_operation__"

RECONNECT_SECONDS = 1.0
"""After the writer process could not be reached, how long a worker writes on its own before
trying again."""


def write_operation(function: _F) -> _F:
    """Mark `function(*, session, crypto, **arguments)` as one the writer process may run
    (it runs nothing else)."""
    setattr(function, _MARK, True)
    return function


class WriterUnreachable(Exception):
    """The writer process cannot be reached now; nothing was sent to it."""


@dataclass(frozen=True)
class WriterAddress:
    """Where the writer process listens, and the key both ends prove they hold."""

    path: str
    key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> WriterAddress | None:
        """The address `ddr serve` handed its worker processes (None: no writer process)."""
        if not settings.writer_socket or settings.writer_key is None:
            return None
        return cls(settings.writer_socket, bytes.fromhex(settings.writer_key.get_secret_value()))

    @classmethod
    def new(cls) -> WriterAddress:
        """A socket path in a new private folder, and a random key."""
        folder = tempfile.mkdtemp(prefix="ddr-writer-")  # mode 0700
        return cls(str(Path(folder) / "writer.sock"), os.urandom(32))

    def remove(self) -> None:
        """Remove the socket's folder."""
        shutil.rmtree(Path(self.path).parent, ignore_errors=True)


# -- in the writer process ----------------------------------------------------------------------

@dataclass(frozen=True)
class _ModelRef:
    """A match model already sent on this connection, by version (models are large)."""

    version: str


def serve(address: WriterAddress, settings: Settings | None = None,
          ready: Any = None, parent: int | None = None) -> None:
    """The writer process: listen at `address` and run the write phases workers send.

    Args:
        address: Where to listen.
        settings: The service's settings (default: read from the environment).
        ready: An event set once listening.
        parent: End when this process (the one that started this one) is gone.
    """
    from app.core.db import make_engine
    from app.core.keys import check_or_store_key, load_crypto
    from app.core.runtime import tune_gc
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)
    tune_gc()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms,
                         checkpoint_in_background=True)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    group = GroupCommit(engine)
    listener = Listener(address.path, family="AF_UNIX", authkey=address.key)
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    if ready is not None:
        ready.set()
    while True:
        try:
            connection = listener.accept()
        except (OSError, EOFError, AuthenticationError) as exc:  # failed the key check, or left
            log.warning("writer: refused a connection (%s)", type(exc).__name__)
            continue
        threading.Thread(target=_serve_connection, args=(connection, group, crypto),
                         name="writer-connection", daemon=True).start()


def _end_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _serve_connection(connection: Connection, group: GroupCommit, crypto: Any) -> None:
    """Receive one worker's write phases, queue them for the next group, answer each once
    committed (replies are pickled by a thread of their own, not the writing thread)."""
    outbox: queue.SimpleQueue[tuple[int, Outcome] | None] = queue.SimpleQueue()
    models: dict[str, MatchModel] = {}

    def send() -> None:
        while (item := outbox.get()) is not None:
            job, outcome = item
            try:
                data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # an outcome that cannot travel: say so, not what it was
                log.error("writer: cannot send the outcome of a write (%s)", type(exc).__name__)
                data = pickle.dumps((False, ServiceUnavailable(
                    "the write phase ended in an error that could not be reported")))
            try:
                connection.send_bytes(_with_job(job, data))
            except OSError:
                return

    sender = threading.Thread(target=send, name="writer-replies", daemon=True)
    sender.start()
    try:
        while True:
            try:
                job, message = _job_of(connection.recv_bytes())
            except (EOFError, OSError):
                return

            def settle(outcome: Outcome, job: int = job) -> None:
                outbox.put((job, outcome))

            try:
                operation, request_id, new_models, arguments = pickle.loads(message)
                models.update(new_models)
                if not getattr(operation, _MARK, False):
                    raise TypeError("not a write operation")
                kwargs = {name: models[value.version] if isinstance(value, _ModelRef) else value
                          for name, value in arguments.items()}
            except Exception as exc:
                log.error("writer: refused a message (%s)", type(exc).__name__)
                settle((False, ServiceUnavailable("the writer could not read this request")))
                continue
            context = contextvars.Context()
            context.run(request_id_var.set, request_id)
            group.submit(_bind(operation, crypto, kwargs), settle, context)
    finally:
        outbox.put(None)
        connection.close()


def _with_job(job: int, data: bytes) -> bytes:
    """A message: the job's number (8 bytes), then its pickled content."""
    return job.to_bytes(8, "big") + data


def _job_of(message: bytes) -> tuple[int, bytes]:
    return int.from_bytes(message[:8], "big"), message[8:]


def _bind(operation: Callable[..., Any], crypto: Any,
          kwargs: dict[str, Any]) -> Callable[[Session], Any]:
    def work(session: Session) -> Any:
        return operation(session=session, crypto=crypto, **kwargs)
    return work


# -- in a worker process ------------------------------------------------------------------------

class WriterClient:
    """A worker process's link to the writer process (one connection per process).

    Args:
        address: Where the writer process listens.
    """

    def __init__(self, address: WriterAddress) -> None:
        self.address = address
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._pending: dict[int, Callable[[Outcome], None]] = {}
        self._models: set[str] = set()
        self._ids = itertools.count(1)
        self._retry_at = 0.0

    async def run(self, operation: Callable[..., _T], **kwargs: Any) -> _T:
        """Have the writer process run `operation(session=, crypto=, **kwargs)` and return its
        result (or raise its exception); :class:`WriterUnreachable`, with nothing sent, when
        the writer process cannot be reached (the caller writes on its own then)."""
        if not getattr(operation, _MARK, False):
            raise TypeError(f"{operation.__qualname__} is not a write operation")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_T] = loop.create_future()
        if not self._send(operation, kwargs, settle_in_loop(loop, future)):
            raise WriterUnreachable
        return await future

    def _send(self, operation: Callable[..., Any], kwargs: dict[str, Any],
              settle: Callable[[Outcome], None]) -> bool:
        with self._lock:
            if self._connection is None and not self._connect():
                return False
            models = {m.version: m for m in kwargs.values()
                      if isinstance(m, MatchModel) and m.version not in self._models}
            arguments = {name: _ModelRef(value.version) if isinstance(value, MatchModel)
                         else value for name, value in kwargs.items()}
            job = next(self._ids)
            data = _with_job(job, pickle.dumps((operation, request_id_var.get(), models,
                                                arguments), pickle.HIGHEST_PROTOCOL))
            self._models.update(models)
            self._pending[job] = settle
            self._outbox.put(data)
            return True

    def _connect(self) -> bool:
        """Connect (the caller holds `_lock`); False, and no new try for a while, on failure."""
        if time.monotonic() < self._retry_at:
            return False
        try:
            connection = Client(self.address.path, family="AF_UNIX", authkey=self.address.key)
        except (OSError, EOFError, AuthenticationError) as exc:
            log.warning("writer process unreachable (%s): writing in this process",
                        type(exc).__name__)
            self._retry_at = time.monotonic() + RECONNECT_SECONDS
            return False
        self._connection, self._models = connection, set()
        self._outbox = queue.SimpleQueue()
        threading.Thread(target=self._send_loop, args=(connection, self._outbox),
                         name="writer-send", daemon=True).start()
        threading.Thread(target=self._receive_loop, args=(connection,),
                         name="writer-receive", daemon=True).start()
        return True

    def _send_loop(self, connection: Connection, outbox: queue.SimpleQueue[bytes | None]) -> None:
        while (data := outbox.get()) is not None:
            try:
                connection.send_bytes(data)
            except OSError:
                self._lost(connection)
                return

    def _receive_loop(self, connection: Connection) -> None:
        while True:
            try:
                job, message = _job_of(connection.recv_bytes())
            except (EOFError, OSError):
                self._lost(connection)
                return
            try:
                outcome: Outcome = pickle.loads(message)
            except Exception as exc:
                log.error("cannot read the writer's answer (%s)", type(exc).__name__)
                outcome = (False, ServiceUnavailable("the write's outcome could not be read"))
            with self._lock:
                settle = self._pending.pop(job, None)
            if settle is not None:
                settle(outcome)

    def _lost(self, connection: Connection) -> None:
        """The connection broke: what was sent and not answered has an unknown outcome."""
        with self._lock:
            if self._connection is not connection:
                return
            self._connection = None
            self._outbox.put(None)
            pending, self._pending = self._pending, {}
            self._retry_at = time.monotonic() + RECONNECT_SECONDS
        connection.close()
        log.warning("lost the writer process; %d write(s) in flight", len(pending))
        for settle in pending.values():
            settle((False, ServiceUnavailable(
                "the writer went away before answering; retry with the same id")))

    def close(self) -> None:
        """Close the connection (in-flight writes get 503)."""
        connection = self._connection
        if connection is not None:
            self._lost(connection)
