"""Fixtures of the returns tests: a Chadian fighter registered at SEB, coordinators, and
helpers that take a return case to ready over the API."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import register, user_headers
from tests.reintegration.conftest import API, done

CHADIAN: dict[str, Any] = {
    "site": "SEB", "category": "foreign_fighter", "nationality": "TCD", "national_id": None,
    "given_name": "محمد", "father_name": "أبكر", "grandfather_name": "آدم",
    "family_name": "حسب الله", "mother_name": "مريم", "alias": None,
    "place_of_birth": "أبشة", "phone": "0925550101", "passport_no": "A1234567",
    "date_of_birth": "1990-01-01", "name_other_script": "Mohamed Abakar Adam Hassaballah",
}
"""A Chadian fighter as registered in Arabic at Sebha."""
VERIFIED = {"outcome": "confirmed", "method": "consular_interview",
            "verified_by": "Consular officer of Chad"}
DOCUMENT = {"document_type": "laissez_passer", "number": "LP-TCD-0042",
            "issuer": "Embassy of Chad, Tripoli"}


@pytest.fixture
def people(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    """Headers of: a SEB officer, a SEB case manager, a TRP case manager, a TRP case manager
    authorised as returns coordinator, a SEB case manager coordinator, the committee."""
    return {
        "officer": user_headers(client, engine, "registration_officer", ["SEB", "TRP"]),
        "cm": user_headers(client, engine, "case_manager", ["SEB"]),
        "cm_trp": user_headers(client, engine, "case_manager", ["TRP"]),
        "coordinator": user_headers(client, engine, "case_manager", ["TRP"],
                                    authorisations=["returns_coordinator"]),
        "supervisor": user_headers(client, engine, "supervisor", ["SEB"]),
        "committee": user_headers(client, engine, "committee"),
    }


def fighter(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """Register a foreign fighter (default: the Chadian) and return the registration."""
    body = {**CHADIAN, "phone": f"09255{uuid.uuid4().int % 100000:05d}",
            "passport_no": None, **overrides}
    return register(client, headers, **body)


def ready_case(client: TestClient, headers: dict[str, str], person_id: str,
               expires: date | None = None, medical: str = "fit") -> dict[str, Any]:
    """Take a person's return case to ready: claimed, verified, consenting, documented,
    medically cleared, counselled; the case after it."""
    case = return_case(client, headers, person_id)
    today = date.today().isoformat()
    case = done(client, headers, case, "nationality_claimed")
    case = done(client, headers, case, "nationality_verified", **VERIFIED)
    case = done(client, headers, case, "consent", decision="consents", informed_on=today)
    case = done(client, headers, case, "consular_contact", channel="embassy",
                contacted_on=today, result="accepted")
    case = done(client, headers, case, "travel_document", **DOCUMENT,
                expires_on=(expires or date.today() + timedelta(days=365)).isoformat())
    case = done(client, headers, case, "medical_clearance", result=medical,
                examined_on=today)
    return done(client, headers, case, "counselling", sessions=2)


def plan(client: TestClient, headers: dict[str, str], country: str = "TCD",
         **overrides: Any) -> dict[str, Any]:
    """Plan a convoy (asserting 201); the movement."""
    body = {"id": str(uuid.uuid4()), "country": country, "kind": "convoy",
            "route": "Sebha - Qatrun - Wour", "border_crossing": "Wour",
            "planned_on": (date.today() + timedelta(days=10)).isoformat(), "capacity": 30,
            "escort": "Joint escort", **overrides}
    response = client.post(f"{API}/returns/movements", json=body, headers=headers)
    assert response.status_code == 201, response.text
    movement: dict[str, Any] = response.json()
    return movement


def return_case(client: TestClient, headers: dict[str, str], person_id: str) -> dict[str, Any]:
    """A person's return case as someone who may see it reads it (through the case list, so
    that coordinators need no access to the person's site)."""
    listed = client.get(f"{API}/cases", params={"pathway": "return", "page_size": 200},
                        headers=headers).json()
    (ref,) = [c for c in listed["items"] if c["person_id"] == person_id]
    case: dict[str, Any] = client.get(f"{API}/cases/{ref['id']}", headers=headers).json()
    return case


def hand_over(client: TestClient, headers: dict[str, str], person_id: str) -> dict[str, Any]:
    """Take a person all the way to handover: ready, on a convoy that departs, handed over
    to the receiving authority; the case after it."""
    case = ready_case(client, headers, person_id)
    movement = plan(client, headers)
    response = client.post(f"{API}/returns/movements/{movement['id']}/returnees",
                           json={"cases": [case["id"]], "version": movement["version"]},
                           headers=headers)
    for status in ("confirmed", "departed"):
        assert response.status_code == 200, response.text
        response = client.post(f"{API}/returns/movements/{movement['id']}/status",
                               json={"status": status, "version": response.json()["version"]},
                               headers=headers)
    assert response.status_code == 200, response.text
    case = return_case(client, headers, person_id)
    return done(client, headers, case, "handover", receiving_organisation="CONADIS",
                received_by="Duty officer", handed_over_on=date.today().isoformat(),
                receipt="R-1")
