"""Fixtures of the review tests: reviewers with tokens and a registered duplicate pair."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import registration_body, user_headers

# the same man as registered in Arabic at TRP, typed in Latin letters at BEN
LATIN_BODY = {
    "site": "BEN", "given_name": "Mohamed", "father_name": "Abdelsalam",
    "grandfather_name": "Ali", "family_name": "Elwarfalli", "mother_name": "Fatma",
    "alias": None, "place_of_birth": "Bani Walid", "phone": "+218912345678",
}


@pytest.fixture
def reviewers(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    """Headers of reviewers: officers of TRP, BEN and MIS, a supervisor, an admin."""
    return {
        "trp": user_headers(client, engine, "registration_officer", ["TRP"]),
        "ben": user_headers(client, engine, "registration_officer", ["BEN"]),
        "mis": user_headers(client, engine, "registration_officer", ["MIS"]),
        "supervisor": user_headers(client, engine, "supervisor", ["TRP", "BEN"]),
        "admin": user_headers(client, engine, "admin"),
    }


def register(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """Register through the API; the response body."""
    response = client.post("/api/v1/registrations", json=registration_body(**overrides),
                           headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def duplicate(client: TestClient, reviewers: dict[str, dict[str, str]]) -> dict[str, Any]:
    """One man registered at TRP (Arabic) and at BEN (Latin): one open pair between them."""
    first = register(client, reviewers["admin"])
    second = register(client, reviewers["admin"], **LATIN_BODY)
    queue = client.get("/api/v1/matching/pairs", headers=reviewers["admin"]).json()
    assert queue["total"] == 1, queue
    return {"first": first, "second": second, "pair": queue["items"][0]}
