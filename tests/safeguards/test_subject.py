"""Subject access: everything held about one person, for an administrator; a correction
recorded and shown with the values it replaced."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import AuditEvent
from tests.factories import registration_body, user_headers

API = "/api/v1"


def test_an_admin_gets_everything_held_about_a_person(client: TestClient,
                                                     engine: Engine) -> None:
    admin = user_headers(client, engine, "admin")
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    weapon = {"weapon_type": "rifle", "serial_number": "AK-5501"}
    first = client.post(f"{API}/registrations", headers=officer, json=registration_body(
        weapons=[weapon], dependants=[{"relationship": "child", "name": "سالم", "sex": "M",
                                       "year_of_birth": 2015}])).json()
    again = client.post(f"{API}/registrations", headers=officer,
                        json=registration_body(site="TRP")).json()
    corrected = client.post(f"{API}/registrations/{first['id']}/corrections", headers=admin,
                            json={"changes": {"phone": "0925550001"},
                                  "reason": "the participant asked for a correction"})
    assert corrected.status_code == 200, corrected.text

    response = client.get(f"{API}/persons/{first['person_id']}/subject-access", headers=admin)
    assert response.status_code == 200, response.text
    held = response.json()
    assert held["person"]["id"] == first["person_id"]
    (registration,) = [r for r in held["registrations"] if r["id"] == first["id"]]
    assert registration["given_name"] == "محمد"
    assert registration["national_id"] == "119880123456"
    assert registration["phone"] == "+218925550001"
    assert registration["weapons"][0]["serial_number"] == "AK5501"
    assert registration["dependants"][0]["name"] == "سالم"
    (correction,) = registration["corrections"]
    assert correction["previous_values"]["phone"] == "+218912345678"
    assert correction["reason"] == "the participant asked for a correction"
    assert {d["other_registration_number"] for d in held["possible_duplicates"]} == {
        again["registration_number"]}
    assert "registration.create" in {e["action"] for e in held["audit_events"]}
    with Session(engine) as session:
        audited = session.exec(select(AuditEvent).where(
            AuditEvent.action == "person.subject_access")).all()
    assert [e.object_id for e in audited] == [first["person_id"]]

    for role, sites in (("registration_officer", ["TRP"]), ("auditor", None)):
        refused = client.get(f"{API}/persons/{first['person_id']}/subject-access",
                             headers=user_headers(client, engine, role, sites))
        assert refused.status_code == 403
    missing = client.get(f"{API}/persons/{first['id']}/subject-access", headers=admin)
    assert missing.status_code == 404
