"""Reconciliation over a large register of weapons: server time of
`GET /api/v1/weapons/reconciliation` (contract 9), now and as of a past day.

Builds a fresh register (a SQLite file in a temporary folder, or the PostgreSQL database
given, emptied first) with N weapons handed in at eight sites over a year (two per
registration), and a custody history like a programme's: about 5 % never taken into custody
(unaccounted once their handover day is over), 15 % in temporary storage at their site, 3 %
in transit to the central depot (some for too long), 25 % in the depot, 45 % destroyed
there, 5 % transferred to a state armoury and 2 % handed over as evidence; every custody
change a confirmed transfer (batches of 50) or a destruction event, as the services write
them, with its ledger rows; a few hundred weapons in transfers left unconfirmed, one serial
in 200 handed in twice, and a stock count at the depot with missing and unexpected weapons.
Rows are inserted in bulk (the services would take hours for 100,000 weapons); values that
are encrypted in production are left empty, as reconciliation reads none of them.

Then times the request in-process through the ASGI app (the server's time: routing,
authorisation, the queries, the JSON), five runs each, and prints the median and the worst.

    .venv/bin/python bench/weapons.py [--weapons 100000] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import base64
import os
import random
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
DEPOT = "DEP"
BATCH = 50
PASSWORD = "bench-password-123"
TARGET_SECONDS = 2.0
# share of weapons ending in each state, and the custody steps that lead there
FATES: tuple[tuple[float, tuple[str, ...]], ...] = (
    (0.05, ()),
    (0.15, ("in_storage",)),
    (0.03, ("in_storage", "in_transit")),
    (0.25, ("in_storage", "in_transit", "in_depot")),
    (0.45, ("in_storage", "in_transit", "in_depot", "destroyed")),
    (0.05, ("in_storage", "in_transit", "in_depot", "transferred")),
    (0.02, ("in_storage", "evidence")),
)


def _empty_postgresql(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A migrated, empty database: the one given (emptied), or a SQLite file in a temporary
    folder."""
    from app.core.migrate import upgrade

    if url:
        _empty_postgresql(url)
        upgrade(url)
        yield url
        return
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite:///{Path(tmp) / 'weapons.db'}"
        upgrade(sqlite)
        yield sqlite


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def load(url: str, weapons: int, seed: int = 22) -> dict[str, int]:
    """Insert the register's rows in bulk; how many of each."""
    from sqlalchemy import create_engine, insert, text
    from sqlmodel import Session

    from app.core.security import SYSTEM
    from app.models import all_models
    from app.registry import reference
    from app.registry.models import Person, Registration, WeaponHandover
    from app.weapons.models import (
        CustodyEvent,
        CustodyTransfer,
        DestructionEvent,
        DestructionItem,
        StockCount,
        StockCountItem,
        TransferItem,
        TransferOutcome,
        WeaponCustody,
    )

    all_models()
    rng = random.Random(seed)
    today = date.today()
    now = datetime.now(UTC)
    engine = create_engine(url)
    with Session(engine) as session:
        reference.ensure_default_sites(session=session)
        reference.create_site(session=session, actor=SYSTEM, code=DEPOT,
                              name_en="Central weapons depot",
                              name_ar="المستودع المركزي للأسلحة")
        session.commit()

    persons, registrations, handovers = [], [], []
    for number in range(weapons // 2):
        site = SITES[number % len(SITES)]
        day = today - timedelta(days=rng.randrange(0, 365))
        person_id, registration_id = uuid.uuid4(), uuid.uuid4()
        persons.append({"id": person_id, "created_at": now, "status": "active",
                        "is_child": False, "pathway": "reintegration"})
        registrations.append({
            "id": registration_id, "registration_number": f"{site}-{day.year}-{number:06d}",
            "person_id": person_id, "site_code": site, "registered_on": day, "created_at": now,
            "category": "libyan_combatant", "declared_category": "libyan_combatant",
            "sex": "M", "nationality": "LBY", "is_child": False, "consent": True,
            "request_digest": "bench", "version": 1})
        for k in (1, 2):
            # one serial in 200 is also on another weapon handed in
            serial = f"{number:07d}-{k}" if rng.random() > 0.005 else f"{number // 2:07d}-{k}"
            handovers.append({
                "id": uuid.uuid4(), "registration_id": registration_id, "site_code": site,
                "handed_over_on": day, "weapon_type": rng.choice(("rifle", "rifle", "pistol",
                                                                  "machine_gun")),
                "calibre": "7.62x39mm", "rounds": 0, "condition": "serviceable",
                "receipt_number": f"{site}-{day.year}-{number:06d}-W{k:02d}",
                "serial_index": uuid.uuid5(uuid.NAMESPACE_OID, serial).hex,
                "created_at": datetime.combine(day, datetime.min.time(), UTC)})

    transfers, items, outcomes, ledger, custody = [], [], [], [], []
    destructions, destroyed = [], []
    open_batches: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for weapon in handovers:
        pick, steps = rng.random(), ()
        for share, path in FATES:
            if pick < share:
                steps = path
                break
            pick -= share
        when = datetime.combine(weapon["handed_over_on"], datetime.min.time(), UTC)
        status, site = "collected", weapon["site_code"]
        for step in steps:
            when = min(when + timedelta(days=rng.randrange(0, 10), hours=1), now)
            if step == steps[-1] == "in_transit":  # most convoys are on the road for days
                when = max(when, now - timedelta(days=rng.randrange(0, 10)))
            target_site = DEPOT if step in ("in_transit", "in_depot", "destroyed") else site
            ledger.append({"at": when, "weapon_id": weapon["id"], "lot_id": None,
                           "from_status": status, "status": step, "site_code": target_site})
            key = (site, target_site, step, when.date().isoformat())
            open_batches.setdefault(key, []).append(ledger[-1])
            status, site = step, target_site
        if steps:
            custody.append({"weapon_id": weapon["id"], "status": status, "site_code": site,
                            "since": when, "version": len(steps)})

    for (from_site, to_site, step, _day), events in open_batches.items():
        for start in range(0, len(events), BATCH):
            batch = events[start:start + BATCH]
            at = max(e["at"] for e in batch)
            if step == "destroyed":
                event_id = uuid.uuid4()
                destructions.append({
                    "id": event_id, "certificate_number": f"DES-{DEPOT}-{len(destructions):06d}",
                    "site_code": DEPOT, "destroyed_on": at.date(), "method": "cutting",
                    "in_place": False, "weapons": len(batch), "lots": 0, "rounds": 0,
                    "recorded_by_name": "bench", "created_at": at, "request_digest": "bench"})
                for e in batch:
                    e["destruction_id"], e["transfer_id"] = event_id, None
                    destroyed.append({"destruction_id": event_id, "weapon_id": e["weapon_id"],
                                      "lot_id": None})
                continue
            transfer_id = uuid.uuid4()
            transfers.append({"id": transfer_id, "created_at": at - timedelta(hours=2),
                              "sender_name": "bench", "from_site": from_site,
                              "to_site": to_site, "to_status": step, "seal_numbers": "",
                              "items": len(batch), "request_digest": "bench"})
            outcomes.append({"transfer_id": transfer_id, "outcome": "confirmed",
                             "by_name": "bench2", "at": at, "seals_intact": True})
            for e in batch:
                e["transfer_id"], e["destruction_id"] = transfer_id, None
                items.append({"transfer_id": transfer_id, "weapon_id": e["weapon_id"],
                              "lot_id": None, "from_status": e["from_status"],
                              "from_version": 0})

    # a few hundred weapons in storage sent on to the depot and never confirmed
    stored = [c for c in custody if c["status"] == "in_storage"][:300]
    for start in range(0, len(stored), BATCH):
        transfer_id = uuid.uuid4()
        batch = stored[start:start + BATCH]
        transfers.append({"id": transfer_id, "created_at": now - timedelta(days=5),
                          "sender_name": "bench", "from_site": batch[0]["site_code"],
                          "to_site": DEPOT, "to_status": "in_depot", "seal_numbers": "",
                          "items": len(batch), "request_digest": "bench"})
        items += [{"transfer_id": transfer_id, "weapon_id": c["weapon_id"], "lot_id": None,
                   "from_status": "in_storage", "from_version": c["version"]} for c in batch]

    # a stock count at the depot: 0.5 % of its weapons missing, 20 unexpected
    in_depot = [c["weapon_id"] for c in custody if c["status"] == "in_depot"]
    count_id = uuid.uuid4()
    missing = in_depot[: len(in_depot) // 200]
    unexpected = [c["weapon_id"] for c in custody if c["status"] == "in_storage"][-20:]
    count = {"id": count_id, "site_code": DEPOT, "counted_at": now - timedelta(days=1),
             "counted_by_name": "bench", "lines": len(in_depot) - len(missing) + 20,
             "matched": len(in_depot) - len(missing), "missing": len(missing),
             "unexpected": len(unexpected), "request_digest": "bench"}
    count_items = ([{"count_id": count_id, "result": "missing", "weapon_id": w,
                     "serial_index": None} for w in missing]
                   + [{"count_id": count_id, "result": "unexpected", "weapon_id": w,
                       "serial_index": None} for w in unexpected])

    with engine.begin() as conn:
        for table, rows in ((Person, persons), (Registration, registrations),
                            (WeaponHandover, handovers), (CustodyTransfer, transfers),
                            (TransferItem, items), (TransferOutcome, outcomes),
                            (DestructionEvent, destructions), (DestructionItem, destroyed),
                            (CustodyEvent, ledger), (WeaponCustody, custody),
                            (StockCount, [count]), (StockCountItem, count_items)):
            for part in _chunks(rows):
                conn.execute(insert(table), part)  # type: ignore[arg-type]
    with engine.begin() as conn:  # table statistics, as a database in service keeps them
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return {"weapons": len(handovers), "ledger rows": len(ledger),
            "transfers": len(transfers), "destructions": len(destructions)}


def measure(url: str, runs: int = 5) -> dict[str, list[float]]:
    """Time the reconciliation request in-process (now, and as of 90 days ago)."""
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from app.core.db import session_scope
    from app.core.security import SYSTEM
    from app.core.settings import Settings
    from app.main import create_app
    from app.users import service as users

    settings = Settings(env="development", database_url=url,
                        master_key=SecretStr(base64.b64encode(os.urandom(32)).decode()),
                        master_key_file=Path(tempfile.gettempdir()) / "bench-unused.key")
    app = create_app(settings)
    with session_scope(app.state.engine) as session:
        users.create_user(session=session, actor=SYSTEM, username="bench-admin",
                          password=PASSWORD, role="admin", sites=[])
    timings: dict[str, list[float]] = {"now": [], "as of 90 days ago": []}
    past = (date.today() - timedelta(days=90)).isoformat()
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/token", data={"username": "bench-admin",
                                                        "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        for label, params in (("now", {}), ("as of 90 days ago", {"as_of": past})):
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get("/api/v1/weapons/reconciliation", params=params,
                                      headers=headers)
                timings[label].append(time.perf_counter() - started)
                assert response.status_code == 200, response.text[:300]
            body = response.json()
            handed = sum(s["handed_in"] for s in body["sites"])
            listed = sum(len(s["discrepancies"]) for s in body["sites"])
            print(f"  {label}: {len(body['sites'])} sites, {handed:,} weapons handed in, "
                  f"{listed:,} discrepancies listed, {len(response.content) / 1e6:.1f} MB")
    app.state.engine.dispose()
    return timings


def main() -> None:
    """Build the register, then time the reconciliation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weapons", type=int, default=100_000)
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL database to use (emptied first); default SQLite")
    args = parser.parse_args()
    with database(args.database_url) as url:
        started = time.perf_counter()
        sizes = load(url, args.weapons)
        print(f"{'PostgreSQL' if args.database_url else 'SQLite'}: loaded "
              + ", ".join(f"{v:,} {k}" for k, v in sizes.items())
              + f" in {time.perf_counter() - started:.0f} s")
        timings = measure(url)
    load_average = os.getloadavg()[0]
    for label, values in timings.items():
        verdict = "within" if statistics.median(values) <= TARGET_SECONDS else "OVER"
        print(f"reconciliation ({label}): median {statistics.median(values):.2f} s, worst "
              f"{max(values):.2f} s over {len(values)} runs — {verdict} the "
              f"{TARGET_SECONDS:.0f} s target (load average {load_average:.2f})")


if __name__ == "__main__":
    main()
