"""Crash safety: the server is killed (SIGKILL) in the middle of a burst of registrations
from several clients; after a restart every acknowledged registration is there, whole, and
nothing is half-written. Retrying the unanswered requests with their client UUIDs then
stores each once. On SQLite and on PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.factories import PASSWORD, registration_body
from tests.test_cli import ddr, folder  # noqa: F401 - the CLI tests' working folder

CLIENTS = 4
KILL_AFTER = 40
"""Acknowledged registrations before the kill (the clients keep sending meanwhile)."""
GIVEN = ["محمد", "أحمد", "علي", "عمر", "خالد", "يوسف", "إبراهيم", "سالم", "مصطفى", "عبد الله",
         "Mohamed", "Ahmed", "Ali", "Omar", "Khaled", "Youssef", "Ibrahim", "Salem"]
FAMILY = ["الورفلي", "المصراتي", "الزنتاني", "الترهوني", "Elwarfalli", "Misrati", "Zintani"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(folder: Path, url: str, port: int) -> subprocess.Popen[bytes]:  # noqa: F811
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DDR_")}
    environment.update({"DDR_ENV": "development", "DDR_DATABASE_URL": url,
                        "DDR_PASSWORD_HASHING": "cheapest"})
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert process.poll() is None, "the server did not start"
        assert time.monotonic() < deadline, "the server did not answer in time"
        time.sleep(0.1)


def body(number: int) -> dict[str, Any]:
    return registration_body(
        id=str(uuid.uuid4()), given_name=GIVEN[number % len(GIVEN)],
        father_name=GIVEN[(number // 3) % len(GIVEN)], grandfather_name=None,
        family_name=FAMILY[number % len(FAMILY)], mother_name=None, alias=None,
        date_of_birth=f"{1960 + number % 40}-0{1 + number % 9}-1{number % 10}",
        national_id=None, phone=None, armed_group=None, notes=f"burst {number}")


def scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_killed_during_a_burst_loses_no_acknowledged_registration(
        folder: Path) -> None:  # noqa: F811
    url = (folder / ".url").read_text()
    assert ddr(folder, "init", "--demo-groups").returncode == 0
    made = ddr(folder, "users", "create", "--username", "officer.crash", "--role",
               "registration_officer", "--site", "TRP", "--password-stdin",
               stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(folder, url, port)
    token = httpx.post(f"{base}/api/v1/auth/token",
                       data={"username": "officer.crash", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    acknowledged: dict[str, str] = {}  # id -> registration number
    sent: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()
    numbers = iter(range(10**6))
    stop = threading.Event()
    refused: list[str] = []

    def client() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            while not stop.is_set():
                with lock:
                    request = body(next(numbers))
                    sent[request["id"]] = request
                try:
                    response = http.post("/api/v1/registrations", json=request)
                except httpx.TransportError:
                    return  # the server died under this request: unanswered
                if response.status_code != 201:
                    refused.append(response.text)
                    return
                with lock:
                    acknowledged[request["id"]] = response.json()["registration_number"]

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 240
    while len(acknowledged) < KILL_AFTER:
        assert not refused, refused[0]
        assert time.monotonic() < deadline, f"only {len(acknowledged)} registrations answered"
        time.sleep(0.005)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not refused, refused[0]
    unanswered = [i for i in sent if i not in acknowledged]
    print(f"\ncrash test: {len(sent)} sent, {len(acknowledged)} acknowledged, "
          f"{len(unanswered)} unanswered when killed")

    # every acknowledged registration is stored, whole
    stored = scalar(url, "SELECT count(*) FROM registration")
    assert stored >= len(acknowledged)
    assert stored <= len(sent)
    assert scalar(url, "SELECT count(*) FROM registration r WHERE NOT EXISTS (SELECT 1 FROM "
                       "person p WHERE p.id = r.person_id)") == 0
    assert scalar(url, "SELECT count(*) FROM registration r WHERE NOT EXISTS (SELECT 1 FROM "
                       "registration_index i WHERE i.registration_id = r.id)") == 0
    assert scalar(url, "SELECT count(*) FROM audit_event "
                       "WHERE action = 'registration.create'") == stored
    assert scalar(url, "SELECT count(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM "
                       "registration r WHERE r.person_id = p.id)") == 0

    server = start_server(folder, url, port)
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            for registration_id, number in acknowledged.items():
                read = http.get(f"/api/v1/registrations/{registration_id}")
                assert read.status_code == 200, read.text
                assert read.json()["registration_number"] == number
                assert read.json()["fields"]["notes"] == sent[registration_id]["notes"]
            # the clients retry what went unanswered: each is stored once
            for registration_id in unanswered:
                retry = http.post("/api/v1/registrations", json=sent[registration_id])
                assert retry.status_code in (200, 201), retry.text
            again = http.post("/api/v1/registrations", json=sent[next(iter(acknowledged))])
            assert again.status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert scalar(url, "SELECT count(*) FROM registration") == len(sent)
