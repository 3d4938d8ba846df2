"""A weapon's whole chain of custody over HTTP, and the moves the rules refuse."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.weapons.helpers import (
    DEPOT,
    custody_of,
    officers,
    register_with_weapons,
    send,
    settle,
    weapon_ids,
)


def test_handover_to_destruction(client: TestClient, engine: Engine) -> None:
    h = officers(client, engine)
    registration = register_with_weapons(client, h["registrar"], ["AK-1001", "AK-1002"])
    first, second = weapon_ids(client, h["registrar"], registration["id"])
    assert custody_of(client, h["trp"], first) == ("collected", "TRP")

    intake = send(client, h["registrar"], [first, second], "in_storage", "TRP")
    assert intake["status"] == "pending"
    assert custody_of(client, h["trp"], first) == ("collected", "TRP")  # not yet confirmed
    settle(client, h["trp"], intake["id"])
    assert custody_of(client, h["trp"], first) == ("in_storage", "TRP")

    convoy = send(client, h["trp"], [first, second], "in_transit", DEPOT,
                  seal_numbers=["S-0001", "S-0002"])
    settle(client, h["dep"], convoy["id"], seals_intact=True)
    assert custody_of(client, h["dep"], first) == ("in_transit", DEPOT)
    receipt = send(client, h["dep"], [first, second], "in_depot", DEPOT)
    settle(client, h["dep2"], receipt["id"], seals_intact=True)
    assert custody_of(client, h["dep"], second) == ("in_depot", DEPOT)

    response = client.post("/api/v1/weapons/destructions", headers=h["dep"], json={
        "id": str(uuid.uuid4()), "site": DEPOT, "destroyed_on": date.today().isoformat(),
        "method": "cutting", "place": "Depot workshop", "authorised_by": "Col. Salem",
        "witnesses": [{"name": "Observer One", "role": "UNSMIL"}],
        "weapons": [first, second]})
    assert response.status_code == 201, response.text
    event = response.json()
    assert event["certificate_number"] == f"DES-{DEPOT}-{date.today().year}-0001"
    assert custody_of(client, h["dep"], first) == ("destroyed", DEPOT)

    detail = client.get(f"/api/v1/weapons/{first}", headers=h["dep"]).json()
    assert detail["serial_number"] == "AK1001"
    steps = [(e["event"], e["status"]) for e in detail["history"]]
    assert steps == [("handover", "collected"), ("transfer", "in_storage"),
                     ("transfer", "in_transit"), ("transfer", "in_depot"),
                     ("destruction", "destroyed")]
    assert detail["history"][2]["seal_numbers"] == ["S-0001", "S-0002"]
    assert detail["history"][2]["confirmed_by"].startswith("weapons_officer-DEP")

    refused = client.post("/api/v1/weapons/transfers", headers=h["dep"], json={
        "id": str(uuid.uuid4()), "weapons": [first], "to_status": "in_storage",
        "to_site": DEPOT})
    assert refused.status_code == 409
    assert "destroyed item cannot move" in refused.json()["detail"]
    pdf = client.get(f"/api/v1/weapons/destructions/{event['id']}/certificate",
                     headers=h["dep"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
