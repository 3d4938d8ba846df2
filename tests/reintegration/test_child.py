"""A child's case: opened at registration, visible only to users authorised for children
(404 for everyone else, administrators included), handed over to child protection."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import register, user_headers
from tests.reintegration.conftest import API, case_of, done, move, step_of

CHILD = {"category": "child", "date_of_birth": "2011-04-01", "national_id": None,
         "given_name": "أحمد", "phone": "0923333333"}


@pytest.fixture
def child(client: TestClient, staff: dict[str, dict[str, str]]) -> dict[str, Any]:
    registered = register(client, staff["officer"], **CHILD)
    assert registered["is_child"] is True
    return registered


def test_a_child_case_exists_only_for_those_authorised_for_children(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]], child: dict[str, Any]
) -> None:
    case = case_of(client, staff["cm_children"], child["person_id"], pathway="child")
    path = f"{API}/cases/{case['id']}"
    authorised_admin = user_headers(client, engine, "admin", authorisations=["children"])
    for who, headers in (("case manager", staff["cm"]), ("supervisor", staff["supervisor"]),
                         ("admin", staff["admin"])):
        assert client.get(path, headers=headers).status_code == 404, who
        assert move(client, headers, case, "release", "done").status_code == 404, who
        person = client.get(f"{API}/persons/{child['person_id']}", headers=headers).json()
        assert person["cases"] == [], who
        board = client.get(f"{API}/cases/board", params={"scope": "sites"},
                           headers=headers).json()
        assert board["unassigned_total"] == 0, who
        listed = client.get(f"{API}/cases", headers=headers).json()
        assert listed["total"] == 0, who
    assert client.get(path, headers=authorised_admin).status_code == 200
    board = client.get(f"{API}/cases/board", params={"scope": "sites"},
                       headers=staff["cm_children"]).json()
    assert [r["id"] for r in board["unassigned"]] == [case["id"]]
    # nor can a supervisor give it to a case manager who is not authorised
    ordinary = client.get(f"{API}/auth/me", headers=staff["cm"]).json()
    refused = client.post(f"{path}/assignment", headers=staff["cm_children"],
                          json={"assigned_to": ordinary["id"], "version": case["version"]})
    assert refused.status_code == 403  # a case manager gives cases to nobody but themselves
    supervisor = user_headers(client, engine, "supervisor", ["TRP"], ["children"])
    refused = client.post(f"{path}/assignment", headers=supervisor,
                          json={"assigned_to": ordinary["id"], "version": case["version"]})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "assigned_to"


def test_release_and_handover_to_child_protection(
    client: TestClient, staff: dict[str, dict[str, str]], child: dict[str, Any]
) -> None:
    headers = staff["cm_children"]
    case = case_of(client, headers, child["person_id"], pathway="child")
    assert step_of(case, "release")["due_on"] == case["opened_on"]  # at once
    assert move(client, headers, case, "release", "skipped").status_code == 422
    assert move(client, headers, case, "handover", "in_progress").status_code == 422
    case = done(client, headers, case, "release")
    incomplete = move(client, headers, case, "handover", "done",
                      data={"organisation": "Child Protection Partner"})
    assert incomplete.status_code == 422
    assert {e["field"] for e in incomplete.json()["errors"]} == {
        "data.received_by", "data.handed_over_on", "data.receipt"}
    case = done(client, headers, case, "handover", organisation="Child Protection Partner",
                received_by="Social worker on duty", handed_over_on=case["opened_on"],
                receipt="CP-00017")
    assert step_of(case, "handover")["values"]["receipt"] == "CP-00017"
    tracing = move(client, headers, case, "family_tracing", "in_progress",
                   note="first visit: neighbours moved").json()
    tracing = move(client, headers, tracing, "family_tracing", "in_progress",
                   note="second visit: uncle found in Zawiya").json()
    assert step_of(tracing, "family_tracing")["attempts"] == 2
    found = done(client, headers, tracing, "family_tracing", outcome="not_found")
    assert step_of(found, "reunification")["status"] == "not_applicable"
    assert step_of(found, "alternative_care")["status"] == "pending"
    assert step_of(found, "alternative_care")["due_on"] is not None


def test_a_correction_showing_a_child_opens_the_child_case(
    client: TestClient, staff: dict[str, dict[str, str]]
) -> None:
    adult = register(client, staff["officer"], national_id=None)
    corrected = client.post(f"{API}/registrations/{adult['id']}/corrections",
                            headers=staff["officer"],
                            json={"changes": {"date_of_birth": "2011-04-01"},
                                  "reason": "birth certificate shown"})
    assert corrected.status_code == 200, corrected.text
    cases = client.get(f"{API}/persons/{adult['person_id']}",
                       headers=staff["cm_children"]).json()["cases"]
    assert sorted(c["pathway"] for c in cases) == ["child", "reintegration"]
