"""Case management at scale: the board's server time with 10,000 open cases, and a step
transition's.

Builds a fresh register — a SQLite file in a temporary folder, or the PostgreSQL database
given with `--database-url` (its schema is dropped and created again) — by importing synthetic
registrations with the bulk import, which opens their cases as `ddr import` does (about 5 %
are foreign fighters, who open none yet), with registration days spread over the last 200 days
so that eligibility screenings fall due and overdue at every distance. 20 case managers of
all sites share the cases; a supervisor sees every site. On PostgreSQL the tables are
analysed after the load, as autovacuum would do.

Then, in-process through the ASGI app (HTTP semantics, no network):
- transitions: `--transitions` cases moved through eligibility (done, with its fields),
  disarmament and demobilization by their case manager over the JSON API, timed per request;
- the board over the JSON API (`GET /api/v1/cases/board`) and as the web page (`/cases`,
  Server-Timing), for a case manager (their ~500 cases) and for the supervisor (every case),
  with and without site and pathway filters, `--rounds` times each.

Prints count, p50 and p95 of each (milliseconds).

    .venv/bin/python bench/cases.py [--cases 10000] [--transitions 300] [--rounds 40]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
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
from reintegration.models import Case  # noqa: E402
from synthetic import SyntheticConfig, generate  # noqa: E402

PASSWORD = "bench password 1"
MANAGERS = 20
WINDOW_DAYS = 200


def stats(values: list[float], cpu: list[float] | None = None) -> str:
    """Count, median and p95 in milliseconds (and the median CPU time of this process, which
    a busy machine inflates less than wall time)."""
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    spent = f" (CPU p50 {statistics.median(cpu):.1f} ms)" if cpu else ""
    return f"n={len(ordered)} p50={statistics.median(ordered):.1f} ms p95={p95:.1f} ms{spent}"


def _records(cases: int) -> list[dict[str, str]]:
    """Synthetic registrations, registered over the last WINDOW_DAYS days."""
    records, _truth = generate(SyntheticConfig(n_persons=int(cases * 0.93), seed=17,
                                               registry_valid=True))
    today = date.today()
    for record in records:
        day = date.fromisoformat(record["registered_on"]).timetuple().tm_yday - 1
        shifted = today - timedelta(days=WINDOW_DAYS - day * WINDOW_DAYS // 366)
        record["registered_on"] = shifted.isoformat()
        if record["category"] == "child":  # ages are as of the generator's year
            record["category"] = "associated_civilian"
    return records


def build(url: str, cases: int) -> Settings:
    """A register holding about `cases` open cases, shared by MANAGERS case managers."""
    app = fresh_app(url, b"b")
    settings, engine, crypto = app.state.settings, app.state.engine, app.state.crypto
    with session_scope(engine) as session:
        managers = [users.create_user(session=session, actor=SYSTEM, username=f"cm{n:02d}",
                                      password=PASSWORD, role="case_manager", sites=["*"])
                    for n in range(MANAGERS)]
        users.create_user(session=session, actor=SYSTEM, username="supervisor",
                          password=PASSWORD, role="supervisor", sites=["*"])
        manager_ids = [m.id for m in managers]
    started = time.perf_counter()
    records = _records(cases)
    source = Path(tempfile.mkdtemp()) / "cases-bench.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    with source.open("rb") as handle:  # the import opens each registration's case
        job = import_file(engine=engine, crypto=crypto, actor=SYSTEM, handle=handle,
                          file_name=source.name, consent_attested=True, batch_size=1000)
    source.unlink()
    with session_scope(engine) as session:  # share the cases out (set-up, not measured)
        ids = session.exec(select(Case.id).order_by(col(Case.id))).all()
        session.execute(update(Case), [{"id": case_id, "assigned_to_id": manager_ids[n % MANAGERS]}
                                       for n, case_id in enumerate(ids)])
    if url.startswith("postgresql"):  # statistics, as autovacuum gathers them after a load
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    print(f"imported {job.accepted} registrations, {len(ids)} open cases "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    engine.dispose()
    return settings


def main() -> None:
    """Build the register, then time transitions and board reads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--transitions", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        settings = build(args.database_url or f"sqlite:///{folder}/ddr.db", args.cases)
        from fastapi.testclient import TestClient

        app = create_app(settings)
        with TestClient(app) as client:
            def login(name: str) -> dict[str, str]:
                token = client.post("/api/v1/auth/token", data={
                    "username": name, "password": PASSWORD}).json()["access_token"]
                return {"Authorization": f"Bearer {token}"}

            manager, supervisor = login("cm00"), login("supervisor")
            listed = client.get("/api/v1/cases", headers=manager,
                                params={"assigned_to": _me(client, manager),
                                        "pathway": "reintegration", "page_size": 200}).json()
            print(f"cm00 holds {listed['total']} open reintegration cases", flush=True)
            print("transitions (API): " + stats(*_transitions(
                client, manager, [c["id"] for c in listed["items"]], args.transitions)),
                flush=True)
            for who, headers in (("case manager", manager), ("supervisor", supervisor)):
                for params in ({}, {"site": "TRP"}, {"pathway": "reintegration"}):
                    times, cpu = [], []
                    for _ in range(args.rounds):
                        started, used = time.perf_counter(), time.process_time()
                        answer = client.get("/api/v1/cases/board", headers=headers,
                                            params=params)
                        times.append((time.perf_counter() - started) * 1000)
                        cpu.append((time.process_time() - used) * 1000)
                        assert answer.status_code == 200, answer.text
                    body = answer.json()
                    print(f"board (API) {who} {params or ''}: {stats(times, cpu)}; "
                          f"{sum(c['count'] for c in body['by_status'])} cases, "
                          f"{body['overdue_total']} cases overdue", flush=True)
            for who, name in (("case manager", "cm01"), ("supervisor", "supervisor")):
                web = _web_login(client, name)
                times = [_server_ms(web.get("/cases")) for _ in range(args.rounds)]
                print(f"board (web page, Server-Timing) {who}: {stats(times)}", flush=True)
        app.state.engine.dispose()


def _me(client: Any, headers: dict[str, str]) -> int:
    me: int = client.get("/api/v1/auth/me", headers=headers).json()["id"]
    return me


def _transitions(client: Any, headers: dict[str, str], case_ids: list[str],
                 count: int) -> tuple[list[float], list[float]]:
    """Move cases through their first three steps; each request's time and CPU time."""
    moves = [("eligibility", {"outcome": "eligible", "membership_verification": "witness",
                              "verified_by": "Site screening committee"}),
             ("disarmament", {"no_weapon_reason": "handed_in_by_group"}),
             ("demobilization", {"ddr_id_card": "DDR-BENCH", "medical_screening": "fit"})]
    times: list[float] = []
    cpu: list[float] = []
    for case_id in case_ids:
        version = client.get(f"/api/v1/cases/{case_id}", headers=headers).json()["version"]
        for step, data in moves:
            if len(times) >= count:
                return times, cpu
            started, used = time.perf_counter(), time.process_time()
            answer = client.post(f"/api/v1/cases/{case_id}/steps/{step}", headers=headers,
                                 json={"status": "done", "version": version, "data": data})
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            assert answer.status_code == 200, answer.text
            version = answer.json()["version"]
    return times, cpu


def _web_login(client: Any, name: str) -> Any:
    from bs4 import BeautifulSoup

    client.cookies.clear()
    page = client.get("/login")
    token = BeautifulSoup(page.text, "lxml").find("input", attrs={"name": "csrf_token"})
    client.post("/login", data={"username": name, "password": PASSWORD,
                                "csrf_token": token["value"]},
                headers={"Origin": "http://testserver"})
    return client


def _server_ms(response: Any) -> float:
    assert response.status_code == 200, response.status_code
    return float(response.headers["server-timing"].split("dur=")[1])


if __name__ == "__main__":
    main()
