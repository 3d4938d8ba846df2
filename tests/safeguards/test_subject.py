"""Subject access: everything held about one person, for an administrator; a correction
recorded and shown with the values it replaced."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import AuditEvent
from tests.factories import registration_body, user_headers
from tests.web.helpers import csrf_from, make_web_user, soup, web_login

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


def test_the_person_page_offers_the_file_to_administrators_only(client: TestClient,
                                                               engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    created = client.post(f"{API}/registrations", headers=officer,
                          json=registration_body()).json()
    person = created["person_id"]
    make_web_user(engine, "web-admin", role="admin", sites=[])
    web_login(client, "web-admin")
    page = soup(client.get(f"/persons/{person}").text)
    link = page.find("a", id="subject-access")
    assert link is not None
    response = client.get(str(link["href"]))
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.json()["registrations"][0]["given_name"] == "محمد"

    client.post("/logout", headers={"Origin": "http://testserver"},
                data={"csrf_token": csrf_from(client.get("/").text)})
    make_web_user(engine, "web-officer", role="registration_officer", sites=["TRP"])
    web_login(client, "web-officer")
    page = soup(client.get(f"/persons/{person}").text)
    assert page.find("a", id="subject-access") is None
    refused = client.get(f"/persons/{person}/subject-access.json")
    assert refused.status_code == 403
