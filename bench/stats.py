"""The committee's statistics over a large register: computing them (the database's
aggregates, suppression and its audit), the dashboard's server time, and the full export.

Builds a fresh register (a SQLite file in a temporary folder, or the PostgreSQL database
given, emptied first) with N registrations over 18 months at eight sites (sex, category,
nationality, birth year skewed as a programme's: few women at some sites, few foreign fighters
of some countries), a weapon for one registration in five, and reintegration cases for one in
ten with their steps (a funnel: the further the step, the fewer cases reached it). Rows are
inserted in bulk with only their clear columns and an armed group (encrypted, as the services
store it): statistics read no encrypted value, and the services would take hours for a million
registrations. Rows inserted around the write path are not counted as they go, so the running
counts (`app.registry.counts`) are rebuilt once after the load, as the migration that created
them did, and the armed groups are recounted (decrypted) as `ddr stats recount` does after an
upgrade: timed.

Then, in-process through the ASGI app:
- the statistics computed from scratch (what a refresh costs), five runs;
- the committee's dashboard (`GET /`, its home page) as the service serves it, statistics
  refreshed every five minutes: 40 requests, median and p95;
- the full export: statistics computed afresh and written as CSV (ZIP with HXL rows), XLSX
  and JSON.

    .venv/bin/python bench/stats.py [--registrations 1000000] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

SITES = ("TRP", "BEN", "MIS", "SEB", "ZAW", "KUF", "ZIN", "SRT")
SITE_WEIGHTS = (30, 20, 12, 8, 10, 4, 8, 8)
WOMEN_SHARE = {"TRP": 0.12, "BEN": 0.10, "MIS": 0.06, "SEB": 0.03, "ZAW": 0.05, "KUF": 0.01,
               "ZIN": 0.02, "SRT": 0.04}
CATEGORIES = (("libyan_combatant", 70), ("associated_civilian", 18), ("foreign_fighter", 9),
              ("child", 3))
FOREIGN = (("SDN", 40), ("TCD", 30), ("NER", 15), ("SYR", 10), ("RUS", 3), ("MLI", 2))
ARMED_GROUPS = (("", 20), ("TPF", 30), ("BEN-B", 20), ("MIS-B", 15), ("SEB-S", 10),
                ("ZAW-B", 4), ("KUF-M", 1))
"""Armed group codes (empty: none stated), weighted; the registrations hold them encrypted."""
PASSWORD = "bench-password-123"
DASHBOARD_TARGET = 1.0
EXPORT_TARGET = 10.0


def _empty_postgresql(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A migrated, empty database: the one given (emptied), or a SQLite file."""
    from app.core.migrate import upgrade

    if url:
        _empty_postgresql(url)
        upgrade(url)
        yield url
        return
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite:///{Path(tmp) / 'stats.db'}"
        upgrade(sqlite)
        yield sqlite


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def load(url: str, count: int, crypto: Any, seed: int = 18) -> dict[str, int]:
    """Insert the register's clear columns (and its armed groups, encrypted) in bulk; how many
    rows of each kind."""
    from sqlalchemy import create_engine, insert, text
    from sqlmodel import Session

    from app.core.db import make_engine, session_scope
    from app.core.keys import check_or_store_key
    from app.core.security import SYSTEM
    from app.models import all_models
    from app.registry import counts, reference
    from app.registry.models import ArmedGroup, Person, Registration, WeaponHandover
    from reintegration.models import Case, CaseStep
    from reintegration.pathways import latest

    all_models()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = date.today() - timedelta(days=540)
    steps = [s.key for s in latest("reintegration").steps]
    engine = create_engine(url)
    with Session(engine) as session:
        reference.ensure_default_sites(session=session)
        session.add_all([ArmedGroup(code=code, name_en=f"Group {code}", name_ar=f"جماعة {code}")
                         for code, _weight in ARMED_GROUPS if code])
        session.commit()
    sizes = {"registrations": 0, "weapons": 0, "cases": 0, "case steps": 0}
    batch = 20_000
    for first in range(0, count, batch):
        persons, registrations, weapons, cases, case_steps = [], [], [], [], []
        for number in range(first, min(first + batch, count)):
            site = rng.choices(SITES, SITE_WEIGHTS)[0]
            day = start + timedelta(days=rng.randrange(540))
            category = _pick(rng, CATEGORIES)
            nationality = "LBY" if category != "foreign_fighter" else _pick(rng, FOREIGN)
            sex = "F" if rng.random() < WOMEN_SHARE[site] else "M"
            age = rng.randint(12, 17) if category == "child" else int(rng.gauss(30, 9))
            birth_year = None if rng.random() < 0.03 else day.year - max(age, 12)
            person_id, registration_id = uuid.uuid4(), uuid.uuid4()
            persons.append({"id": person_id, "created_at": now, "status": "active",
                            "is_child": category == "child", "pathway": "reintegration"})
            registrations.append({
                "id": registration_id, "registration_number": f"{site}-{day.year}-{number:07d}",
                "person_id": person_id, "site_code": site, "registered_on": day,
                "created_at": now, "category": category, "declared_category": category,
                "sex": sex, "birth_year": birth_year, "nationality": nationality,
                "is_child": category == "child", "consent": True, "request_digest": "bench",
                "version": 1, "armed_group": crypto.encrypt(
                    _pick(rng, ARMED_GROUPS), table="registration", column="armed_group",
                    row_id=str(registration_id))})
            if number % 5 == 0:
                weapons.append({
                    "id": uuid.uuid4(), "registration_id": registration_id, "site_code": site,
                    "handed_over_on": day, "weapon_type": rng.choice(
                        ("rifle", "rifle", "rifle", "pistol", "machine_gun", "rocket_launcher",
                         "grenade")), "calibre": rng.choice(("7.62x39mm", "7.62x54R",
                                                             "9x19mm", "12.7x108mm")),
                    "rounds": 0, "condition": "serviceable",
                    "receipt_number": f"R-{number:08d}", "created_at": now})
            if number % 10 == 0 and category != "child":
                case_id = uuid.uuid4()
                reached = min(int(rng.expovariate(0.35)), len(steps))
                cases.append({
                    "id": case_id, "person_id": person_id, "registration_id": registration_id,
                    "pathway": "reintegration", "pathway_version": 1, "status": "open",
                    "site_code": site, "opened_on": day, "opened_at": now,
                    "current_step": steps[reached] if reached < len(steps) else None,
                    "updated_at": now, "version": 1})
                for position, key in enumerate(steps):
                    done = position < reached
                    started = day + timedelta(days=position * 9)
                    case_steps.append({
                        "id": uuid.uuid4(), "case_id": case_id, "key": key,
                        "position": position, "attempts": 0, "facts": "{}",
                        "status": "done" if done else (
                            "in_progress" if position == reached else "pending"),
                        "due_on": started + timedelta(days=14),
                        "started_on": started if position <= reached else None,
                        "settled_on": started + timedelta(days=rng.randint(1, 20))
                        if done else None,
                        "outcome": rng.choice(("vocational_training", "employment",
                                               "small_business", "education"))
                        if done and key == "option" else None})
        with engine.begin() as conn:
            for table, rows in ((Person, persons), (Registration, registrations),
                                (WeaponHandover, weapons), (Case, cases),
                                (CaseStep, case_steps)):
                if rows:
                    conn.execute(insert(table), rows)  # type: ignore[arg-type]
        sizes["registrations"] += len(registrations)
        sizes["weapons"] += len(weapons)
        sizes["cases"] += len(cases)
        sizes["case steps"] += len(case_steps)
    with Session(engine) as session:  # rows went in around the write path: count them once
        counts.rebuild(session)
        session.commit()
    service_engine = make_engine(url)
    check_or_store_key(service_engine, crypto)  # as the CLI does: the audit chain's keys
    started, cpu = time.perf_counter(), _cpu()
    with session_scope(service_engine) as session:  # as `ddr stats recount`
        counts.recount_armed_groups(session, crypto=crypto, actor=SYSTEM)
    print(f"  armed groups recounted (decrypted): {time.perf_counter() - started:.1f} s wall, "
          f"{_cpu() - cpu:.1f} s CPU")
    service_engine.dispose()
    with engine.begin() as conn:  # table statistics, as a database in service keeps them
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return sizes


def _app(url: str, refresh_seconds: int, master: bytes) -> Any:
    from pydantic import SecretStr

    from app.core.settings import Settings
    from app.main import create_app

    settings = Settings(env="development", database_url=url,
                        master_key=SecretStr(base64.b64encode(master).decode()),
                        master_key_file=Path(tempfile.gettempdir()) / "bench-unused.key",
                        stats_refresh_seconds=refresh_seconds)
    return create_app(settings)


def measure(url: str, runs: int, requests: int, master: bytes) -> dict[str, list[float]]:
    """Time the statistics, the dashboard and the export."""
    from fastapi.testclient import TestClient

    from app.core.db import session_scope
    from app.core.security import SYSTEM
    from app.users import service as users
    from exports import writers

    app = _app(url, 300, master)
    timings: dict[str, list[float]] = {
        "statistics computed": [], "statistics computed (CPU of this process)": [],
        "dashboard": [], **{f"export {f}{cpu}": [] for f in ("csv", "xlsx", "json")
                            for cpu in ("", " (CPU of this process)")}}
    with session_scope(app.state.engine) as session:
        users.create_user(session=session, actor=SYSTEM, username="bench-committee",
                          password=PASSWORD, role="committee", sites=[])
    for _ in range(runs):  # what a refresh costs (in the background, on the reader engine)
        started, cpu = time.perf_counter(), _cpu()
        stats = app.state.stats_cache.compute_now()
        timings["statistics computed"].append(time.perf_counter() - started)
        timings["statistics computed (CPU of this process)"].append(_cpu() - cpu)
    hidden = sum(1 for c in stats.hidden if stats.values[c] > 0)
    assert not stats.withheld, stats.withheld
    print(f"  {len(stats.values):,} cells in {len(stats.tables)} tables and views, "
          f"{hidden:,} suppressed (non-zero)")
    for fmt in writers.FORMATS:
        started, cpu = time.perf_counter(), _cpu()  # as `ddr export stats`: afresh, written
        fresh = app.state.stats_cache.compute_now()
        body = writers.write(fresh, fmt)
        timings[f"export {fmt}"].append(time.perf_counter() - started)
        timings[f"export {fmt} (CPU of this process)"].append(_cpu() - cpu)
        print(f"  export {fmt}: {len(body) / 1e3:,.0f} kB")
    with TestClient(app) as client:
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"username": "bench-committee", "password": PASSWORD,
                                    "csrf_token": token},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/")
            timings["dashboard"].append(time.perf_counter() - started)
            assert response.status_code == 200, response.text[:300]
            assert "chart-pyramid" in response.text
            assert "chart-armed-groups" in response.text
    app.state.engine.dispose()
    return timings


def _cpu() -> float:
    """CPU seconds this process has used (user and system; on PostgreSQL the server's own
    work is not in it, on SQLite all of it is)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    """Build the register, then time statistics, dashboard and export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL database to use (emptied first); default SQLite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from app.core.crypto import FieldCrypto

    master = os.urandom(32)
    with database(args.database_url) as url:
        started = time.perf_counter()
        sizes = load(url, args.registrations, FieldCrypto(master))
        print(f"{'PostgreSQL' if args.database_url else 'SQLite'}: loaded "
              + ", ".join(f"{v:,} {k}" for k, v in sizes.items())
              + f" in {time.perf_counter() - started:.0f} s")
        timings = measure(url, args.runs, args.requests, master)
    load_average = os.getloadavg()[0]
    for label, values in timings.items():
        print(f"{label}: median {statistics.median(values):.3f} s, p95 {_p95(values):.3f} s, "
              f"worst {max(values):.3f} s over {len(values)} runs")
    dashboard = _p95(timings["dashboard"])
    export = max(timings[f"export {f}"][0] for f in ("csv", "xlsx", "json"))
    verdict = "within" if dashboard <= DASHBOARD_TARGET else "OVER"
    print(f"dashboard p95 {dashboard:.3f} s — {verdict} the {DASHBOARD_TARGET:.0f} s target; "
          f"slowest full export {export:.2f} s — "
          f"{'within' if export <= EXPORT_TARGET else 'OVER'} the {EXPORT_TARGET:.0f} s target "
          f"(load average {load_average:.2f})")


if __name__ == "__main__":
    main()
