"""Movements: planning (a retried request plans one), returnees of the movement's country on
one movement at a time, the readiness check, departure refused while anyone is not ready."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import AuditEvent
from tests.reintegration.conftest import API, step_of
from tests.reintegration.returns.conftest import fighter, plan, ready_case, return_case


def _add(client: TestClient, headers: dict[str, str], movement: dict[str, Any],
         *cases: str) -> Any:
    return client.post(f"{API}/returns/movements/{movement['id']}/returnees",
                       json={"cases": list(cases), "version": movement["version"]},
                       headers=headers)


def _status(client: TestClient, headers: dict[str, str], movement: dict[str, Any],
            status: str) -> Any:
    return client.post(f"{API}/returns/movements/{movement['id']}/status",
                       json={"status": status, "version": movement["version"]},
                       headers=headers)


def test_a_retried_plan_creates_one_movement(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    headers = people["coordinator"]
    body = {"id": str(uuid.uuid4()), "country": "tcd", "kind": "flight",
            "route": "Tripoli - N'Djamena", "planned_on": (date.today() + timedelta(days=3)
                                                           ).isoformat(), "capacity": 80}
    first = client.post(f"{API}/returns/movements", json=body, headers=headers)
    again = client.post(f"{API}/returns/movements", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["country"] == "TCD"
    other = client.post(f"{API}/returns/movements", json={**body, "capacity": 5},
                        headers=headers)
    assert other.status_code == 409
    assert len(client.get(f"{API}/returns/movements", headers=headers).json()) == 1
    bad = client.post(f"{API}/returns/movements", json={**body, "id": str(uuid.uuid4()),
                                                         "planned_on": "2020-01-01"},
                      headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "planned_on"


def test_departure_is_refused_with_a_returnee_not_ready(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    headers = people["coordinator"]
    ready = fighter(client, people["officer"])
    unready = fighter(client, people["officer"], given_name="Issa", family_name="Moussa",
                      name_other_script=None, date_of_birth="1985-05-05")
    ready_case(client, headers, ready["person_id"])
    unfit = ready_case(client, headers, unready["person_id"], medical="not_fit")
    waiting = return_case(client, headers, ready["person_id"])
    movement = plan(client, headers)
    added = _add(client, headers, movement, waiting["id"], unfit["id"])
    assert added.status_code == 200, added.text
    shown = {r["case_id"]: r for r in added.json()["returnees"]}
    assert shown[waiting["id"]]["ready"] is True
    assert [r["code"] for r in shown[unfit["id"]]["reasons"]] == ["not_fit"]
    confirmed = _status(client, headers, added.json(), "confirmed")
    assert confirmed.status_code == 200, confirmed.text
    departed = _status(client, headers, confirmed.json(), "departed")
    assert departed.status_code == 422
    (error,) = departed.json()["errors"]
    assert error["field"] == f"returnee.{unready['registration_number']}"
    assert error["message"] == "not_fit"
    # nothing moved: the movement is still confirmed, nobody departed
    after = client.get(f"{API}/returns/movements/{movement['id']}", headers=headers).json()
    assert after["status"] == "confirmed"
    case = return_case(client, headers, ready["person_id"])
    assert step_of(case, "movement")["status"] == "done"
    assert step_of(case, "departed")["status"] == "pending"


def test_who_may_join_a_movement(client: TestClient,
                                 people: dict[str, dict[str, str]]) -> None:
    headers = people["coordinator"]
    chadian = fighter(client, people["officer"])
    sudanese = fighter(client, people["officer"], nationality="SDN", given_name="Adam",
                       name_other_script=None)
    chad_case = return_case(client, headers, chadian["person_id"])
    sudan_case = return_case(client, headers, sudanese["person_id"])
    movement = plan(client, headers, capacity=1)
    candidates = client.get(f"{API}/returns/movements/{movement['id']}/candidates",
                            headers=headers).json()
    assert [c["case_id"] for c in candidates] == [chad_case["id"]]
    assert {r["code"] for r in candidates[0]["reasons"]} == {
        "not_verified", "no_consent", "no_document", "not_cleared"}
    refused = _add(client, headers, movement, sudan_case["id"], str(uuid.uuid4()))
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["cases.0", "cases.1"]
    added = _add(client, headers, movement, chad_case["id"])
    assert added.status_code == 200
    stale = _add(client, headers, movement, chad_case["id"])
    assert stale.status_code == 409
    other = plan(client, headers)
    taken = _add(client, headers, other, chad_case["id"])
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["message"] == "already on a movement"
    removed = client.delete(
        f"{API}/returns/movements/{movement['id']}/returnees/{chad_case['id']}",
        params={"version": added.json()["version"]}, headers=headers)
    assert removed.status_code == 200, removed.text
    assert removed.json()["returnees"] == []
    assert _add(client, headers, other, chad_case["id"]).status_code == 200


def test_movements_are_for_coordinators(client: TestClient,
                                        people: dict[str, dict[str, str]]) -> None:
    movement = plan(client, people["coordinator"])
    for who in ("cm", "supervisor", "officer", "committee"):
        headers = people[who]
        assert client.get(f"{API}/returns/movements", headers=headers).status_code == 403, who
        assert client.get(f"{API}/returns/movements/{movement['id']}",
                          headers=headers).status_code == 403, who
        assert client.post(f"{API}/returns/movements/{movement['id']}/manifest",
                           json={"passphrase": "a long passphrase", "purpose": "handover"},
                           headers=headers).status_code == 403, who


def test_a_cancelled_movement_reopens_its_returnees_assignment(
    client: TestClient, people: dict[str, dict[str, str]], engine: Engine
) -> None:
    headers = people["coordinator"]
    first = fighter(client, people["officer"])
    second = fighter(client, people["officer"], given_name="Issa", family_name="Moussa",
                     name_other_script=None, date_of_birth="1985-05-05")
    cases = [ready_case(client, headers, p["person_id"]) for p in (first, second)]
    movement = plan(client, headers)
    added = _add(client, headers, movement, *(c["id"] for c in cases))
    confirmed = _status(client, headers, added.json(), "confirmed")
    assert confirmed.status_code == 200, confirmed.text
    assert step_of(return_case(client, headers, first["person_id"]), "movement")[
        "status"] == "done"
    # back to planned: no longer assigned; one taken off; the movement cancelled
    planned = _status(client, headers, confirmed.json(), "planned")
    assert planned.status_code == 200, planned.text
    for person in (first, second):
        case = return_case(client, headers, person["person_id"])
        assert step_of(case, "movement")["status"] == "pending"
        assert case["current_step"] == "movement"
    again = _status(client, headers, planned.json(), "confirmed")
    removed = client.delete(
        f"{API}/returns/movements/{movement['id']}/returnees/{cases[1]['id']}",
        params={"version": again.json()["version"]}, headers=headers)
    assert removed.status_code == 200, removed.text
    taken_off = return_case(client, headers, second["person_id"])
    assert step_of(taken_off, "movement")["status"] == "pending"
    assert taken_off["events"][-1]["facts"] == {"movement": movement["id"],
                                                "reopened": "removed"}
    assert step_of(return_case(client, headers, first["person_id"]), "movement")[
        "status"] == "done"
    again = removed
    cancelled = _status(client, headers, again.json(), "cancelled")
    assert cancelled.status_code == 200, cancelled.text
    assert return_case(client, headers, second["person_id"])["events"][-1]["facts"][
        "reopened"] == "removed"  # taken off before: not reopened twice
    for person in (first,):
        case = return_case(client, headers, person["person_id"])
        assert step_of(case, "movement")["status"] == "pending"
        # readiness kept: the steps before it stay done, the case joins another movement
        assert all(step_of(case, k)["status"] == "done" for k in (
            "nationality_verified", "consent", "travel_document", "medical_clearance"))
        reopened = case["events"][-1]
        assert (reopened["step"], reopened["status_before"], reopened["status_after"]) == (
            "movement", "done", "pending")
        assert reopened["facts"] == {"movement": movement["id"], "reopened": "cancelled"}
    with Session(engine) as session:
        audited = session.exec(select(AuditEvent).where(
            AuditEvent.action == "case.step", AuditEvent.object_id == cases[0]["id"])).all()
        assert [json.loads(a.details)["after"] for a in audited][-1] == "pending"
    other = plan(client, headers)
    rejoined = _add(client, headers, other, cases[0]["id"])
    assert rejoined.status_code == 200, rejoined.text
    assert rejoined.json()["returnees"][0]["ready"] is True

