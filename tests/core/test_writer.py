"""The writer process: worker processes send it their write phases over a Unix socket; it
writes them in groups and answers each once committed. Errors come back as the same errors;
a writer that cannot be reached leaves the worker writing on its own; a writer lost with
writes in flight answers those 503.

These run on a SQLite file of their own whichever database CI targets: the writer process is
SQLite's (on PostgreSQL, each request's transaction writes in parallel with the others')."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from multiprocessing.connection import Listener
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlmodel import Session, col

from app.core.audit import request_id_var
from app.core.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from app.core.migrate import upgrade
from app.core.models import AuditEvent
from app.core.settings import Settings
from app.core.writer import WriterAddress, WriterClient, serve, write_operation
from app.main import create_app
from app.registry.models import Registration
from tests.conftest import TEST_MASTER_KEY
from tests.factories import PASSWORD, login, make_user, registration_body


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'writer.db'}"
    upgrade(url)
    return Settings(env="test", database_url=url, master_key=SecretStr(TEST_MASTER_KEY),
                    master_key_file=tmp_path / "unused.key",
                    secret_key=SecretStr("test-secret-" + "x" * 20))


@pytest.fixture
def writer(sqlite_settings: Settings) -> Iterator[tuple[WriterAddress, Any]]:
    """A writer process (as `ddr serve` starts it) on the test database."""
    address = WriterAddress.new()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=serve, args=(address, sqlite_settings, ready, os.getpid()),
                              daemon=True)
    process.start()
    assert ready.wait(60), "the writer process did not start"
    yield address, process
    process.terminate()
    process.join(10)
    address.remove()


def app_for(settings: Settings, address: WriterAddress) -> FastAPI:
    return create_app(settings.model_copy(update={
        "writer_socket": address.path, "writer_key": SecretStr(address.key.hex())}))


@pytest.fixture
def served(sqlite_settings: Settings, writer: tuple[WriterAddress, Any]
           ) -> Iterator[tuple[TestClient, FastAPI, dict[str, str]]]:
    """A worker app that writes through the writer process, and an officer's headers."""
    app = app_for(sqlite_settings, writer[0])
    make_user(app.state.engine, "officer", "registration_officer", ["TRP"])
    with TestClient(app) as client:
        yield client, app, login(client, "officer")
    app.state.writer.close()
    app.state.engine.dispose()


def test_registrations_are_written_by_the_writer_process(
    served: tuple[TestClient, FastAPI, dict[str, str]]
) -> None:
    client, app, headers = served
    body = registration_body()
    first = client.post("/api/v1/registrations", json=body,
                        headers={**headers, "X-Request-ID": "writer-test-0001"})
    assert first.status_code == 201, first.text
    # written by the other process: this one's own writing thread never started
    assert app.state.group_commit._thread is None
    assert app.state.writer._connection is not None

    again = client.post("/api/v1/registrations", json=body, headers=headers)
    assert again.status_code == 200
    assert again.json()["registration_number"] == first.json()["registration_number"]

    other = client.post("/api/v1/registrations", json={**body, "given_name": "أحمد"},
                        headers=headers)
    assert other.status_code == 409  # a Conflict raised in the writer process, sent back
    assert other.json()["errors"] == [{"field": "id", "message": "already used with other data"}]

    with Session(app.state.engine) as session:
        events = session.execute(select(AuditEvent).where(
            col(AuditEvent.action) == "registration.create")).scalars().all()
        assert [e.request_id for e in events] == ["writer-test-0001"]
        assert session.scalar(select(func.count()).select_from(Registration)) == 1


def test_an_error_raised_while_writing_comes_back_with_its_fields(
    served: tuple[TestClient, FastAPI, dict[str, str]]
) -> None:
    client, app, headers = served
    response = client.post("/api/v1/registrations",
                           json=registration_body(person_id=str(uuid.uuid4())), headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": "person_id",
                                          "message": "no such active person"}]
    assert app.state.group_commit._thread is None
    with Session(app.state.engine) as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 0


def test_fifty_concurrent_registrations_through_the_writer(
    served: tuple[TestClient, FastAPI, dict[str, str]]
) -> None:
    _client, app, headers = served

    async def post_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*(
                http.post("/api/v1/registrations", headers=headers,
                          json=registration_body(national_id=None, phone=None,
                                                 given_name=f"name{i}"))
                for i in range(50)))

    responses = asyncio.run(post_all())
    assert [r.status_code for r in responses] == [201] * 50
    assert len({r.json()["registration_number"] for r in responses}) == 50
    assert app.state.group_commit._thread is None
    with Session(app.state.engine) as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 50


def test_an_unreachable_writer_leaves_the_worker_writing_on_its_own(
    sqlite_settings: Settings
) -> None:
    address = WriterAddress.new()  # nobody listens there
    app = app_for(sqlite_settings, address)
    make_user(app.state.engine, "officer", "registration_officer", ["TRP"])
    try:
        with TestClient(app) as client:
            response = client.post("/api/v1/registrations", json=registration_body(),
                                   headers=login(client, "officer"))
        assert response.status_code == 201, response.text
        assert app.state.group_commit._thread is not None  # written in this process
    finally:
        address.remove()
        app.state.engine.dispose()


def test_a_client_without_the_key_is_refused_and_the_writer_goes_on(
    served: tuple[TestClient, FastAPI, dict[str, str]], writer: tuple[WriterAddress, Any]
) -> None:
    client, app, headers = served
    stranger = WriterClient(WriterAddress(writer[0].path, b"x" * 32))
    assert not stranger._send(mark_a, {}, lambda outcome: None)
    assert stranger._connection is None
    response = client.post("/api/v1/registrations", json=registration_body(), headers=headers)
    assert response.status_code == 201
    assert app.state.group_commit._thread is None


@write_operation
def mark_a(*, session: Session, crypto: object) -> str:
    return "a"


def test_writes_in_flight_when_the_writer_is_lost_get_503() -> None:
    """A stand-in writer that reads one request and goes away without answering."""
    address = WriterAddress.new()
    listener = Listener(address.path, family="AF_UNIX", authkey=address.key)
    received: list[bytes] = []

    def accept_then_leave() -> None:
        connection = listener.accept()
        received.append(connection.recv_bytes())
        connection.close()

    thread = threading.Thread(target=accept_then_leave)
    thread.start()
    client = WriterClient(address)

    async def attempt() -> object:
        request_id_var.set("lost-writer-1")
        return await client.run(mark_a)

    try:
        with pytest.raises(ServiceUnavailable, match="retry with the same id"):
            asyncio.run(attempt())
        thread.join(5)
        operation, request_id, _models, arguments = pickle.loads(received[0][8:])
        assert (operation, request_id, arguments) == (mark_a, "lost-writer-1", {})
        assert client._connection is None
        assert not client._pending
    finally:
        listener.close()
        address.remove()


def test_only_write_operations_are_sent() -> None:
    client = WriterClient(WriterAddress("/nonexistent/writer.sock", b"k" * 32))

    def not_marked(*, session: Session, crypto: object) -> None:
        return None

    with pytest.raises(TypeError, match="not a write operation"):
        asyncio.run(client.run(not_marked))


@pytest.mark.parametrize("error", [
    ValidationFailed([FieldError("national_id", "12 digits"), FieldError("site", "unknown")]),
    Conflict("used", [FieldError("id", "already used with other data")]),
    Forbidden("no", [FieldError("site", "not yours")]),
    NotFound("nothing here"),
    ServiceUnavailable("later"),
])
def test_domain_errors_travel_with_their_fields(error: DomainError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.detail, copy.errors, copy.status_code, str(copy)) == (
        error.detail, error.errors, error.status_code, str(error))


def test_ddr_serve_runs_a_writer_process(tmp_path: Path) -> None:
    """`ddr serve --workers 2` on a SQLite file: registrations are written by the writer
    process (the workers hold a connection to its socket and run at a lower priority), and
    stopping the service removes the socket's folder."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DDR_")},
           "DDR_ENV": "development", "DDR_DATABASE_URL": f"sqlite:///{tmp_path / 'ddr.db'}",
           "DDR_LOG_LEVEL": "WARNING"}
    ddr = [sys.executable, "-m", "app.cli"]
    subprocess.run([*ddr, "init"], cwd=tmp_path, env=env, check=True, capture_output=True)
    subprocess.run([*ddr, "users", "create", "--username", "officer", "--role",
                    "registration_officer", "--site", "TRP", "--password-stdin"],
                   input=PASSWORD.encode(), cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([*ddr, "serve", "--port", str(port), "--workers", "2"],
                              cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "serve ended"
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        token = httpx.post(f"{base}/api/v1/auth/token",
                           data={"username": "officer", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        responses = [httpx.post(f"{base}/api/v1/registrations", headers=headers, timeout=30,
                                json=registration_body(armed_group=None, phone=None,
                                                       national_id=None,
                                                       given_name=f"name{i}"))
                     for i in range(8)]
        assert [r.status_code for r in responses] == [201] * 8, responses[0].text

        processes = psutil.Process(server.pid).children(recursive=True)
        sockets = {p.pid: {c.raddr or c.laddr for c in p.net_connections("unix")}
                   for p in processes}
        paths = {path for found in sockets.values() for path in found
                 if path.endswith("writer.sock")}
        assert len(paths) == 1
        path = paths.pop()
        workers = [p for p in processes if any(c.status == psutil.CONN_LISTEN
                                               for c in p.net_connections("tcp"))]
        writers = [p for p in processes if p not in workers and path in sockets[p.pid]]
        assert len(workers) == 2
        assert len(writers) == 1
        assert [w.nice() for w in workers] == [10, 10]
        assert writers[0].nice() == 0
        # besides the listening socket, the writer holds the connection a worker opened
        assert len([c for c in writers[0].net_connections("unix") if c.laddr == path]) >= 2
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert not Path(path).parent.exists()
    assert server.stderr is not None
    assert "Traceback" not in server.stderr.read().decode()
