"""SQLite's single writer: held only while a transaction is open, shared by worker processes,
never taken by read-only units of work."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from app.core.db import make_engine, read_scope, session_scope, writer_lock
from app.core.migrate import upgrade


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A migrated SQLite file, also when the suite runs on PostgreSQL: the writer lock is
    SQLite's, and the embedded default must keep working whichever database CI targets."""
    url = f"sqlite:///{tmp_path / 'writer.db'}"
    upgrade(url)
    return url


HOLD_SECONDS = 0.6


def write(engine: Engine, note: str) -> None:
    with session_scope(engine) as session:
        session.execute(text("INSERT INTO site (code, name_en, name_ar, region, active) "
                             "VALUES (:code, :note, :note, 'test', 1)"),
                        {"code": note[:3].upper(), "note": note})


def test_the_writer_is_free_again_when_a_transaction_ends(database_url: str) -> None:
    engine = make_engine(database_url)
    lock = writer_lock(engine)
    assert lock is not None
    write(engine, "aaa")
    assert lock._threads.acquire(blocking=False)  # committed: nobody holds it
    lock._threads.release()

    def failing_unit_of_work() -> None:
        with session_scope(engine) as session:
            session.execute(text("SELECT 1"))
            raise RuntimeError("the unit of work fails")

    with pytest.raises(RuntimeError):
        failing_unit_of_work()
    assert lock._threads.acquire(blocking=False)  # rolled back: released too
    lock._threads.release()
    engine.dispose()


def test_a_read_scope_neither_waits_for_nor_takes_the_writer(database_url: str) -> None:
    engine = make_engine(database_url)
    started, finish = threading.Event(), threading.Event()

    def hold_writer() -> None:
        with session_scope(engine) as session:
            session.execute(text("UPDATE site SET region = region WHERE 0"))
            started.set()
            finish.wait(5)

    holder = threading.Thread(target=hold_writer)
    holder.start()
    assert started.wait(5)
    began = time.perf_counter()
    with read_scope(engine) as session:
        assert session.execute(text("SELECT count(*) FROM site")).scalar_one() >= 0
        with pytest.raises(OperationalError, match="readonly"):
            session.execute(text("DELETE FROM site"))
    assert time.perf_counter() - began < 1.0
    finish.set()
    holder.join(5)
    engine.dispose()


HOLDER = """
import sys, time
from sqlalchemy import text
from app.core.db import make_engine, session_scope
engine = make_engine(sys.argv[1])
with session_scope(engine) as session:
    session.execute(text("UPDATE site SET region = region WHERE 0"))
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_writers_of_two_processes_queue_on_one_lock(database_url: str) -> None:
    """A second process (`ddr serve --workers 2`) waits for the writer instead of failing,
    and gets it as soon as the first one commits."""
    engine = make_engine(database_url, busy_timeout_ms=100)  # SQLite's own wait: too short
    other = subprocess.Popen([sys.executable, "-c", HOLDER, database_url, str(HOLD_SECONDS)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "holding"
        began = time.perf_counter()
        write(engine, "bbb")  # queues on the flock, then begins at once: no busy timeout
        waited = time.perf_counter() - began
    finally:
        other.wait(10)
    assert other.returncode == 0
    assert 0.2 < waited < HOLD_SECONDS + 2
    engine.dispose()
