"""The audit trail: reads and changes recorded, append-only, no plaintext."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from tests.factories import registration_body, user_headers


def actions(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    response = client.get("/api/v1/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [e["action"] for e in response.json()["items"]]


def test_create_read_search_and_correct_are_audited(client: TestClient, engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    auditor = user_headers(client, engine, "auditor")
    created = client.post("/api/v1/registrations", json=registration_body(),
                          headers=officer).json()
    rid = created["id"]
    client.get(f"/api/v1/registrations/{rid}", headers=officer)
    client.get(f"/api/v1/persons/{created['person_id']}", headers=officer)
    client.post("/api/v1/registrations/search", json={"name": "محمد"}, headers=officer)
    client.post(f"/api/v1/registrations/{rid}/corrections", headers=officer,
                json={"changes": {"alias": "Abu Ali"}, "reason": "officer typo"})
    on_registration = actions(client, auditor, object_type="registration", object_id=rid)
    assert on_registration == ["registration.correct", "registration.read",
                               "registration.create"]
    assert "person.read" in actions(client, auditor, object_type="person")
    assert "registration.search" in actions(client, auditor, action="registration.search")
    events = client.get("/api/v1/audit", headers=auditor).json()["items"]
    assert all(e["request_id"] for e in events if e["action"].startswith("registration"))
    assert "محمد" not in str(events)
    assert "Abu Ali" not in str(events)


def test_failed_request_leaves_no_audit_event(client: TestClient, engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    auditor = user_headers(client, engine, "auditor")
    client.post("/api/v1/registrations", json=registration_body(national_id="1"),
                headers=officer)
    assert "registration.create" not in actions(client, auditor)


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'x'",
                                       "DELETE FROM audit_event"], ids=["update", "delete"])
def test_audit_log_is_append_only(client: TestClient, engine: Engine, statement: str) -> None:
    user_headers(client, engine, "admin")  # writes user.create and auth events
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one() > 0
