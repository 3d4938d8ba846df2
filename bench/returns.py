"""Return coordination at scale: the per-country board's server time with 20,000 foreign
fighters.

Builds a fresh register — a SQLite file in a temporary folder, or the PostgreSQL database
given with `--database-url` (its schema is dropped and created again) — by importing
synthetic registrations turned into foreign fighters of seven countries with the bulk import
(which opens their return cases as `ddr import` does), registration days spread over the last
200 days. Their cases are then moved along the pathway in bulk (set-up, not measured) so that
every stage holds people: nationality verified, consent or the non-return branch, consular
contact, travel document, medical clearance, departure, handover, with settle dates that
follow each other. The tables are analysed after the load (ANALYZE; VACUUM ANALYZE on
PostgreSQL, as autovacuum would: the board's index-only scans need the visibility map).

Then, in-process through the ASGI app (HTTP semantics, no network), `--rounds` times each,
for a returns coordinator (every site) and a case manager of one site:
- `GET /api/v1/returns/board` (contract 7: counts by country and stage),
- `GET /api/v1/returns/board/details` (median days per stage, who is stuck longest),
- the board page `/returns` (Server-Timing: counts, details and the chart together).

Prints count, p50 and p95 of each (milliseconds), and the median CPU time of a request (the
process's, client included: a busy machine inflates it less than wall time). Target: board
p95 ≤ 300 ms.

    .venv/bin/python bench/returns.py [--fighters 20000] [--rounds 30]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("DDR_PASSWORD_HASHING", "cheapest")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _registry_file import fresh_app  # noqa: E402
from sqlalchemy import text, update  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from app.core.db import session_scope  # noqa: E402
from app.core.security import SYSTEM  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.imports.service import import_file  # noqa: E402
from app.main import create_app  # noqa: E402
from app.users import service as users  # noqa: E402
from reintegration.models import Case, CaseStep  # noqa: E402
from reintegration.pathways import latest  # noqa: E402
from synthetic import SyntheticConfig, generate  # noqa: E402

PASSWORD = "bench password 1"
WINDOW_DAYS = 200
COUNTRIES = ("TCD", "SDN", "NER", "SYR", "RUS", "MLI", "EGY")
RETURN_STEPS = ("consular_contact", "travel_document", "medical_clearance", "counselling",
                "movement", "departed", "handover", "monitoring_1m", "monitoring_3m")


def stats(values: list[float], cpu: list[float] | None = None) -> str:
    """Count, median and p95 in milliseconds (and the median CPU time of this process, which
    a busy machine inflates less than wall time)."""
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    spent = f" (CPU p50 {statistics.median(cpu):.1f} ms)" if cpu else ""
    return f"n={len(ordered)} p50={statistics.median(ordered):.1f} ms p95={p95:.1f} ms{spent}"


def _records(fighters: int) -> list[dict[str, str]]:
    """Synthetic adult registrations made foreign fighters, over the last WINDOW_DAYS days."""
    records, _truth = generate(SyntheticConfig(n_persons=int(fighters * 1.05), seed=19,
                                               registry_valid=True))
    rng = random.Random(19)
    today = date.today()
    chosen = []
    for record in records:
        if record["category"] == "child":
            continue
        day = date.fromisoformat(record["registered_on"]).timetuple().tm_yday - 1
        record["registered_on"] = (today - timedelta(
            days=WINDOW_DAYS - day * WINDOW_DAYS // 366)).isoformat()
        record.update(category="foreign_fighter", nationality=rng.choice(COUNTRIES),
                      national_id="")
        chosen.append(record)
        if len(chosen) == fighters:
            break
    return chosen


def _advance(engine: Any, seed: int = 19) -> dict[str, int]:
    """Move the return cases along the pathway in bulk, every stage holding people."""
    pathway = latest("return")
    order = [s.key for s in pathway.steps]
    rng = random.Random(seed)
    today = date.today()
    reached: dict[str, int] = {}
    with session_scope(engine) as session:
        cases = session.exec(select(Case.id, Case.opened_on).where(
            Case.pathway == "return")).all()
        steps = {(c, k): i for i, c, k in session.exec(select(
            CaseStep.id, CaseStep.case_id, CaseStep.key))}
        step_rows: list[dict[str, Any]] = []
        case_rows: list[dict[str, Any]] = []
        for case_id, opened_on in cases:
            room = max((today - opened_on).days, 1)
            day = opened_on
            done: dict[str, tuple[str, str | None, dict[str, Any]]] = {}
            step = max(room // 8, 1)

            def settle(key: str, outcome: str | None = None,
                       facts: dict[str, Any] | None = None,
                       done: dict[str, Any] = done, step: int = step) -> None:
                nonlocal day
                day = min(today, day + timedelta(days=rng.randint(0, step)))
                done[key] = ("done", outcome, facts or {})

            walk = rng.random()
            if walk > 0.1:
                settle("nationality_claimed")
            if walk > 0.2:
                settle("nationality_verified", "confirmed" if walk > 0.23 else "not_confirmed")
            if walk > 0.3:
                if rng.random() < 0.1:
                    settle("consent", "declines")
                    for key in RETURN_STEPS:
                        done[key] = ("not_applicable", None, {})
                    done["protection_screening"] = (
                        "done" if rng.random() < 0.5 else "pending",
                        "protection_granted", {})
                else:
                    settle("consent", "consents")
                    for key, share, outcome in (
                            ("consular_contact", 0.75, "accepted"),
                            ("travel_document", 0.65, "laissez_passer"),
                            ("medical_clearance", 0.7, "fit"),
                            ("counselling", 0.7, None), ("movement", 0.45, None),
                            ("departed", 0.85, None), ("handover", 0.9, None)):
                        if rng.random() > share:
                            break
                        settle(key, outcome, facts={"expires_on": "2030-01-01"}
                               if key == "travel_document" else None)
            for key, (status, outcome, facts) in done.items():
                settled = status in ("done", "not_applicable")
                step_rows.append({"id": steps[(case_id, key)], "status": status,
                                  "outcome": outcome, "facts": json.dumps(facts),
                                  "settled_on": day if settled else None,
                                  "started_on": day if status == "done" else None})
                if status == "done":
                    reached[key] = reached.get(key, 0) + 1
            current = next((k for k in order if k not in done or done[k][0] == "pending"),
                           None)
            case_rows.append({"id": case_id, "current_step": current})
        for start in range(0, len(step_rows), 5000):
            session.execute(update(CaseStep), step_rows[start:start + 5000])
        for start in range(0, len(case_rows), 5000):
            session.execute(update(Case), case_rows[start:start + 5000])
    return reached


def build(url: str, fighters: int) -> Settings:
    """A register holding about `fighters` foreign fighters, their cases at every stage."""
    app = fresh_app(url, b"r")
    settings, engine, crypto = app.state.settings, app.state.engine, app.state.crypto
    with session_scope(engine) as session:
        users.create_user(session=session, actor=SYSTEM, username="coordinator",
                          password=PASSWORD, role="case_manager", sites=["SEB"],
                          authorisations=["returns_coordinator"])
        users.create_user(session=session, actor=SYSTEM, username="cm-seb",
                          password=PASSWORD, role="case_manager", sites=["SEB"])
    started = time.perf_counter()
    records = _records(fighters)
    source = Path(tempfile.mkdtemp()) / "returns-bench.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    with source.open("rb") as handle:
        job = import_file(engine=engine, crypto=crypto, actor=SYSTEM, handle=handle,
                          file_name=source.name, consent_attested=True, batch_size=1000)
    source.unlink()
    reached = _advance(engine)
    # Statistics (and PostgreSQL's visibility map, for index-only scans), as autovacuum or an
    # operator's ANALYZE after a bulk load give them. On SQLite in a committed transaction:
    # the engine begins every transaction itself, so an "autocommit" ANALYZE was rolled back.
    if url.startswith("postgresql"):
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    with session_scope(engine) as session:
        total = len(session.exec(select(Case.id).where(col(Case.pathway) == "return")).all())
    print(f"imported {job.accepted} registrations, {total} return cases "
          f"({time.perf_counter() - started:.0f} s); steps done: {reached}", flush=True)
    engine.dispose()
    return settings


def main() -> None:
    """Build the register, then time the board's reads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fighters", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        settings = build(args.database_url or f"sqlite:///{folder}/ddr.db", args.fighters)
        from fastapi.testclient import TestClient

        app = create_app(settings)
        with TestClient(app) as client:
            for name in ("coordinator", "cm-seb"):
                token = client.post("/api/v1/auth/token", data={
                    "username": name, "password": PASSWORD}).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                for path in ("/api/v1/returns/board", "/api/v1/returns/board/details"):
                    times, cpu = [], []
                    for _ in range(args.rounds):
                        started, used = time.perf_counter(), time.process_time()
                        answer = client.get(path, headers=headers)
                        times.append((time.perf_counter() - started) * 1000)
                        cpu.append((time.process_time() - used) * 1000)
                        assert answer.status_code == 200, answer.text
                    body = answer.json()
                    seen = (sum(c["registered"] for c in body["countries"])
                            if "countries" in body else len(body["stuck"]))
                    print(f"{path} {name}: {stats(times, cpu)}; "
                          f"{'cases' if 'countries' in body else 'stuck shown'} {seen}",
                          flush=True)
                _web_login(client, name)
                times, cpu = [], []
                for _ in range(args.rounds):
                    used = time.process_time()
                    times.append(_server_ms(client.get("/returns")))
                    cpu.append((time.process_time() - used) * 1000)
                print(f"/returns (web page, Server-Timing) {name}: {stats(times, cpu)}",
                      flush=True)
                client.cookies.clear()
        app.state.engine.dispose()
    print("target: board server time p95 <= 300 ms (the page: counts, medians, who waits); "
          "on a loaded machine compare the CPU figures", flush=True)


def _web_login(client: Any, name: str) -> None:
    from bs4 import BeautifulSoup

    client.cookies.clear()
    page = client.get("/login")
    token = BeautifulSoup(page.text, "lxml").find("input", attrs={"name": "csrf_token"})
    client.post("/login", data={"username": name, "password": PASSWORD,
                                "csrf_token": token["value"]},
                headers={"Origin": "http://testserver"})


def _server_ms(response: Any) -> float:
    assert response.status_code == 200, response.status_code
    return float(response.headers["server-timing"].split("dur=")[1])


if __name__ == "__main__":
    main()
