"""Online candidate lookup latency against a large SQLite registry.

For each size, builds (once, cached under bench/out/) a SQLite registry of that many synthetic
registrations with their cases (`_registry_file.build_registry`: the same validation,
encryption and blind indexes as one-by-one registration), then times `find_candidates` —
blind-indexed blocking, decryption and in-memory scoring — for the registrations that come
next in the same synthetic stream (a quarter of them re-registrations of people already in
the registry): wall time and CPU time of each lookup (CPU is less disturbed by other work
on a shared machine).

    .venv/bin/python bench/online.py [--sizes 100000 1000000] [--queries 500]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import time
import uuid
from pathlib import Path

from _registry_file import NAMESPACE, OUT, build_registry, settings_for

from app.core.db import make_engine, session_scope
from app.core.keys import check_or_store_key, load_crypto
from app.core.migrate import upgrade
from app.core.security import SYSTEM
from app.dedup.service import find_candidates
from synthetic import SyntheticConfig, iter_records, persons_for_records


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


def measure(path: Path, queries: list[dict[str, str]], truth: dict[str, set[uuid.UUID]]
            ) -> None:
    """Time find_candidates for each query and print the distribution, and how many of the
    queries that re-register a person already in the registry found them (match or possible)."""
    settings = settings_for(path)
    upgrade(settings.database_url)  # a cached registry gets the indexes of later migrations
    engine = make_engine(settings.database_url)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    latencies, cpu, found, recalled = [], [], [], 0
    for record in queries:
        draft = {k: v or None for k, v in record.items() if k != "record_id"}
        started, cpu_started = time.perf_counter(), time.process_time()
        with session_scope(engine) as session:
            candidates = find_candidates(session=session, crypto=crypto, actor=SYSTEM,
                                         draft=draft)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        found.append(len(candidates))
        wanted = truth.get(record["record_id"], set())
        recalled += bool(wanted & {c.registration_id for c in candidates})
    engine.dispose()
    cuts, cpu_cuts = statistics.quantiles(latencies, n=100), statistics.quantiles(cpu, n=100)
    print(f"  lookups={len(latencies)} p50={cuts[49]:.1f} ms p95={cuts[94]:.1f} ms "
          f"p99={cuts[98]:.1f} ms; CPU p50={cpu_cuts[49]:.1f} ms p95={cpu_cuts[94]:.1f} ms "
          f"mean={statistics.fmean(cpu):.1f} ms; with candidates: {sum(1 for f in found if f)}; "
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
        path = build_registry(OUT / f"registry-{size}.db", registry)
        # a server does not hold the registry's records in memory: neither should the
        # measurement (a million of them make every full garbage collection take ~0.1 s)
        del registry
        gc.collect()
        measure(path, queries, truth)


if __name__ == "__main__":
    main()
