"""Test data builders: users with tokens, and registration bodies."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.core.security import SYSTEM
from app.registry import reference
from app.users import service as users

PASSWORD = "correct horse battery"


def seed_reference(engine: Engine) -> None:
    """Create the standard sites and one armed group."""
    with session_scope(engine) as session:
        reference.ensure_default_sites(session=session)
        if not reference.list_armed_groups(session=session):
            reference.create_armed_group(
                session=session, actor=SYSTEM, code="TPF", name_en="Tripoli Protection Force",
                name_ar="قوة حماية طرابلس", aliases=["TPF Brigade"])


def make_user(engine: Engine, username: str, role: str, sites: list[str] | None = None) -> str:
    """Create a user and return its username (password: PASSWORD)."""
    seed_reference(engine)
    with session_scope(engine) as session:
        users.create_user(session=session, actor=SYSTEM, username=username, password=PASSWORD,
                          role=role, sites=sites or [])
    return username


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in over the API and return the Authorization header."""
    response = client.post("/api/v1/auth/token",
                           data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def user_headers(
    client: TestClient, engine: Engine, role: str, sites: list[str] | None = None
) -> dict[str, str]:
    """Create a user with a role and sites, log in, and return its headers."""
    name = f"{role}-{'-'.join(sites or ['all'])}-{uuid.uuid4().hex[:6]}"
    make_user(engine, name, role, sites)
    return login(client, name)


def registration_body(**overrides: Any) -> dict[str, Any]:
    """A valid registration body (a Libyan combatant registered at TRP)."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "site": "TRP",
        "category": "libyan_combatant",
        "sex": "M",
        "date_of_birth": "1988-03-02",
        "given_name": "محمد",
        "father_name": "عبد السلام",
        "grandfather_name": "علي",
        "family_name": "الورفلي",
        "mother_name": "فاطمة",
        "alias": "أبو علي",
        "place_of_birth": "بني وليد",
        "nationality": "LBY",
        "phone": "0912345678",
        "national_id": "119880123456",
        "passport_no": None,
        "armed_group": "Tripoli Protection Force",
        "consent": True,
    }
    body.update(overrides)
    return body
