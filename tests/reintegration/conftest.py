"""Fixtures of the case tests: staff with tokens, a registered man with a weapon, and helpers
that move a case over the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import register, user_headers

API = "/api/v1"
ELIGIBLE = {"outcome": "eligible", "membership_verification": "commander_list",
            "verified_by": "Screening committee of Tripoli"}
DEMOBILIZED = {"ddr_id_card": "DDR-000123", "medical_screening": "fit"}
PROFILED = {"education": "secondary", "skills": "driving, mechanics",
            "wishes": "a garage of his own"}


@pytest.fixture
def staff(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    """Headers of: a TRP officer, case managers of TRP and BEN, a TRP case manager authorised
    for children and gender screening, a TRP supervisor, an admin, the committee."""
    return {
        "officer": user_headers(client, engine, "registration_officer", ["TRP"]),
        "cm": user_headers(client, engine, "case_manager", ["TRP"]),
        "cm_ben": user_headers(client, engine, "case_manager", ["BEN"]),
        "cm_children": user_headers(client, engine, "case_manager", ["TRP"],
                                    authorisations=["children", "gender"]),
        "supervisor": user_headers(client, engine, "supervisor", ["TRP"]),
        "admin": user_headers(client, engine, "admin"),
        "committee": user_headers(client, engine, "committee"),
    }


def case_of(client: TestClient, headers: dict[str, str], person_id: str,
            pathway: str = "reintegration") -> dict[str, Any]:
    """The person's case on a pathway, read whole."""
    person = client.get(f"{API}/persons/{person_id}", headers=headers).json()
    (ref,) = [c for c in person["cases"] if c["pathway"] == pathway]
    case: dict[str, Any] = client.get(f"{API}/cases/{ref['id']}", headers=headers).json()
    return case


def move(client: TestClient, headers: dict[str, str], case: dict[str, Any], step: str,
         status: str, **extra: Any) -> httpx.Response:
    """Move a step of the case at the version it has (`extra`: data, note, on, version)."""
    body = {"status": status, "version": case["version"], "data": {}, **extra}
    return client.post(f"{API}/cases/{case['id']}/steps/{step}", json=body, headers=headers)


def done(client: TestClient, headers: dict[str, str], case: dict[str, Any], step: str,
         **data: Any) -> dict[str, Any]:
    """Finish a step (asserting 200); the case after it."""
    response = move(client, headers, case, step, "done", data=data)
    assert response.status_code == 200, response.text
    after: dict[str, Any] = response.json()
    return after


def step_of(case: dict[str, Any], key: str) -> dict[str, Any]:
    """One step of a case as the API shows it."""
    found: dict[str, Any] = next(s for s in case["steps"] if s["key"] == key)
    return found


@pytest.fixture
def fighter(client: TestClient, staff: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A Libyan combatant registered at TRP with a rifle; his case as a TRP case manager
    reads it."""
    registered = register(client, staff["officer"],
                          weapons=[{"weapon_type": "rifle", "serial_number": "AK-CASE-1"}])
    return {"registration": registered,
            "case": case_of(client, staff["cm"], registered["person_id"])}


def to_reinsertion(client: TestClient, headers: dict[str, str], case: dict[str, Any],
                   armed: bool = True) -> dict[str, Any]:
    """Eligibility, disarmament (a weapon recorded, or `armed=False`: handed in by the group),
    demobilization done; reinsertion started (instalments planned)."""
    case = done(client, headers, case, "eligibility", **ELIGIBLE)
    case = done(client, headers, case, "disarmament",
                **({} if armed else {"no_weapon_reason": "handed_in_by_group"}))
    case = done(client, headers, case, "demobilization", **DEMOBILIZED)
    response = move(client, headers, case, "reinsertion", "in_progress")
    assert response.status_code == 200, response.text
    started: dict[str, Any] = response.json()
    return started
