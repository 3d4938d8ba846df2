"""Name search over a 100,000-person register: server time per search (target p95 <= 100 ms).

Builds (once, cached under bench/out/) a SQLite register of the synthetic registrations of
100,000 persons (about a quarter registered two to four times, often in the other script or
another spelling), through the registry's own functions (`_registry_file.build_registry`:
the same validation, encryption and blind indexes as one-by-one registration). Then times
`app.registry.search.search` — blind index lookup of the matching engine's cross-script
keys, decryption and ranking by `compare_names` — in one unit of work per search (with its
audit event and commit), as a request runs it, for an administrator (every site: the
largest candidate sets) and for three kinds of query:

- full: the whole nasab as written on one registration of a person registered twice or more;
- two: the given and the family name of such a registration;
- one: a given name alone (the most common names match thousands).

For full and two it also counts how often another registration of the same person (usually
typed in the other script or spelled differently) is on the first page of results.

    .venv/bin/python bench/name_search.py [--persons 100000] [--queries 600]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time
import uuid

from _registry_file import NAMESPACE, OUT, build_registry, settings_for
from sqlmodel import Session, func, select

from app.core.db import make_engine, session_scope
from app.core.keys import check_or_store_key, load_crypto
from app.core.migrate import upgrade
from app.core.security import SYSTEM
from app.registry.enums import IndexKind
from app.registry.models import Registration
from app.registry.reindex import reindex
from app.registry.schemas import SearchIn
from app.registry.search import search
from synthetic import SyntheticConfig, iter_records

NASAB = ("given_name", "father_name", "grandfather_name", "family_name")
PAGE = 20


def records(persons: int) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    """The synthetic registrations of `persons` people, and each person's record ids."""
    rows: list[dict[str, str]] = []
    by_person: dict[str, list[str]] = {}
    for record, person in iter_records(SyntheticConfig(n_persons=persons, seed=16,
                                                       registry_valid=True)):
        rows.append(record)
        by_person.setdefault(person, []).append(record["record_id"])
    return rows, by_person


def queries(rows: list[dict[str, str]], by_person: dict[str, list[str]], count: int,
            seed: int = 5) -> list[tuple[str, str, set[uuid.UUID]]]:
    """(kind, name typed, ids of the person's other registrations) for each query."""
    rng = random.Random(seed)
    by_id = {r["record_id"]: r for r in rows}
    twice = [ids for ids in by_person.values() if len(ids) >= 2]
    out: list[tuple[str, str, set[uuid.UUID]]] = []
    for kind, share in (("full", 0.4), ("two", 0.3), ("one", 0.3)):
        for ids in rng.sample(twice, int(count * share)):
            typed_id, *others = rng.sample(ids, len(ids))
            record = by_id[typed_id]
            parts = {"full": NASAB, "two": ("given_name", "family_name"),
                     "one": ("given_name",)}[kind]
            name = " ".join(record[p] for p in parts if record.get(p))
            out.append((kind, name, {uuid.uuid5(NAMESPACE, r) for r in others}))
    rng.shuffle(out)
    return out


def main() -> None:
    """Build (or reuse) the register, then time the searches and print the figures (wall
    time, the target; and the process's CPU time, which another load on the machine
    distorts less)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=600)
    args = parser.parse_args()
    rows, by_person = records(args.persons)
    path = build_registry(OUT / f"name-search-{args.persons}.db", rows)
    asked = queries(rows, by_person, args.queries)
    del rows, by_person  # a server does not hold the register in memory
    gc.collect()
    settings = settings_for(path)
    upgrade(settings.database_url)  # a cached file gets later migrations
    engine = make_engine(settings.database_url)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    rebuilt = reindex(engine=engine, crypto=crypto, actor=SYSTEM, kinds=[IndexKind.name],
                      missing_only=True)
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(Registration)).one()
    print(f"register: {args.persons:,} persons, {total:,} registrations"
          + (f" (name keys built now for {rebuilt:,})" if rebuilt else ""))
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    found: dict[str, int] = {}
    for kind, name, wanted in asked:
        started, cpu_started = time.perf_counter(), time.process_time()
        with session_scope(engine) as session:
            result = search(session=session, crypto=crypto, actor=SYSTEM,
                            query=SearchIn(name=name, page_size=PAGE))
        times.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        cpu.setdefault(kind, []).append((time.process_time() - cpu_started) * 1000)
        found[kind] = found.get(kind, 0) + bool(wanted & {hit.id for hit in result.items})
    engine.dispose()
    print(f"{'query':6} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu p50':>8} "
          f"{'cpu p95':>8}  other registration of the person on page 1")
    for kind in ("full", "two", "one", "all"):
        values = [t for v in times.values() for t in v] if kind == "all" else times[kind]
        spent = [t for v in cpu.values() for t in v] if kind == "all" else cpu[kind]
        cuts, cpu_cuts = statistics.quantiles(values, n=100), statistics.quantiles(spent, n=100)
        recall = (f"{found[kind]}/{len(values)}" if kind in ("full", "two") else "-")
        print(f"{kind:6} {len(values):4d} {cuts[49]:8.1f} {cuts[94]:8.1f} {cuts[98]:8.1f} "
              f"{cpu_cuts[49]:8.1f} {cpu_cuts[94]:8.1f}  {recall}")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
