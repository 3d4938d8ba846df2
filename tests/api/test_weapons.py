"""The weapons API refuses a role without the right before it checks the body: a wrong role
learns nothing of what the body should hold."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import user_headers

NOT_READERS = ("case_manager", "committee", "auditor")
NOT_OFFICERS = ("registration_officer", "supervisor", *NOT_READERS)
NOT_ADMINS = ("weapons_officer", *NOT_OFFICERS)
WEAPON_POSTS = {
    "transfer": ("/api/v1/weapons/transfers", NOT_READERS),
    "outcome": (f"/api/v1/weapons/transfers/{uuid.uuid4()}/outcome", NOT_READERS),
    "ammunition": ("/api/v1/weapons/ammunition", NOT_READERS),
    "destruction": ("/api/v1/weapons/destructions", NOT_OFFICERS),
    "stock-count": ("/api/v1/weapons/stock-counts", NOT_OFFICERS),
    "tracing-list": ("/api/v1/weapons/tracing-lists", NOT_ADMINS),
}
"""Each weapons endpoint that takes a body, and the roles that may not use it."""
INVALID = {"id": "not-an-id", "weapons": "none", "site": 7, "outcome": "maybe",
           "quantity": -1, "unknown": True}
"""A body no weapons endpoint accepts."""


@pytest.mark.parametrize(("url", "roles"), list(WEAPON_POSTS.values()), ids=list(WEAPON_POSTS))
def test_a_role_without_the_right_is_refused_before_the_body_is_checked(
        client: TestClient, engine: Engine, url: str, roles: tuple[str, ...]) -> None:
    for role in roles:
        response = client.post(url, json=INVALID,
                               headers=user_headers(client, engine, role, ["TRP"]))
        assert response.status_code == 403, f"{role}: {response.status_code}"
        assert not response.json().get("errors"), role
