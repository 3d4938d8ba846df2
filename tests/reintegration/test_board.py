"""The case manager's board, case lists and the supervisor's workload: what is mine, what is
due this week, what is overdue (most overdue first), by status and by step; site and pathway
filters; reassignment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from tests.factories import make_registration, person_case, user_headers
from tests.reintegration.conftest import API

DAYS_AGO = {"A": 30, "B": 10, "C": 3, "D": 0}


@pytest.fixture
def caseload(client: TestClient, engine: Engine, app: Any,
             staff: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Four TRP cases opened 30, 10, 3 and 0 days ago (eligibility due a week after), one at
    BEN; A and C are the case manager's, B a colleague's, D nobody's."""
    cases: dict[str, str] = {}
    with session_scope(engine) as session:
        for n, (name, days) in enumerate([*DAYS_AGO.items(), ("E", 20)]):
            enrolled = make_registration(
                session, app.state.crypto, registered_on=date.today() - timedelta(days=days),
                site="BEN" if name == "E" else "TRP", national_id=f"11988012345{n}",
                phone=f"091234567{n}", given_name=f"Person {name}")
            cases[name] = str(person_case(session, enrolled.person.id).id)
    colleague = user_headers(client, engine, "case_manager", ["TRP"])
    ids = {who: client.get(f"{API}/auth/me", headers=h).json()["id"]
           for who, h in (("cm", staff["cm"]), ("colleague", colleague))}
    for name, who in (("A", "cm"), ("C", "cm"), ("B", "colleague")):
        given = client.post(f"{API}/cases/{cases[name]}/assignment",
                            headers=staff["supervisor"],
                            json={"assigned_to": ids[who], "version": 1})
        assert given.status_code == 200, given.text
    return {"cases": cases, "ids": ids, "colleague": colleague}


def board(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get(f"{API}/cases/board", headers=headers, params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def names(rows: list[dict[str, Any]], cases: dict[str, str]) -> list[str]:
    by_id = {v: k for k, v in cases.items()}
    return [by_id[r["case"]["id"] if "case" in r else r["id"]] for r in rows]


def test_my_board(client: TestClient, staff: dict[str, dict[str, str]],
                  caseload: dict[str, Any]) -> None:
    cases = caseload["cases"]
    mine = board(client, staff["cm"])
    assert mine["scope"] == "mine"
    assert names(mine["my_cases"], cases) == ["A", "C"]  # soonest due first
    assert mine["my_cases_total"] == 2
    assert names(mine["overdue"], cases) == ["A"]
    assert mine["overdue"][0]["days_overdue"] == 23
    assert mine["overdue"][0]["step"] == "eligibility"
    assert names(mine["due_this_week"], cases) == ["C"]
    assert names(mine["unassigned"], cases) == ["D"]  # E is at another site
    assert mine["by_status"] == [{"key": "open", "count": 2}]
    assert mine["by_step"] == [{"pathway": "reintegration", "step": "eligibility", "count": 2}]
    assert mine["my_cases"][0]["name"] == "Person A عبد السلام علي الورفلي"


def test_the_sites_board_filters_and_lists(client: TestClient, staff: dict[str, dict[str, str]],
                                           caseload: dict[str, Any]) -> None:
    cases = caseload["cases"]
    every = board(client, staff["cm"], scope="sites")
    assert names(every["overdue"], cases) == ["A", "B"]  # most overdue first
    assert [r["days_overdue"] for r in every["overdue"]] == [23, 3]
    assert names(every["due_this_week"], cases) == ["C"]  # D falls due in 7 days
    assert every["by_status"] == [{"key": "open", "count": 4}]
    admin = board(client, staff["admin"], site="ben")
    assert names(admin["overdue"], cases) == ["E"]
    assert board(client, staff["admin"], pathway="child")["by_status"] == []
    assert board(client, staff["cm"], site="BEN", scope="sites")["by_status"] == []
    limited = board(client, staff["cm"], scope="sites", limit="1")
    assert (len(limited["overdue"]), limited["overdue_total"]) == (1, 2)
    overdue = client.get(f"{API}/cases", headers=staff["cm"], params={"due": "overdue"}).json()
    assert (overdue["total"], names(overdue["items"], cases)) == (2, ["A", "B"])
    free = client.get(f"{API}/cases", headers=staff["cm"],
                      params={"assigned_to": "none"}).json()
    assert names(free["items"], cases) == ["D"]
    bad = client.get(f"{API}/cases/board", headers=staff["cm"], params={"scope": "everyone"})
    assert bad.status_code == 422


def test_workload_and_reassignment(client: TestClient, staff: dict[str, dict[str, str]],
                                   caseload: dict[str, Any]) -> None:
    cases, ids = caseload["cases"], caseload["ids"]
    assert client.get(f"{API}/cases/workload", headers=staff["cm"]).status_code == 403
    load = client.get(f"{API}/cases/workload", headers=staff["supervisor"]).json()
    rows = {r["user"]["id"]: r for r in load["rows"]}
    assert (rows[ids["cm"]]["open_cases"], rows[ids["cm"]]["overdue"],
            rows[ids["cm"]]["due_this_week"]) == (2, 1, 1)
    assert (rows[ids["colleague"]]["open_cases"], rows[ids["colleague"]]["overdue"]) == (
        1, 1)
    assert load["unassigned"] == 1
    case = client.get(f"{API}/cases/{cases['A']}", headers=staff["supervisor"]).json()
    moved = client.post(f"{API}/cases/{cases['A']}/assignment", headers=staff["supervisor"],
                        json={"assigned_to": ids["colleague"], "version": case["version"]})
    assert moved.status_code == 200, moved.text
    load = client.get(f"{API}/cases/workload", headers=staff["supervisor"]).json()
    rows = {r["user"]["id"]: r for r in load["rows"]}
    assert (rows[ids["cm"]]["open_cases"], rows[ids["colleague"]]["open_cases"]) == (1, 2)
    mine = board(client, caseload["colleague"])
    assert names(mine["my_cases"], cases) == ["A", "B"]


def test_a_case_is_listed_once_with_its_most_overdue_step(
        client: TestClient, engine: Engine, app: Any, staff: dict[str, dict[str, str]]) -> None:
    with session_scope(engine) as session:
        enrolled = make_registration(session, app.state.crypto,
                                     registered_on=date.today() - timedelta(days=100))
        case_id = str(person_case(session, enrolled.person.id).id)
    case = client.get(f"{API}/cases/{case_id}", headers=staff["cm"]).json()
    moves = [("eligibility", {"outcome": "eligible", "membership_verification": "witness",
                              "verified_by": "Site commission"}, 99),
             ("disarmament", {"no_weapon_reason": "handed_in_by_group"}, 98),
             ("demobilization", {"ddr_id_card": "DDR-1", "medical_screening": "fit"}, 97)]
    for step, data, days in moves:
        case = client.post(f"{API}/cases/{case_id}/steps/{step}", headers=staff["cm"], json={
            "status": "done", "version": case["version"], "data": data,
            "on": (date.today() - timedelta(days=days)).isoformat()}).json()
    late = [s["key"] for s in case["steps"]
            if s["due_on"] and s["due_on"] < date.today().isoformat()
            and s["status"] == "pending"]
    assert late == ["profiling", "gender_screening"]  # both 67 days overdue
    every = board(client, staff["cm"], scope="sites")
    assert [(r["case"]["id"], r["step"], r["days_overdue"]) for r in every["overdue"]] == [
        (case_id, "profiling", 67)]
    assert every["overdue_total"] == 1
