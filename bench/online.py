"""Online candidate lookup latency against a large SQLite registry.

For each size, builds (once, cached under bench/out/) a SQLite registry of that many synthetic
registrations imported through `app.imports` (same validation, encryption and blind indexes as
one-by-one registration), then times `find_candidates` — blind-indexed blocking,
decryption and in-memory scoring — for the registrations that come next in the same synthetic
stream (a quarter of them re-registrations of people already in the registry).

    .venv/bin/python bench/online.py [--sizes 100000 1000000] [--queries 500]
"""

from __future__ import annotations

import argparse
import base64
import csv
import gc
import itertools
import statistics
import time
import uuid
from pathlib import Path

from pydantic import SecretStr

from app.core.db import make_engine, session_scope
from app.core.keys import check_or_store_key, load_crypto
from app.core.migrate import upgrade
from app.core.security import SYSTEM
from app.core.settings import Settings
from app.dedup.service import find_candidates
from app.demo import ensure_demo_armed_groups
from app.imports.models import ImportJob
from app.imports.rows import NAMESPACE
from app.imports.service import import_file
from app.registry.reference import ensure_default_sites
from synthetic import SyntheticConfig, iter_records, persons_for_records

OUT = Path(__file__).parent / "out"
BENCH_KEY = base64.b64encode(b"bench-only-master-key-32-bytes!!").decode()


def settings_for(path: Path) -> Settings:
    """Settings of a benchmark registry (a fixed key, so the cached file stays readable)."""
    return Settings(env="test", database_url=f"sqlite:///{path}",
                    master_key=SecretStr(BENCH_KEY), secret_key=SecretStr("bench" * 8))


def stream(size: int, queries: int, keep_registry: bool
           ) -> tuple[list[dict[str, str]], list[dict[str, str]], dict[str, set[uuid.UUID]]]:
    """The first `size` synthetic registrations (only when `keep_registry`: a registry to
    build), the `queries` after them, and for each query whose person is already in the
    registry, the ids of that person's registrations there (the duplicates to find)."""
    config = SyntheticConfig(n_persons=int(persons_for_records(size + queries) * 1.05), seed=11,
                             registry_valid=True)
    records = iter_records(config)
    registry: list[dict[str, str]] = []
    registered: dict[str, list[str]] = {}
    for record, person in itertools.islice(records, size):
        registered.setdefault(person, []).append(record["record_id"])
        if keep_registry:
            registry.append(record)
    asked, truth = [], {}
    for record, person in itertools.islice(records, queries):
        asked.append(record)
        if person in registered:
            truth[record["record_id"]] = {uuid.uuid5(NAMESPACE, r) for r in registered[person]}
    return registry, asked, truth


def build(size: int, records: list[dict[str, str]]) -> Path:
    """Create the registry file for a size unless it is cached."""
    path = OUT / f"registry-{size}.db"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial.db")
    partial.unlink(missing_ok=True)
    settings = settings_for(partial)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    with session_scope(engine) as session:
        ensure_default_sites(session=session)
        ensure_demo_armed_groups(session=session)
    source = partial.with_suffix(".csv")
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    started = time.perf_counter()

    def progress(job: ImportJob) -> None:
        if job.rows_processed % 50_000 < 2000:
            print(f"  imported {job.rows_processed:,} in {time.perf_counter() - started:.0f} s",
                  flush=True)

    with source.open("rb") as handle:
        job = import_file(engine=engine, crypto=crypto, actor=SYSTEM, handle=handle,
                          file_name=source.name, consent_attested=True, progress=progress)
    engine.dispose()
    source.unlink()
    print(f"  built {job.accepted:,} registrations ({job.rejected} rejected) in "
          f"{time.perf_counter() - started:.0f} s")
    partial.rename(path)
    return path


def measure(path: Path, queries: list[dict[str, str]], truth: dict[str, set[uuid.UUID]]
            ) -> None:
    """Time find_candidates for each query and print the distribution, and how many of the
    queries that re-register a person already in the registry found them (match or possible)."""
    settings = settings_for(path)
    upgrade(settings.database_url)  # a cached registry gets the indexes of later migrations
    engine = make_engine(settings.database_url)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    latencies, found, recalled = [], [], 0
    for record in queries:
        draft = {k: v or None for k, v in record.items() if k != "record_id"}
        started = time.perf_counter()
        with session_scope(engine) as session:
            candidates = find_candidates(session=session, crypto=crypto, actor=SYSTEM,
                                         draft=draft)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append(len(candidates))
        wanted = truth.get(record["record_id"], set())
        recalled += bool(wanted & {c.registration_id for c in candidates})
    engine.dispose()
    cuts = statistics.quantiles(latencies, n=100)
    print(f"  lookups={len(latencies)} p50={cuts[49]:.1f} ms p95={cuts[94]:.1f} ms "
          f"p99={cuts[98]:.1f} ms; with candidates: {sum(1 for f in found if f)}; "
          f"re-registrations found: {recalled} of {len(truth)}")


def main() -> None:
    """Build (or reuse) each registry size and measure lookups against it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    for size in args.sizes:
        print(f"registry of {size:,} registrations")
        cached = (OUT / f"registry-{size}.db").exists()
        registry, queries, truth = stream(size, args.queries, keep_registry=not cached)
        path = build(size, registry)
        # a server does not hold the registry's records in memory: neither should the
        # measurement (a million of them make every full garbage collection take ~0.1 s)
        del registry
        gc.collect()
        measure(path, queries, truth)


if __name__ == "__main__":
    main()
