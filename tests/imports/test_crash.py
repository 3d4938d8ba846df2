"""Killing an import half-way (SIGKILL) leaves no half-written registration, and running the
file again completes it with no registration twice."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from synthetic import SyntheticConfig, generate
from tests.test_cli import ddr, folder  # noqa: F401 - the CLI tests' working folder

ROWS = 3000


def count(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_a_killed_import_completes_when_run_again(folder: Path) -> None:  # noqa: F811
    url = (folder / ".url").read_text()
    assert ddr(folder, "init", "--demo-groups").returncode == 0
    records, _truth = generate(SyntheticConfig(n_persons=ROWS, seed=5, registry_valid=True))
    path = folder / "week.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records[:ROWS])
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DDR_")}
    environment.update({"DDR_ENV": "development", "DDR_DATABASE_URL": url})
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "import", "week.csv", "--attest-consent",
         "--batch-size", "100"], cwd=folder, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while count(url, "SELECT count(*) FROM registration") < 200:
        assert process.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "the import stored nothing"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    stored = count(url, "SELECT count(*) FROM registration")
    assert 200 <= stored < ROWS
    # nothing half-written: each registration with its blind indexes and its audit event
    assert count(url, "SELECT count(*) FROM registration r WHERE NOT EXISTS (SELECT 1 FROM "
                      "registration_index i WHERE i.registration_id = r.id)") == 0
    assert count(url, "SELECT count(DISTINCT object_id) FROM audit_event "
                      "WHERE action = 'registration.create'") == stored
    assert count(url, "SELECT count(*) FROM audit_event "
                      "WHERE action = 'registration.create'") == stored

    again = ddr(folder, "import", "week.csv", "--attest-consent", "--batch-size", "100")
    assert again.returncode == 0, again.stderr
    summary = dict(part.split("=") for part in again.stdout.splitlines()[-1].split())
    assert int(summary["skipped"]) == stored
    total = count(url, "SELECT count(*) FROM registration")
    assert total == stored + int(summary["accepted"])
    assert total + int(summary["rejected"]) == ROWS
    assert count(url, "SELECT count(*) FROM audit_event "
                      "WHERE action = 'registration.create'") == total
    assert count(url, "SELECT count(*) FROM (SELECT registration_a_id, registration_b_id "
                      "FROM candidate_pair GROUP BY registration_a_id, registration_b_id "
                      "HAVING count(*) > 1) AS twice") == 0
    statuses = count(url, "SELECT count(*) FROM import_job WHERE status = 'running'")
    assert statuses == 1  # the killed job: the job page reports it stopped
    last = ddr(folder, "import", "week.csv", "--attest-consent")
    assert last.stdout.splitlines()[-1] == (
        f"accepted=0 rejected={summary['rejected']} flagged=0 duplicates=0 skipped={total}")
