"""`ddr keys`: a new version, a rotation killed half-way and run again, retirement; the key
and database files private to their owner."""

from __future__ import annotations

import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from tests.test_cli import ddr


def status(folder: Path) -> dict[str, list[str]]:
    listed = ddr(folder, "keys", "status")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:] if line.strip()]
    return {row[0]: row[1:] for row in rows}


def rotate_events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM audit_event WHERE action = 'keys.rotate'")).scalar_one())


def test_rotation_killed_half_way_finishes_when_run_again(folder: Path) -> None:
    assert ddr(folder, "init").returncode == 0
    key_file = folder / "ddr_master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    url = (folder / ".url").read_text()
    if url.startswith("sqlite"):
        assert stat.S_IMODE(Path(url.removeprefix("sqlite:///")).stat().st_mode) == 0o600
    demo = ddr(folder, "demo-data", "--persons", "60", env={"DDR_DEMO_PASSWORD": "demo-pass-123"})
    assert demo.returncode == 0, demo.stderr
    (old,) = status(folder)

    added = ddr(folder, "keys", "add")
    assert added.returncode == 0, added.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    versions = status(folder)
    new = next(k for k, v in versions.items() if v[0] == "primary")
    assert versions[old][0] == "previous"
    assert int(versions[old][1]) > 0
    assert ddr(folder, "keys", "retire", old).returncode == 2  # still in use

    environment = {"DDR_ENV": "development", "DDR_DATABASE_URL": url,
                   "PATH": "/usr/bin:/bin", "DDR_PASSWORD_HASHING": "cheapest"}
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "keys", "rotate",
                                "--batch-size", "1"], cwd=folder, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = create_engine(url)
    deadline = time.monotonic() + 120
    while rotate_events(engine) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    engine.dispose()
    half_way = status(folder)
    assert int(half_way[old][1]) > 0, "the rotation was not stopped half-way"
    assert int(half_way[new][1]) > int(versions[new][1])

    again = ddr(folder, "keys", "rotate")
    assert again.returncode == 0, again.stderr
    assert "every value is on the primary version" in again.stdout
    done = status(folder)
    assert int(done[old][1]) == 0

    retired = ddr(folder, "keys", "retire", old)
    assert retired.returncode == 0, retired.stderr
    assert status(folder)[old][0] == "retired"
    assert "retired " in key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    verified = ddr(folder, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact" in verified.stdout
