"""Reconciliation (contract 9): every figure adds up, each kind of discrepancy planted in a
fixture is found with its cause, a past day is answered from the ledger, sites are scoped."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.core.models import utcnow
from app.core.security import SYSTEM
from app.enrolment.service import enrol
from app.registry.schemas import RegistrationIn
from app.weapons import custody
from app.weapons.enums import CustodyStatus
from app.weapons.models import CustodyTransfer, TransferItem
from tests.factories import registration_body, user_headers
from tests.weapons.helpers import (
    DEPOT,
    officers,
    register_with_weapons,
    send,
    settle,
    weapon,
    weapon_ids,
)

FIGURES = ("collected", "in_storage", "in_transit", "destroyed", "transferred", "evidence",
           "unaccounted")


def handed_in_days_ago(app: FastAPI, days: int, serials: list[str]) -> list[str]:
    """Weapons handed in with a registration made `days` ago at TRP (ids)."""
    body = registration_body(national_id=None, phone=None, given_name=f"سالم{days}",
                             weapons=[weapon(s) for s in serials])
    with session_scope(app.state.engine) as session:
        enrolment = enrol(session=session, crypto=app.state.crypto, actor=SYSTEM,
                          data=RegistrationIn.model_validate(body),
                          registered_on=date.today() - timedelta(days=days))
        registration_id = enrolment.registration.id
    from sqlmodel import select

    from app.registry.models import WeaponHandover
    with session_scope(app.state.engine) as session:
        return [str(w) for w in session.exec(select(WeaponHandover.id).where(
            WeaponHandover.registration_id == registration_id)).all()]


def by_site(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["site"]: row for row in report["sites"]}


def kinds(row: dict[str, Any]) -> dict[str, set[str | None]]:
    found: dict[str, set[str | None]] = {}
    for d in row["discrepancies"]:
        found.setdefault(d["kind"], set()).add(d["weapon_id"])
    return found


def test_each_planted_discrepancy_is_found_with_its_cause(app: FastAPI, client: TestClient,
                                                          engine: Engine) -> None:
    h = officers(client, engine)
    lost = handed_in_days_ago(app, 3, ["LOST-1"])[0]  # never taken into custody
    today = register_with_weapons(client, h["registrar"], ["NEW-1"])  # handed in today
    stored = register_with_weapons(client, h["registrar"], ["ST-1", "ST-2", "ST-3", "TWIN-9"])
    s1, s2, s3, twin_a = weapon_ids(client, h["registrar"], stored["id"])
    twin_b = weapon_ids(client, h["registrar"], register_with_weapons(
        client, h["registrar"], ["TWIN 9"])["id"])[0]  # the same serial, spaced differently
    settle(client, h["trp"], send(client, h["registrar"], [s1, s2, s3, twin_a], "in_storage",
                                  "TRP")["id"])
    convoy = send(client, h["trp"], [s1], "in_transit", DEPOT)
    settle(client, h["dep"], convoy["id"])
    with session_scope(engine) as session:  # the convoy left ten days ago
        held = custody.weapons_held(session, [uuid.UUID(s1)])[uuid.UUID(s1)]
        custody.change_custody(session, [(held, held.version)], to=CustodyStatus.in_transit,
                               site=DEPOT, at=utcnow() - timedelta(days=10))
        # a transfer of s2 sent five days ago that nobody confirmed
        sent = CustodyTransfer(id=uuid.uuid4(), created_at=utcnow() - timedelta(days=5),
                               sender_name="wo", from_site="TRP", to_site=DEPOT,
                               to_status="in_depot", items=1, request_digest="x")
        session.add(sent)
        session.flush()
        session.add(TransferItem(transfer_id=sent.id, weapon_id=uuid.UUID(s2),
                                 from_status="in_storage", from_version=1))
    count = client.post("/api/v1/weapons/stock-counts", headers=h["trp"], json={
        "id": str(uuid.uuid4()), "site": "TRP", "lines": ["ST-2", "TWIN-9", "NEW-1"]})
    assert count.status_code == 201, count.text

    report = client.get("/api/v1/weapons/reconciliation", headers=h["trp"]).json()
    rows = by_site(report)
    trp = rows["TRP"]
    assert trp["handed_in"] == 7
    assert sum(trp[f] for f in FIGURES) == trp["handed_in"]
    assert (trp["collected"], trp["unaccounted"], trp["in_storage"], trp["in_transit"]) == \
        (2, 1, 3, 1)
    assert trp["held"] == 3
    found = kinds(trp)
    new_1 = weapon_ids(client, h["registrar"], today["id"])[0]
    assert found["no_custody"] == {lost}
    assert found["transfer_unconfirmed"] == {s2}
    assert found["count_missing"] == {s3}
    assert found["count_unexpected"] == {new_1}
    assert found["serial_twice"] == {twin_a, twin_b}
    assert "TRP" in rows
    assert DEPOT not in rows
    everything = by_site(client.get("/api/v1/weapons/reconciliation",
                                    headers=user_headers(client, engine, "admin")).json())
    assert kinds(everything[DEPOT])["transit_overdue"] == {s1}
    assert everything[DEPOT]["handed_in"] == 0
    overdue = next(d for d in everything[DEPOT]["discrepancies"]
                   if d["kind"] == "transit_overdue")
    assert overdue["detail"].startswith("in transit since ")
    assert trp["last_count"]["missing"] == 1


def test_a_past_day_is_answered_from_the_ledger(app: FastAPI, client: TestClient,
                                                engine: Engine) -> None:
    h = officers(client, engine)
    old = handed_in_days_ago(app, 20, ["OLD-1", "OLD-2"])
    with session_scope(engine) as session:  # into storage 15 days ago, to the depot 5 days ago
        held = custody.weapons_held(session, [uuid.UUID(i) for i in old])
        custody.change_custody(session, [(w, 0) for w in held.values()],
                               to=CustodyStatus.in_storage, site="TRP",
                               at=utcnow() - timedelta(days=15))
    with session_scope(engine) as session:
        held = custody.weapons_held(session, [uuid.UUID(i) for i in old])
        custody.change_custody(session, [(w, w.version) for w in held.values()],
                               to=CustodyStatus.in_depot, site=DEPOT,
                               at=utcnow() - timedelta(days=5))
    register_with_weapons(client, h["registrar"], ["TODAY-1"])
    admin = user_headers(client, engine, "admin")

    def report(days_ago: int | None) -> dict[str, dict[str, Any]]:
        params = {} if days_ago is None else {
            "as_of": (date.today() - timedelta(days=days_ago)).isoformat()}
        return by_site(client.get("/api/v1/weapons/reconciliation", params=params,
                                  headers=admin).json())

    now, ten, seventeen, thirty = report(None), report(10), report(17), report(30)
    assert (now["TRP"]["handed_in"], now["TRP"]["in_storage"], now[DEPOT]["held"]) == (3, 2, 2)
    assert (ten["TRP"]["handed_in"], ten["TRP"]["in_storage"], ten["TRP"]["held"]) == (2, 2, 2)
    assert DEPOT not in ten
    assert (seventeen["TRP"]["unaccounted"], seventeen["TRP"]["in_storage"]) == (2, 0)
    assert "TRP" not in thirty
    assert client.get("/api/v1/weapons/reconciliation", params={"as_of": "yesterday"},
                      headers=admin).status_code == 422


def test_roles_that_read_the_reconciliation(client: TestClient, engine: Engine) -> None:
    officers(client, engine)
    for role, expected in (("auditor", 200), ("supervisor", 200), ("committee", 403),
                           ("registration_officer", 403), ("case_manager", 403)):
        headers = user_headers(client, engine, role, ["TRP"] if role in (
            "supervisor", "registration_officer", "case_manager") else None)
        response = client.get("/api/v1/weapons/reconciliation", headers=headers)
        assert response.status_code == expected, role
