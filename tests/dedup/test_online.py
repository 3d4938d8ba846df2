"""Online duplicate detection at registration: cross-script matches, relatives kept apart."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.dedup.models import CandidatePair
from tests.factories import registration_body, user_headers

API = "/api/v1"
ARABIC = registration_body(phone="0913334455", national_id=None)
LATIN = registration_body(site="BEN", given_name="Mohamed", father_name="Abdelsalam",
                          grandfather_name="Ali", family_name="Elwarfalli",
                          mother_name="Fatima", alias=None, place_of_birth="Bani Walid",
                          date_of_birth="1988", phone="+218 91 333 4455", national_id=None)
BROTHER = registration_body(site="BEN", given_name="Ahmed", date_of_birth="1991-06-10",
                            phone=None, national_id=None, alias=None)


@pytest.fixture
def admin(client: TestClient, engine: Engine) -> dict[str, str]:
    return user_headers(client, engine, "admin")


def pairs(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(CandidatePair)) or 0


def post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{API}/registrations", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_latin_registration_of_an_arabic_one_is_flagged(
    client: TestClient, engine: Engine, admin: dict[str, str]
) -> None:
    first = post(client, admin, ARABIC)
    assert first["possible_duplicates"] == []
    second = post(client, admin, LATIN)
    (candidate,) = second["possible_duplicates"]
    assert candidate["registration_id"] == first["id"]
    assert candidate["decision"] in ("match", "possible")
    assert candidate["score"] > 0.5
    assert candidate["model_version"]
    assert any(r["field"] == "phone" and r["weight"] > 0 for r in candidate["reasons"])
    assert pairs(engine) == 1
    replay = post(client, admin, LATIN)
    assert replay["possible_duplicates"][0]["registration_id"] == first["id"]
    assert pairs(engine) == 1


def test_brother_is_not_flagged(client: TestClient, engine: Engine,
                                admin: dict[str, str]) -> None:
    post(client, admin, ARABIC)
    brother = post(client, admin, BROTHER)
    assert brother["possible_duplicates"] == []
    assert pairs(engine) == 0


def test_candidates_endpoint_saves_nothing_and_redacts_other_sites(
    client: TestClient, engine: Engine, admin: dict[str, str]
) -> None:
    post(client, admin, ARABIC)
    draft = {k: LATIN[k] for k in ("given_name", "father_name", "family_name", "date_of_birth",
                                   "phone")}
    own = client.post(f"{API}/matching/candidates", json=draft, headers=admin)
    assert own.status_code == 200, own.text
    assert len(own.json()) == 1
    officer_ben = user_headers(client, engine, "registration_officer", ["BEN"])
    other = client.post(f"{API}/matching/candidates", json=draft, headers=officer_ben).json()
    assert len(other) == 1
    assert "محمد" not in str(other)
    assert "عبد السلام" not in str(other)
    assert pairs(engine) == 0


def test_candidates_endpoint_rejects_unknown_fields(client: TestClient,
                                                   admin: dict[str, str]) -> None:
    response = client.post(f"{API}/matching/candidates", json={"shoe_size": 42}, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shoe_size"
