"""Bulk import throughput: `ddr import` of a file of synthetic registrations, the duplicate
check on (each batch against the registry and the file), on a fresh register.

Writes (once, cached under bench/out/) a record CSV of N synthetic registry-valid
registrations (about a quarter re-registrations of the same persons), creates a fresh
register (a SQLite file, or the PostgreSQL database given, emptied first), imports the file
through `app.imports` as the command line does, and prints rows/s, the counts, peak memory
and the load average. `--again` times importing the same file a second time (every row
skipped). The SQLite register is a file in a new temporary folder, removed afterwards, so
that runs side by side do not share it; `--database-file` keeps it where given instead.

    .venv/bin/python bench/import.py [--rows 100000] [--batch-size 2000] [--again]
        [--database-file PATH | --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_h3]
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.db import make_engine, session_scope
from app.core.keys import check_or_store_key, load_crypto
from app.core.migrate import upgrade
from app.core.models import AuditEvent
from app.core.security import SYSTEM
from app.core.settings import Settings
from app.demo import ensure_demo_armed_groups
from app.imports.models import ImportJob
from app.imports.service import import_file
from app.registry.reference import ensure_default_sites
from synthetic import SyntheticConfig, iter_records, persons_for_records

OUT = Path(__file__).parent / "out"
BENCH_KEY = base64.b64encode(b"bench-only-master-key-32-bytes!!").decode()
TARGET = 2_000  # rows/s on SQLite, 100,000 rows, the duplicate check on (issue 20)


def records_file(rows: int) -> Path:
    """The record CSV of `rows` synthetic registrations (written once)."""
    path = OUT / f"import-{rows}.csv"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    config = SyntheticConfig(n_persons=int(persons_for_records(rows) * 1.05), seed=23,
                             registry_valid=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")  # runs side by side write their own
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer: csv.DictWriter[str] | None = None
        for count, (record, _person) in enumerate(iter_records(config)):
            if count == rows:
                break
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(record))
                writer.writeheader()
            writer.writerow(record)
    partial.rename(path)
    return path


def fresh_register(database_url: str | None, database_file: Path) -> Settings:
    """Settings of an empty, migrated register with the sites and armed groups (in the
    PostgreSQL database given, else in the SQLite file given)."""
    if database_url is None:
        path = database_file
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{path}"
    else:
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    settings = Settings(env="test", database_url=database_url, master_key=SecretStr(BENCH_KEY),
                        secret_key=SecretStr("bench" * 8))
    upgrade(settings.database_url)
    return settings


class Ticker:
    """Print the rows/s of every 10,000 rows (wall and CPU time) and the rate so far."""

    def __init__(self, started: float) -> None:
        self.started = self.last = started
        self.cpu = self.last_cpu = time.process_time()
        self.done = 0

    def __call__(self, job: ImportJob) -> None:
        if job.rows_processed // 10_000 == self.done // 10_000:
            return
        now, cpu = time.perf_counter(), time.process_time()
        rows = job.rows_processed - self.done
        print(f"  {job.rows_processed:,} rows: last {rows:,} at {rows / (now - self.last):,.0f} "
              f"rows/s ({rows / (cpu - self.last_cpu):,.0f} per CPU second); so far "
              f"{job.rows_processed / (now - self.started):,.0f} rows/s; load average "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        self.last, self.last_cpu, self.done = now, cpu, job.rows_processed


def run(path: Path, settings: Settings, batch_size: int, again: bool) -> None:
    """Import the file (and again, if asked) and print the figures."""
    engine = make_engine(settings.database_url)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    with session_scope(engine) as session:
        ensure_default_sites(session=session)
        ensure_demo_armed_groups(session=session)
    for label in ("import", "again")[: 2 if again else 1]:
        started, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as handle:
            job = import_file(engine=engine, crypto=crypto, actor=SYSTEM, handle=handle,
                              file_name=path.name, consent_attested=True,
                              batch_size=batch_size, progress=Ticker(started))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load = " ".join(f"{v:.2f}" for v in os.getloadavg())
        print(f"{label}: {job.rows_processed:,} rows in {seconds:.1f} s = "
              f"{job.rows_processed / seconds:,.0f} rows/s (CPU {cpu:.1f} s: "
              f"{job.rows_processed / cpu:,.0f} rows per CPU second); accepted={job.accepted} "
              f"rejected={job.rejected} flagged={job.flagged} duplicates={job.duplicates} "
              f"skipped={job.skipped}; peak RSS {peak:.0f} MB; load average {load}")
        if label == "import":
            pairs = pairs_scored(engine)
            print(f"  pairs scored {pairs:,} ({pairs / max(job.accepted, 1):.1f} per accepted "
                  f"row); "
                  f"target {TARGET:,} rows/s (SQLite, 100,000 rows): "
                  f"{'met' if job.rows_processed / seconds >= TARGET else 'not met'} "
                  f"({job.rows_processed / seconds / TARGET:.0%} of it)")
    engine.dispose()


def pairs_scored(engine: Engine) -> int:
    """The candidate pairs the import's duplicate check scored (from its audit events)."""
    with Session(engine) as session:
        details = session.exec(select(AuditEvent.details).where(
            col(AuditEvent.action) == "matching.candidates")).all()
    return sum(json.loads(d).get("scored", 0) for d in details)


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--again", action="store_true", help="import the file a second time")
    place = parser.add_mutually_exclusive_group()
    place.add_argument("--database-url", help="a PostgreSQL database to empty and use")
    place.add_argument("--database-file", type=Path,
                       help="the SQLite file to create and keep (default: a temporary one)")
    args = parser.parse_args()
    path = records_file(args.rows)
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"importing {path.name} ({path.stat().st_size / 1e6:.1f} MB) into a fresh "
          f"{database} register, the duplicate check on")
    with tempfile.TemporaryDirectory(prefix="ddr-import-bench-") as folder:
        database_file = args.database_file or Path(folder) / "import.db"
        run(path, fresh_register(args.database_url, database_file), args.batch_size,
            args.again)


if __name__ == "__main__":
    main()
