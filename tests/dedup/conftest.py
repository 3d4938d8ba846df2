"""Fixtures of the review tests: reviewers with tokens and a registered duplicate pair."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import LATIN_BODY, register, user_headers


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


@pytest.fixture
def duplicate(client: TestClient, reviewers: dict[str, dict[str, str]]) -> dict[str, Any]:
    """One man registered at TRP (Arabic) and at BEN (Latin): one open pair between them."""
    first = register(client, reviewers["admin"])
    second = register(client, reviewers["admin"], **LATIN_BODY)
    queue = client.get("/api/v1/matching/pairs", headers=reviewers["admin"]).json()
    assert queue["total"] == 1, queue
    return {"first": first, "second": second, "pair": queue["items"][0]}
