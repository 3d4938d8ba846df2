"""The `ddr` command line, run as a user would (a subprocess in an empty folder)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest


def ddr(folder: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DDR_")}
    environment.update({"DDR_ENV": "development", "DDR_DATABASE_URL": (folder / ".url").read_text(),
                        **(env or {})})
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=folder, input=stdin,
                          capture_output=True, text=True, env=environment, timeout=300)


@pytest.fixture
def folder(tmp_path: Path, database_url: str) -> Path:
    """An empty working folder whose `ddr` uses the test database."""
    work = tmp_path / "work"
    work.mkdir()
    (work / ".url").write_text(database_url)
    return work


def test_init_users_and_demo_data(folder: Path) -> None:
    init = ddr(folder, "init", "--demo-groups")
    assert init.returncode == 0, init.stderr
    key = folder / "ddr_master.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600

    created = ddr(folder, "users", "create", "--username", "boss", "--role", "admin",
                  "--password-stdin", stdin="a long password\n")
    assert created.returncode == 0, created.stderr
    assert "created user boss" in created.stdout

    demo = ddr(folder, "demo-data", "--persons", "15", env={"DDR_DEMO_PASSWORD": "demo-pass-123"})
    assert demo.returncode == 0, demo.stderr
    assert "login: officer.trp / demo-pass-123" in demo.stdout
    count = int(demo.stdout.split("registered ")[1].split()[0])
    assert count >= 15
    again = ddr(folder, "demo-data", "--persons", "15", env={"DDR_DEMO_PASSWORD": "demo-pass-123"})
    assert again.returncode == 0, again.stderr

    listed = ddr(folder, "users", "list")
    assert "boss\tadmin\t*" in listed.stdout
    assert "officer.trp\tregistration_officer\tTRP" in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["users", "create", "--username", "x", "--role", "pilot", "--password-stdin"], "role"),
     (["users", "create", "--username", "x", "--role", "registration_officer", "--site", "XXX",
       "--password-stdin"], "unknown site"),
     (["demo-data", "--persons", "0"], "--persons")],
    ids=["bad-role", "unknown-site", "no-persons"],
)
def test_bad_input_exits_2_with_a_clear_message(folder: Path, args: list[str], message: str
                                                ) -> None:
    assert ddr(folder, "init").returncode == 0
    result = ddr(folder, *args, stdin="a long password\n")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_key_is_refused(folder: Path) -> None:
    assert ddr(folder, "init").returncode == 0
    other = "b" * 43 + "="
    result = ddr(folder, "users", "list", env={"DDR_MASTER_KEY": other})
    assert result.returncode == 2
    assert "does not match this database" in result.stderr


def test_production_refuses_default_secret(folder: Path) -> None:
    result = ddr(folder, "serve", env={"DDR_ENV": "production"})
    assert result.returncode == 2
    assert "DDR_SECRET_KEY" in result.stderr
