"""Cases over the API: opened by registrations, read, moved step by step with versions,
prerequisites and branches, assigned, noted, suspended and closed; the timeline."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from app.core.audit import list_events
from app.core.db import session_scope
from reintegration.models import CaseEvent, CaseStep
from tests.factories import make_case, register
from tests.reintegration.conftest import (
    API,
    DEMOBILIZED,
    ELIGIBLE,
    PROFILED,
    case_of,
    done,
    move,
    step_of,
)


def test_each_registration_opens_the_case_of_its_category(
    client: TestClient, staff: dict[str, dict[str, str]]
) -> None:
    combatant = register(client, staff["officer"])
    civilian = register(client, staff["officer"], category="associated_civilian",
                        given_name="سالم", national_id="119900101234", date_of_birth="1990-01-01",
                        phone="0921111111")
    foreigner = register(client, staff["officer"], category="foreign_fighter", nationality="TCD",
                         national_id=None, given_name="Mahamat", father_name="Idriss",
                         family_name="Deby", phone="0922222222")
    child = register(client, staff["officer"], category="child", date_of_birth="2011-04-01",
                     national_id=None, given_name="أحمد", phone="0923333333")
    cases = {who: client.get(f"{API}/persons/{r['person_id']}",
                             headers=staff["cm_children"]).json()["cases"]
             for who, r in (("combatant", combatant), ("civilian", civilian),
                            ("foreigner", foreigner), ("child", child))}
    assert [(c["pathway"], c["status"]) for c in cases["combatant"]] == [("reintegration",
                                                                           "open")]
    assert [c["pathway"] for c in cases["civilian"]] == ["reintegration"]
    assert [c["pathway"] for c in cases["foreigner"]] == ["return"]
    assert [c["pathway"] for c in cases["child"]] == ["child"]
    # a second registration of the same person opens nothing more
    register(client, staff["officer"], person_id=combatant["person_id"], national_id=None,
             phone=None)
    again = client.get(f"{API}/persons/{combatant['person_id']}", headers=staff["cm"]).json()
    assert again["cases"] == cases["combatant"]


def test_case_reads_as_the_contract_says(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]],
    fighter: dict[str, Any]
) -> None:
    case = fighter["case"]
    assert {"id", "person_id", "pathway", "pathway_version", "status", "version",
            "assigned_to", "steps", "events"} <= set(case)
    assert (case["pathway"], case["pathway_version"], case["status"], case["version"]) == (
        "reintegration", 1, "open", 1)
    assert case["person_id"] == fighter["registration"]["person_id"]
    assert case["registration_number"] == fighter["registration"]["registration_number"]
    assert case["name"] == "محمد عبد السلام علي الورفلي"
    assert case["assigned_to"] is None
    first = case["steps"][0]
    assert (first["key"], first["status"], first["due_on"]) == (
        "eligibility", "pending", (date.today() + timedelta(days=7)).isoformat())
    assert all(s["due_on"] is None for s in case["steps"][1:])
    assert [e["kind"] for e in case["events"]] == ["opened"]
    with Session(engine) as session:
        total, _ = list_events(session=session, action="case.read", object_id=case["id"])
    assert total == 1
    pathways = client.get(f"{API}/pathways", headers=staff["officer"]).json()
    assert {(p["key"], p["version"]) for p in pathways} == {("reintegration", 1), ("child", 1),
                                                            ("return", 1)}


def test_a_step_moves_with_the_version_it_saw(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]],
    fighter: dict[str, Any]
) -> None:
    case = fighter["case"]
    moved = move(client, staff["cm"], case, "eligibility", "in_progress",
                 note="first interview held")
    assert moved.status_code == 200, moved.text
    after = moved.json()
    assert after["version"] == 2
    assert step_of(after, "eligibility")["status"] == "in_progress"
    assert step_of(after, "eligibility")["attempts"] == 1
    # the same version again: stale, with what changed since
    stale = move(client, staff["cm"], case, "eligibility", "done", data=ELIGIBLE)
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2
    assert [(c["version"], c["step"], c["status_after"]) for c in body["changes"]] == [
        (2, "eligibility", "in_progress")]
    finished = done(client, staff["cm"], after, "eligibility", **ELIGIBLE)
    assert finished["version"] == 3
    assert finished["current_step"] == "disarmament"
    assert step_of(finished, "eligibility")["outcome"] == "eligible"
    assert step_of(finished, "eligibility")["values"]["verified_by"] == ELIGIBLE["verified_by"]
    assert step_of(finished, "disarmament")["due_on"] == (
        date.today() + timedelta(days=14)).isoformat()
    events = finished["events"]
    assert [(e["version"], e["kind"], e["step"], e["status_after"]) for e in events] == [
        (1, "opened", None, None), (2, "step", "eligibility", "in_progress"),
        (3, "step", "eligibility", "done")]
    assert events[1]["note"] == "first interview held"
    assert events[2]["values"] == {"verified_by": ELIGIBLE["verified_by"]}
    with Session(engine) as session:
        stored = session.exec(select(CaseEvent).where(col(CaseEvent.version) == 2)).one()
        step = session.exec(select(CaseStep).where(CaseStep.key == "eligibility")).one()
    assert b"first interview" not in (stored.sealed or b"")
    assert b"Screening committee" not in (step.sealed or b"")
    assert "eligible" in step.facts  # codes stay in clear for statistics


def test_refusals_name_the_transition_or_the_prerequisite(
    client: TestClient, staff: dict[str, dict[str, str]], fighter: dict[str, Any]
) -> None:
    case = fighter["case"]
    skipped = move(client, staff["cm"], case, "eligibility", "skipped")
    assert skipped.status_code == 422
    assert skipped.json()["errors"][0]["field"] == "status"
    assert "eligibility pending -> skipped" in skipped.json()["detail"]
    early = move(client, staff["cm"], case, "demobilization", "in_progress")
    assert early.status_code == 422
    assert {e["field"] for e in early.json()["errors"]} == {"step.eligibility",
                                                            "step.disarmament"}
    incomplete = move(client, staff["cm"], case, "eligibility", "done",
                      data={"outcome": "eligible"})
    assert incomplete.status_code == 422
    assert {e["field"] for e in incomplete.json()["errors"]} == {
        "data.membership_verification", "data.verified_by"}
    unknown = move(client, staff["cm"], case, "eligibility", "done", data={"colour": "red"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "data.colour"
    future = move(client, staff["cm"], case, "eligibility", "in_progress",
                  on=(date.today() + timedelta(days=2)).isoformat())
    assert future.status_code == 422
    no_step = move(client, staff["cm"], case, "parachuting", "done")
    assert no_step.status_code == 404
    reopen = move(client, staff["cm"], done(client, staff["cm"], case, "eligibility",
                                            **ELIGIBLE), "eligibility", "in_progress")
    assert reopen.status_code == 403  # undoing a finished step is for supervisors
    unchanged = client.get(f"{API}/cases/{case['id']}", headers=staff["cm"]).json()
    assert unchanged["version"] == 2


def test_scope_roles_and_sites(
    client: TestClient, staff: dict[str, dict[str, str]], fighter: dict[str, Any]
) -> None:
    case = fighter["case"]
    path = f"{API}/cases/{case['id']}"
    assert client.get(path, headers=staff["cm_ben"]).status_code == 404
    assert move(client, staff["cm_ben"], case, "eligibility", "in_progress").status_code == 404
    assert client.get(path, headers=staff["officer"]).status_code == 403
    assert client.get(path, headers=staff["committee"]).status_code == 403
    assert client.get(path, headers=staff["admin"]).status_code == 200
    assert client.get(path, headers=staff["supervisor"]).status_code == 200
    person = client.get(f"{API}/persons/{case['person_id']}", headers=staff["officer"]).json()
    assert [c["id"] for c in person["cases"]] == [case["id"]]


def test_not_eligible_closes_the_case(
    client: TestClient, staff: dict[str, dict[str, str]], fighter: dict[str, Any]
) -> None:
    after = done(client, staff["cm"], fighter["case"], "eligibility",
                 **{**ELIGIBLE, "outcome": "not_eligible"})
    assert (after["status"], after["close_reason"]) == ("closed", "not_eligible")
    assert {s["status"] for s in after["steps"][1:]} == {"not_applicable"}
    assert after["current_step"] is None
    assert after["events"][-1]["facts"]["closed"] == "not_eligible"
    refused = move(client, staff["cm"], after, "disarmament", "pending")
    assert refused.status_code == 422  # a closed case moves no step


def test_a_civilian_without_weapon_and_the_road_to_the_option(
    client: TestClient, staff: dict[str, dict[str, str]]
) -> None:
    civilian = register(client, staff["officer"], category="associated_civilian")
    case = case_of(client, staff["cm"], civilian["person_id"])
    case = done(client, staff["cm"], case, "eligibility", **ELIGIBLE)
    no_weapon = move(client, staff["cm"], case, "disarmament", "done")
    assert no_weapon.status_code == 422
    assert no_weapon.json()["errors"][0]["field"] == "weapons"
    case = move(client, staff["cm"], case, "disarmament", "not_applicable").json()
    case = done(client, staff["cm"], case, "demobilization", **DEMOBILIZED)
    assert step_of(case, "profiling")["due_on"] == (date.today() + timedelta(days=30)).isoformat()
    assert step_of(case, "reinsertion")["due_on"] == (
        date.today() + timedelta(days=120)).isoformat()
    case = done(client, staff["cm"], case, "profiling", **PROFILED)
    case = done(client, staff["cm"], case, "option", option="agriculture")
    assert step_of(case, "option")["outcome"] == "agriculture"
    assert case["current_step"] == "reinsertion"
    assert case["next_due_on"] == step_of(case, "enrolled")["due_on"]


def test_gender_screening_is_for_the_authorised_and_hidden_from_others(
    client: TestClient, staff: dict[str, dict[str, str]], fighter: dict[str, Any]
) -> None:
    case = done(client, staff["cm"], fighter["case"], "eligibility", **ELIGIBLE)
    case = done(client, staff["cm"], case, "disarmament")
    case = done(client, staff["cm"], case, "demobilization", **DEMOBILIZED)
    refused = move(client, staff["cm"], case, "gender_screening", "done",
                   data={"needs_identified": True})
    assert refused.status_code == 403
    screened = done(client, staff["cm_children"], case, "gender_screening",
                    needs_identified=True, notes="needs a women's health referral")
    assert step_of(screened, "gender_screening")["values"]["notes"]
    seen = client.get(f"{API}/cases/{case['id']}", headers=staff["cm"]).json()
    hidden = step_of(seen, "gender_screening")
    assert (hidden["status"], hidden["restricted"], hidden["values"]) == ("done", True, {})
    event = next(e for e in seen["events"] if e["step"] == "gender_screening")
    assert "values" not in event["facts"]
    assert event["values"] == {}


def test_assignment_notes_suspension_and_closing(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]],
    fighter: dict[str, Any]
) -> None:
    case = fighter["case"]
    path = f"{API}/cases/{case['id']}"
    me = client.get(f"{API}/auth/me", headers=staff["cm"]).json()
    ben = client.get(f"{API}/auth/me", headers=staff["cm_ben"]).json()
    taken = client.post(f"{path}/assignment", headers=staff["cm"],
                        json={"assigned_to": me["id"], "version": 1})
    assert taken.status_code == 200, taken.text
    assert taken.json()["assigned_to"] == {"id": me["id"], "username": me["username"]}
    other = client.post(f"{path}/assignment", headers=staff["cm_children"],
                        json={"assigned_to": None, "version": 2})
    assert other.status_code == 403  # not theirs to drop
    wrong_site = client.post(f"{path}/assignment", headers=staff["supervisor"],
                             json={"assigned_to": ben["id"], "version": 2})
    assert wrong_site.status_code == 422
    assert wrong_site.json()["errors"][0]["field"] == "assigned_to"
    noted = client.post(f"{path}/notes", headers=staff["cm"],
                        json={"text": "family lives in Souq al-Juma", "version": 2})
    assert noted.status_code == 200
    assert noted.json()["events"][-1]["note"] == "family lives in Souq al-Juma"
    suspended = client.post(f"{path}/status", headers=staff["cm"],
                            json={"status": "suspended", "note": "travelling", "version": 3})
    assert suspended.json()["status"] == "suspended"
    assert move(client, staff["cm"], suspended.json(), "eligibility",
                "in_progress").status_code == 422
    early_close = client.post(f"{path}/status", headers=staff["cm"],
                              json={"status": "closed", "reason": "completed", "version": 4})
    assert early_close.status_code == 422  # steps are not settled
    assert any(e["field"] == "step.eligibility" for e in early_close.json()["errors"])
    closed = client.post(f"{path}/status", headers=staff["cm"],
                         json={"status": "closed", "reason": "withdrew", "version": 4})
    assert closed.json()["close_reason"] == "withdrew"
    assert client.post(f"{path}/status", headers=staff["cm"],
                       json={"status": "open", "version": 5}).status_code == 403
    reopened = client.post(f"{path}/status", headers=staff["supervisor"],
                           json={"status": "open", "version": 5})
    assert (reopened.json()["status"], reopened.json()["close_reason"]) == ("open", None)
    kinds = [e["kind"] for e in reopened.json()["events"]]
    assert kinds == ["opened", "assigned", "note", "status", "status", "status"]
    with Session(engine) as session:
        actions = {e.action for e in list_events(session=session, object_id=case["id"],
                                                 page_size=100)[1]}
    assert {"case.assigned", "case.note", "case.status", "case.open"} <= actions


def test_the_timeline_refuses_updates_and_deletes(
    engine: Engine, fighter: dict[str, Any]
) -> None:
    for statement in ("UPDATE case_event SET kind = 'note'", "DELETE FROM case_event"):
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(text(statement))


def test_a_second_open_case_on_one_pathway_is_pointed_out(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]],
    fighter: dict[str, Any]
) -> None:
    first = fighter["case"]
    with session_scope(engine) as session:  # as after a merge of two registrations' persons
        second = make_case(session, uuid.UUID(first["person_id"]))
    again = client.get(f"{API}/cases/{first['id']}", headers=staff["cm"]).json()
    assert again["other_open_cases"] == [str(second.id)]
    closed = client.post(f"{API}/cases/{second.id}/status", headers=staff["cm"],
                         json={"status": "closed", "reason": "duplicate", "version": 1})
    assert closed.status_code == 200
    assert client.get(f"{API}/cases/{first['id']}",
                      headers=staff["cm"]).json()["other_open_cases"] == []
