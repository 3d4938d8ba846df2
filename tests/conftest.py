"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
DDR_TEST_DATABASE_URL is set), the app over real ASGI HTTP, and a live server when needed."""

from __future__ import annotations

import os

# Cheap argon2 parameters for the whole suite (set before app.core.security is imported; the
# CLI's subprocesses inherit it): hashing passwords is not what the tests measure.
os.environ.setdefault("DDR_PASSWORD_HASHING", "cheapest")

import base64
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from app.core.migrate import upgrade
from app.core.settings import Settings
from app.main import create_app


def _worker_database(url: str | None) -> str | None:
    """The PostgreSQL database of this test process: under pytest-xdist each worker has its
    own (`test_gw0`, `test_gw1`, ... beside the one given; created when first used)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    given = make_url(url)
    return given.set(database=f"{given.database}_{worker}").render_as_string(
        hide_password=False)


PG_URL = _worker_database(os.environ.get("DDR_TEST_DATABASE_URL"))
TEST_MASTER_KEY = base64.b64encode(b"k" * 32).decode()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that use no database (they need to run once, not once per database)."""
    for item in items:
        if "database_url" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.no_database)


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the suite runs on."""
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (file per test)'}"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Migrate once: a template SQLite file, or the PostgreSQL test database from scratch."""
    if PG_URL:
        _create_database(PG_URL)
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        upgrade(PG_URL)
        return None
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _create_database(url: str) -> None:
    """Create this worker's PostgreSQL database if it does not exist yet."""
    given = os.environ["DDR_TEST_DATABASE_URL"]
    name = make_url(url).database
    if name == make_url(given).database:
        return
    engine = create_engine(given, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                            {"name": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def _empty_all(url: str) -> None:
    """Delete every row and restart every sequence. Row by row, not TRUNCATE: the tables are
    nearly empty, and TRUNCATE replaces the files of ~50 tables and their indexes each time
    (100–700 ms a test against ~5 ms). The session runs as a replica so that neither foreign
    keys (no order to follow) nor the append-only triggers fire: the test role must be a
    superuser, as the `postgres` role of the README's command is."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename <> 'alembic_version'")).scalars().all()
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        conn.execute(text("SELECT setval(oid, 1, false) FROM pg_class "
                          "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"))
    engine.dispose()


@pytest.fixture
def database_url(template_db: Path | None, tmp_path: Path) -> Iterator[str]:
    """A clean, migrated database for one test."""
    if PG_URL:
        _empty_all(PG_URL)
        yield PG_URL
        return
    assert template_db is not None
    path = tmp_path / "ddr.db"
    shutil.copy(template_db, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a test app: test environment, fixed test key, no key file."""
    return Settings(env="test", database_url=database_url,
                    master_key=SecretStr(TEST_MASTER_KEY),
                    master_key_file=tmp_path / "unused.key",
                    secret_key=SecretStr("test-secret-" + "x" * 20))


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The application on the test database."""
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def engine(app: FastAPI) -> Engine:
    """The app's engine."""
    result: Engine = app.state.engine
    return result


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Real HTTP requests through the ASGI app."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
