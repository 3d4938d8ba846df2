"""The database layer: SQLite's settings, writers of two processes queueing, and no request
acknowledged before its commit."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.core.db import make_engine, session_scope
from app.core.errors import Busy
from app.core.migrate import upgrade
from app.registry.models import Registration
from tests.factories import registration_body, user_headers


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite file, also when the suite runs on PostgreSQL: the embedded default
    must keep working whichever database CI targets."""
    url = f"sqlite:///{tmp_path / 'writer.db'}"
    upgrade(url)
    return url


def test_sqlite_connections_are_durable_and_check_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, busy_timeout_ms=1234)
    with engine.connect() as connection:
        pragma = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                      "busy_timeout": 1234}
    engine.dispose()


def write(engine: Engine, code: str) -> None:
    with session_scope(engine) as session:
        session.execute(text("INSERT INTO site (code, name_en, name_ar, region, active) "
                             "VALUES (:code, :code, :code, 'test', 1)"), {"code": code})


HOLDER = """
import sys, time
from sqlalchemy import text
from app.core.db import make_engine, session_scope
from app.core.errors import Busy
engine = make_engine(sys.argv[1])
with session_scope(engine) as session:
    session.execute(text("UPDATE site SET region = region WHERE 0"))
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""
HOLD_SECONDS = 0.6


def test_a_writer_of_another_process_waits_instead_of_failing(sqlite_url: str) -> None:
    """Every transaction begins IMMEDIATE: a second process (`ddr serve --workers 2`) waits
    for the writer within the busy timeout and gets it once the first one commits; past the
    timeout it fails cleanly, writing nothing."""
    other = subprocess.Popen([sys.executable, "-c", HOLDER, sqlite_url, str(HOLD_SECONDS)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "holding"
        impatient = make_engine(sqlite_url, busy_timeout_ms=50)
        with pytest.raises(OperationalError, match="locked"):
            write(impatient, "AAA")
        impatient.dispose()
        patient = make_engine(sqlite_url, busy_timeout_ms=10_000)
        began = time.perf_counter()
        write(patient, "BBB")
        waited = time.perf_counter() - began
    finally:
        other.wait(10)
    assert other.returncode == 0
    assert 0.1 < waited < HOLD_SECONDS + 2
    with Session(patient) as session:
        codes = set(session.execute(text("SELECT code FROM site")).scalars())
    assert "BBB" in codes
    assert "AAA" not in codes
    patient.dispose()


def test_threads_queue_for_the_writer_and_give_up_cleanly(sqlite_url: str) -> None:
    """Units of work of one process wait for each other on the writer lock; one that would
    wait longer than the busy timeout is refused as busy (503), writing nothing."""
    engine = make_engine(sqlite_url, busy_timeout_ms=100)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with session_scope(engine) as session:
            session.execute(text("UPDATE site SET region = region WHERE 0"))
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(5)
    with pytest.raises(Busy) as refused:
        write(engine, "CCC")
    assert refused.value.status_code == 503
    release.set()
    holder.join(5)
    write(engine, "DDD")  # free again
    with Session(engine) as session:
        codes = set(session.execute(text("SELECT code FROM site")).scalars())
    assert "DDD" in codes
    assert "CCC" not in codes
    engine.dispose()


def test_a_failing_commit_is_never_acknowledged(app: FastAPI, engine: Engine) -> None:
    """The request's transaction commits before the response is sent: when the commit
    fails, the client gets a 500, not a 201, and nothing is stored."""
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = user_headers(client, engine, "registration_officer", ["TRP"])

        def refuse(_connection: Any) -> None:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

        event.listen(engine, "commit", refuse)
        try:
            response = client.post("/api/v1/registrations", json=registration_body(),
                                   headers=headers)
        finally:
            event.remove(engine, "commit", refuse)
    assert response.status_code == 500
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 0
