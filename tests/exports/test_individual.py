"""Individual-level exports: only with every safeguard (role and site, allow-listed fields,
purpose, expiry, passphrase); the file is AES-encrypted, watermarked, formula-safe, registered
and audited record by record."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
import pyzipper
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.core.db import session_scope
from app.core.models import AuditEvent
from exports.models import IndividualExport
from tests.factories import make_case, make_registration, seed_reference, user_headers

PASSPHRASE = "a long referral passphrase"
URL = "/api/v1/exports/individual"


def body(**overrides: Any) -> dict[str, Any]:
    request = {"site": "TRP", "fields": ["registration_number", "given_name", "family_name",
                                        "phone", "case_status"],
               "purpose": "referral to the Tripoli vocational training centre",
               "expires_on": (date.today() + timedelta(days=30)).isoformat(),
               "passphrase": PASSPHRASE}
    request.update(overrides)
    return request


@pytest.fixture
def caseload(app: FastAPI, engine: Engine) -> list[str]:
    seed_reference(engine)
    numbers = []
    with session_scope(engine) as session:
        for given, nid, phone in (("محمد", "119880123456", None),
                                  ("Salem", None, "0923456781")):
            enrolment = make_registration(session, app.state.crypto, given_name=given,
                                          father_name="Omar", family_name="Zintani",
                                          national_id=nid, phone=phone)
            make_case(session, enrolment.registration.person_id)
            numbers.append(enrolment.registration.registration_number)
    return numbers


def read(content: bytes, passphrase: str = PASSPHRASE) -> tuple[str, list[list[str]]]:
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        archive.setpassword(passphrase.encode())
        names = archive.namelist()
        notice = archive.read("README.txt").decode()
        table = archive.read(next(n for n in names if n.endswith(".csv"))).decode("utf-8-sig")
    return notice, list(csv.reader(io.StringIO(table)))


def test_a_case_manager_exports_an_encrypted_watermarked_caseload(
        client: TestClient, engine: Engine, caseload: list[str]) -> None:
    manager = user_headers(client, engine, "case_manager", ["TRP"])
    response = client.post(URL, json=body(), headers=manager)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "محمد".encode() not in response.content  # encrypted
    with pytest.raises(RuntimeError):
        read(response.content, "the wrong passphrase")
    notice, rows = read(response.content)
    export_id = response.headers["X-Export-Id"]
    assert export_id in notice
    assert "vocational" in notice
    assert rows[0] == ["registration_number", "given_name", "family_name", "phone",
                       "case_status", "watermark"]
    assert sorted(r[0] for r in rows[1:]) == sorted(caseload)
    assert all(r[-1].startswith(export_id) and "case_manager-TRP" in r[-1] for r in rows[1:])
    given = {r[0]: r[1] for r in rows[1:]}
    assert given[caseload[0]] == "محمد"
    phones = {r[0]: r[3] for r in rows[1:]}
    assert phones[caseload[1]] == "'+218923456781"  # a leading + is a formula to a spreadsheet
    assert "national_id" not in rows[0]
    with session_scope(engine) as session:
        entry = session.get(IndividualExport, uuid.UUID(export_id))
        assert entry is not None
        assert entry.row_count == 2
        assert entry.purpose.startswith("referral")
        events = session.exec(select(AuditEvent).where(col(AuditEvent.action).in_(
            ["export.individual", "registration.export"]))).all()
    assert sorted(e.action for e in events) == ["export.individual", "registration.export",
                                                "registration.export"]
    assert "محمد" not in str([e.details for e in events])


@pytest.mark.parametrize(("overrides", "field"), [
    ({"fields": ["given_name", "national_id"]}, "fields"),
    ({"fields": []}, "fields"),
    ({"purpose": "list"}, "purpose"),
    ({"expires_on": date.today().isoformat()}, "expires_on"),
    ({"expires_on": (date.today() + timedelta(days=400)).isoformat()}, "expires_on"),
    ({"passphrase": "short"}, "passphrase"),
], ids=["a field off the allow-list", "no fields", "no real purpose", "expires today",
        "expires in a year", "a short passphrase"])
def test_no_export_without_every_safeguard(client: TestClient, engine: Engine,
                                           caseload: list[str], overrides: dict[str, Any],
                                           field: str) -> None:
    manager = user_headers(client, engine, "case_manager", ["TRP"])
    response = client.post(URL, json=body(**overrides), headers=manager)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert PASSPHRASE not in response.text


@pytest.mark.parametrize(("role", "sites"), [("committee", None), ("registration_officer",
                                                                   ["TRP"]),
                                             ("case_manager", ["BEN"]), ("auditor", None)],
                         ids=["committee", "officer", "another site's case manager",
                              "auditor"])
def test_other_roles_and_sites_are_refused(client: TestClient, engine: Engine,
                                           caseload: list[str], role: str,
                                           sites: list[str] | None) -> None:
    headers = user_headers(client, engine, role, sites)
    assert client.post(URL, json=body(), headers=headers).status_code == 403
