"""Tracing lists: stored as blind indexes only; a listed serial raises a signal for review
whether the weapon was handed in before the list was uploaded or after."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.core.test_plaintext_at_rest import assert_absent, stored_bytes
from tests.factories import user_headers
from tests.weapons.helpers import register_with_weapons, weapon_ids


def upload(client: TestClient, headers: dict[str, str], serials: list[str],
           expect: int = 201) -> dict[str, object]:
    response = client.post("/api/v1/weapons/tracing-lists", headers=headers, json={
        "id": str(uuid.uuid4()), "name": "Stolen from the Zawiya armoury, 2011",
        "source": "Ministry of Defence letter 44/2025", "serials": serials})
    assert response.status_code == expect, response.text
    result: dict[str, object] = response.json()
    return result


def traced(client: TestClient, headers: dict[str, str]) -> list[dict[str, object]]:
    signals = client.get("/api/v1/matching/signals", headers=headers).json()
    return [s for s in signals if s["kind"] == "traced_weapon"]


def test_a_listed_serial_raises_a_signal_before_and_after_upload(
        client: TestClient, engine: Engine, database_url: str) -> None:
    admin = user_headers(client, engine, "admin")
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    held = register_with_weapons(client, officer, ["ZW-5561-A", "CLEAN-1"])
    listed = upload(client, admin, ["zw 5561 a", "ZW-7777", "ZW-8888"])
    assert (listed["entries"], listed["hits"]) == (3, 1)
    signals = traced(client, officer)
    assert len(signals) == 1
    assert [r["id"] for r in signals[0]["registrations"]] == [held["id"]]
    assert "tracing list" in str(signals[0]["message"])
    later = register_with_weapons(client, officer, ["ZW7777"])  # handed in after the upload
    assert {r["id"] for s in traced(client, officer) for r in s["registrations"]} == {
        held["id"], later["id"]}
    weapon = weapon_ids(client, officer, later["id"])[0]
    wo = user_headers(client, engine, "weapons_officer", ["TRP"])
    assert client.get(f"/api/v1/weapons/{weapon}", headers=wo).json()["on_tracing_list"]
    third = register_with_weapons(client, officer, ["X-1"])  # a weapon added later on
    added = client.post(f"/api/v1/registrations/{third['id']}/weapons", headers=officer,
                        json={"weapon_type": "pistol", "serial_number": "ZW-8888"})
    assert added.status_code == 201
    assert len(traced(client, officer)) == 3
    lists = client.get("/api/v1/weapons/tracing-lists", headers=admin).json()
    assert [(t["entries"], t["hits"]) for t in lists] == [(3, 3)]
    assert_absent(stored_bytes(database_url), ["ZW-7777", "ZW7777", "ZW-8888", "ZW8888",
                                               "ZW5561A"])


def test_only_administrators_upload_and_a_retry_is_one_list(client: TestClient,
                                                           engine: Engine) -> None:
    admin = user_headers(client, engine, "admin")
    wo = user_headers(client, engine, "weapons_officer", ["TRP"])
    body = {"id": str(uuid.uuid4()), "name": "Sought", "serials": ["A-1"]}
    assert client.post("/api/v1/weapons/tracing-lists", json=body,
                       headers=wo).status_code == 403
    first = client.post("/api/v1/weapons/tracing-lists", json=body, headers=admin)
    again = client.post("/api/v1/weapons/tracing-lists", json=body, headers=admin)
    assert (first.status_code, again.status_code) == (201, 200)
    other = client.post("/api/v1/weapons/tracing-lists", headers=admin,
                        json={**body, "serials": ["B-2"]})
    assert other.status_code == 409
    empty = client.post("/api/v1/weapons/tracing-lists", headers=admin,
                        json={**body, "id": str(uuid.uuid4()), "serials": [" - "]})
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "serials"
