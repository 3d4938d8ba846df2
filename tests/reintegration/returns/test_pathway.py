"""The return pathway: opened for every foreign fighter, the full way to handover and
monitoring, the non-return branch, and who sees return cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from tests.reintegration.conftest import API, case_of, done, move, step_of
from tests.reintegration.returns.conftest import VERIFIED, fighter, plan, return_case

RETURN_STEPS = ("consular_contact", "travel_document", "medical_clearance", "counselling",
                "movement", "departed", "handover", "monitoring_1m", "monitoring_3m")


def test_a_foreign_fighter_opens_a_return_case(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    registered = fighter(client, people["officer"])
    person = client.get(f"{API}/persons/{registered['person_id']}",
                        headers=people["cm"]).json()
    assert [(c["pathway"], c["status"]) for c in person["cases"]] == [("return", "open")]
    case = case_of(client, people["cm"], registered["person_id"], pathway="return")
    assert [s["key"] for s in case["steps"]][:3] == [
        "nationality_claimed", "nationality_verified", "consent"]
    assert step_of(case, "protection_screening")["status"] == "not_applicable"
    pathways = {p["key"]: p for p in client.get(f"{API}/pathways",
                                                headers=people["cm"]).json()}
    assert pathways["return"]["all_sites_with"] == "returns_coordinator"


def test_return_cases_of_every_site_for_coordinators_only(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    registered = fighter(client, people["officer"])
    case = case_of(client, people["cm"], registered["person_id"], pathway="return")
    path = f"{API}/cases/{case['id']}"
    assert client.get(path, headers=people["cm_trp"]).status_code == 404  # another site
    assert client.get(path, headers=people["coordinator"]).status_code == 200
    listed = client.get(f"{API}/cases", params={"pathway": "return"},
                        headers=people["coordinator"]).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    assert client.get(f"{API}/cases", params={"pathway": "return"},
                      headers=people["cm_trp"]).json()["total"] == 0


def test_the_full_way_home(client: TestClient, people: dict[str, dict[str, str]]) -> None:
    headers = people["coordinator"]
    registered = fighter(client, people["officer"])
    case = return_case(client, headers, registered["person_id"])
    # consent comes after verification, the travel document after consent
    assert move(client, headers, case, "consent", "done",
                data={"decision": "consents"}).status_code == 422
    # several consular attempts are logged before one succeeds
    case = done(client, headers, case, "nationality_claimed")
    case = done(client, headers, case, "nationality_verified", **VERIFIED)
    case = done(client, headers, case, "consent", decision="consents",
                informed_on=date.today().isoformat())
    first = move(client, headers, case, "consular_contact", "in_progress",
                 data={"channel": "embassy", "result": "no_answer",
                       "contacted_on": date.today().isoformat()})
    assert first.status_code == 200, first.text
    case = first.json()
    case = done(client, headers, case, "consular_contact", channel="focal_point",
                contacted_on=date.today().isoformat(), result="accepted")
    assert step_of(case, "consular_contact")["attempts"] == 1
    travel = move(client, headers, case, "travel_document", "done",
                  data={"document_type": "passport", "issuer": "Chad"})
    assert travel.status_code == 422
    assert {e["field"] for e in travel.json()["errors"]} == {"data.number",
                                                            "data.expires_on"}
    case = done(client, headers, case, "travel_document", document_type="passport",
                number="P0099", issuer="Chad", expires_on="2030-01-01")
    assert step_of(case, "travel_document")["values"]["number"] == "P0099"
    case = done(client, headers, case, "medical_clearance", result="fit",
                examined_on=date.today().isoformat())
    case = done(client, headers, case, "counselling", sessions=1)
    # the movement and departure steps are the movement's: it moves them
    movement = plan(client, headers)
    added = client.post(f"{API}/returns/movements/{movement['id']}/returnees",
                        json={"cases": [case["id"]], "version": movement["version"]},
                        headers=headers)
    assert added.status_code == 200, added.text
    for status in ("confirmed", "departed"):
        moved = client.post(f"{API}/returns/movements/{movement['id']}/status",
                            json={"status": status, "version": added.json()["version"]},
                            headers=headers)
        assert moved.status_code == 200, moved.text
        added = moved
    case = return_case(client, headers, registered["person_id"])
    assert step_of(case, "movement")["status"] == "done"
    assert step_of(case, "departed")["values"]["border_crossing"] == "Wour"
    case = done(client, headers, case, "handover", receiving_organisation="CONADIS Chad",
                received_by="Duty officer", handed_over_on=date.today().isoformat(),
                receipt="TCD-R-001")
    case = done(client, headers, case, "monitoring_1m", situation="stable")
    case = done(client, headers, case, "monitoring_3m", situation="not_shared")
    closed = client.post(f"{API}/cases/{case['id']}/status", headers=headers,
                         json={"status": "closed", "reason": "completed",
                               "version": case["version"]})
    assert closed.status_code == 200, closed.text


def test_the_non_return_branch(client: TestClient, people: dict[str, dict[str, str]]) -> None:
    headers = people["cm"]
    registered = fighter(client, people["officer"], nationality="SDN")
    case = return_case(client, headers, registered["person_id"])
    case = done(client, headers, case, "nationality_claimed")
    case = done(client, headers, case, "nationality_verified", **VERIFIED)
    case = done(client, headers, case, "consent", decision="declines",
                informed_on=date.today().isoformat())
    statuses: dict[str, Any] = {s["key"]: s["status"] for s in case["steps"]}
    assert {statuses[k] for k in RETURN_STEPS} == {"not_applicable"}
    assert statuses["protection_screening"] == "pending"
    assert step_of(case, "protection_screening")["due_on"] is not None
    case = done(client, headers, case, "protection_screening", referred_to="unhcr",
                outcome="protection_granted")
    assert step_of(case, "protection_screening")["outcome"] == "protection_granted"
    closed = client.post(f"{API}/cases/{case['id']}/status", headers=headers,
                         json={"status": "closed", "reason": "completed",
                               "version": case["version"]})
    assert closed.status_code == 200, closed.text
    board = client.get(f"{API}/returns/board", headers=headers).json()
    assert board["countries"] == [{"country": "SDN", "registered": 1, "verified": 1,
                                   "consenting": 0, "documented": 0, "ready": 0,
                                   "departed": 0, "handed_over": 0, "non_return": 1}]
