"""Builders for the weapons tests: a depot, weapons officers, registrations with weapons,
and the requests of a transfer's life."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.core.security import SYSTEM
from app.registry import reference
from tests.factories import register, registration_body, seed_reference, user_headers

DEPOT = "DEP"


def add_depot(engine: Engine) -> str:
    """The central depot: a site of its own (weapons officers are scoped to it)."""
    seed_reference(engine)
    with session_scope(engine) as session:
        if DEPOT not in {s.code for s in reference.list_sites(session=session)}:
            reference.create_site(session=session, actor=SYSTEM, code=DEPOT,
                                  name_en="Central weapons depot",
                                  name_ar="المستودع المركزي للأسلحة", region="West")
    return DEPOT


def weapon(serial: str | None, **extra: Any) -> dict[str, Any]:
    """A weapon of a registration body."""
    return {"weapon_type": "rifle", "make_model": "AKM", "calibre": "7.62x39mm",
            "serial_number": serial, **extra}


def register_with_weapons(client: TestClient, headers: dict[str, str], serials: list[str | None],
                          **overrides: Any) -> dict[str, Any]:
    """Register a participant handing in weapons (a distinct person each time)."""
    number = uuid.uuid4().int % 10**5
    body = registration_body(weapons=[weapon(s) for s in serials],
                             national_id=f"1198801{number:05d}", phone=None,
                             given_name=f"محمد{number}", **overrides)
    return register(client, headers, **{k: v for k, v in body.items() if k != "id"})


def weapon_ids(client: TestClient, headers: dict[str, str], registration_id: str) -> list[str]:
    """The weapons of a registration, in the order handed in."""
    view = client.get(f"/api/v1/registrations/{registration_id}", headers=headers).json()
    return [w["id"] for w in view["weapons"]]


def send(client: TestClient, headers: dict[str, str], weapons: list[str], to_status: str,
         to_site: str | None = None, expect: int = 201, **extra: Any) -> dict[str, Any]:
    """Send a transfer (asserting the status) and return its body."""
    body = {"id": str(uuid.uuid4()), "weapons": weapons, "to_status": to_status,
            "to_site": to_site, **extra}
    response = client.post("/api/v1/weapons/transfers", json=body, headers=headers)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


def settle(client: TestClient, headers: dict[str, str], transfer_id: str,
           outcome: str = "confirmed", expect: int = 200, **extra: Any) -> dict[str, Any]:
    """Confirm, refuse or withdraw a transfer (asserting the status)."""
    response = client.post(f"/api/v1/weapons/transfers/{transfer_id}/outcome",
                           json={"outcome": outcome, **extra}, headers=headers)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


def custody_of(client: TestClient, headers: dict[str, str], weapon_id: str) -> tuple[str, str]:
    """A weapon's custody status and location."""
    body = client.get(f"/api/v1/weapons/{weapon_id}", headers=headers).json()
    return body["custody_status"], body["location"]


def officers(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    """Headers of a TRP registration officer, two TRP and two depot weapons officers, and a
    weapons officer of BEN."""
    add_depot(engine)
    return {
        "registrar": user_headers(client, engine, "registration_officer", ["TRP"]),
        "trp": user_headers(client, engine, "weapons_officer", ["TRP"]),
        "trp2": user_headers(client, engine, "weapons_officer", ["TRP"]),
        "dep": user_headers(client, engine, "weapons_officer", [DEPOT]),
        "dep2": user_headers(client, engine, "weapons_officer", [DEPOT]),
        "ben": user_headers(client, engine, "weapons_officer", ["BEN"]),
    }
