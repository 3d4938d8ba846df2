"""Shared by the web benchmarks: a demo database in a temporary folder and a logged-in
in-process client of the app (server time is read from the Server-Timing header)."""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

PASSWORD = "bench-password-123"


def prepare(workdir: Path, persons: int, *, dedupe: bool = False) -> dict[str, str]:
    """Create the demo database (`ddr init`, `ddr demo-data`, optionally `ddr dedupe
    --registry`) in a folder; return the environment that points at it."""
    env = {**os.environ, "DDR_DATABASE_URL": f"sqlite:///{workdir / 'ddr.db'}",
           "DDR_MASTER_KEY_FILE": str(workdir / "ddr_master.key"),
           "DDR_DEMO_PASSWORD": PASSWORD, "DDR_ENV": "development"}
    ddr = str(Path(sys.executable).with_name("ddr"))
    commands = [["init", "--demo-groups"], ["demo-data", "--persons", str(persons)]]
    if dedupe:
        commands.append(["dedupe", "--registry"])
    for command in commands:
        subprocess.run([ddr, *command], env=env, check=True, capture_output=True)
    return env


def csrf(html: str) -> str:
    """The CSRF token of a page."""
    field = BeautifulSoup(html, "lxml").find("input", attrs={"name": "csrf_token"})
    assert field is not None
    return str(field["value"])


def stats(values: list[float]) -> tuple[float, float]:
    """Median and p95."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


@contextmanager
def demo_client(persons: int, user: str, *, dedupe: bool = False
                ) -> Iterator[tuple[Any, str]]:
    """A TestClient logged in as a demo account on a fresh demo database, and its CSRF
    token."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(prepare(Path(tmp), persons, dedupe=dedupe))
        from fastapi.testclient import TestClient

        from app.core.settings import Settings
        from app.main import create_app

        app = create_app(Settings())
        logging.getLogger("httpx").setLevel(logging.WARNING)
        with TestClient(app) as client:
            token = csrf(client.get("/login").text)
            home = client.post("/login", data={"username": user, "password": PASSWORD,
                                               "csrf_token": token})
            yield client, csrf(home.text)
