"""The auditor's pages, parsed: search the trail, who viewed a person (across sites and
registrations, in one search), an extract whose cells cannot run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.audit import record_event
from app.core.audit_query import safe_cell
from app.core.db import session_scope
from app.core.models import AuditEvent
from app.core.security import Principal
from tests.factories import LATIN_BODY, register, user_headers
from tests.web.helpers import make_web_user, soup, web_login


@pytest.fixture
def viewed(client: TestClient, engine: Engine) -> dict[str, object]:
    """A man registered at TRP and (linked) at BEN, read by two officers at their sites."""
    admin = user_headers(client, engine, "admin")
    trp = register(client, admin)
    ben = register(client, admin, **LATIN_BODY, person_id=trp["person_id"])
    other = register(client, admin, given_name="زكريا", father_name="يونس",
                     grandfather_name="إدريس", family_name="الترهوني", national_id=None,
                     phone=None, date_of_birth="1966")
    trp_officer = user_headers(client, engine, "registration_officer", ["TRP"])
    ben_officer = user_headers(client, engine, "registration_officer", ["BEN"])
    client.get(f"/api/v1/persons/{trp['person_id']}", headers=trp_officer)
    client.get(f"/api/v1/registrations/{ben['id']}", headers=ben_officer)
    client.get(f"/api/v1/registrations/{other['id']}", headers=trp_officer)
    return {"trp": trp, "ben": ben, "other": other}


@pytest.fixture
def auditor(client: TestClient, engine: Engine) -> str:
    make_web_user(engine, "auditor.web", role="auditor", sites=[])
    return web_login(client, "auditor.web")


def test_who_viewed_a_person_across_sites_and_registrations(
    client: TestClient, viewed: dict[str, dict[str, str]], auditor: str
) -> None:
    for ref in (viewed["ben"]["registration_number"], viewed["trp"]["person_id"]):
        page = soup(client.get("/audit/person", params={"ref": ref}).text)
        viewers = {b.get_text() for b in page.select("#viewers .viewer")}
        assert len(viewers) == 2, ref
        assert all(v.startswith("registration_officer") for v in viewers)
        actions = {code.get_text() for code in page.select("#events td code")}
        assert actions == {"person.read", "registration.read"}
        objects = " ".join(td.get_text() for td in page.select("#events td"))
        assert viewed["other"]["id"] not in objects
        assert "محمد" not in page.get_text()  # the auditor sees no identifying data
    everything = soup(client.get("/audit/person", params={
        "ref": viewed["trp"]["registration_number"], "all": "1"}).text)
    actions = {code.get_text() for code in everything.select("#events td code")}
    assert "registration.create" in actions


def test_the_trail_is_searched_by_actor_action_object_and_period(
    client: TestClient, engine: Engine, viewed: dict[str, dict[str, str]], auditor: str
) -> None:
    page = soup(client.get("/audit", params={"action": "registration.read"}).text)
    assert {c.get_text() for c in page.select("#events td code")} == {"registration.read"}
    assert page.find(id="total").get_text(strip=True).endswith("2")
    with Session(engine) as session:
        officer = session.exec(select(AuditEvent).where(
            AuditEvent.action == "person.read")).one().actor_username
    page = soup(client.get("/audit", params={"actor": officer}).text)
    assert {td.get_text(strip=True).split("(")[0] for td in page.select("#events td.actor")} \
        == {officer}
    by_object = soup(client.get("/audit", params={
        "object_type": "registration", "object_id": viewed["ben"]["id"]}).text)
    assert len(by_object.select("#events tbody tr")) >= 2
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    empty = soup(client.get("/audit", params={"since": tomorrow}).text)
    assert empty.select("#events tbody tr") == []
    bad = soup(client.get("/audit", params={"since": "yesterday"}).text)
    assert bad.select_one(".field-error") is not None


def test_an_extract_is_csv_with_formulas_neutralised_and_is_itself_audited(
    client: TestClient, engine: Engine, viewed: dict[str, dict[str, str]], auditor: str
) -> None:
    hostile = Principal(id=None, username="=HYPERLINK(\"http://x\")", role="admin")
    with session_scope(engine) as session:
        record_event(session=session, actor=hostile, action="test.formula",
                     object_type="@SUM(A1)", object_id="+1", details={"note": "-2"})
    response = client.get("/audit/export.csv", params={"action": "test."})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1
    assert rows[0]["actor_username"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["object_type"] == "'@SUM(A1)"
    assert rows[0]["object_id"] == "'+1"
    assert all(not value.startswith(("=", "+", "-", "@")) for value in rows[0].values())
    with Session(engine) as session:
        exported = session.exec(select(AuditEvent).where(
            AuditEvent.action == "audit.export")).one()
        assert '"rows": 1' in exported.details
    assert safe_cell("\tcmd") == "'\tcmd"
    assert safe_cell("TRP-2026-000001") == "TRP-2026-000001"


def test_only_auditors_and_admins_read_the_trail(
    client: TestClient, engine: Engine
) -> None:
    make_web_user(engine, "officer.nosy", sites=["TRP"])
    web_login(client, "officer.nosy")
    for path in ("/audit", "/audit/person", "/audit/export.csv"):
        assert client.get(path).status_code == 403
    client.cookies.clear()
    make_web_user(engine, "admin.audit", role="admin", sites=[])
    web_login(client, "admin.audit")
    assert client.get("/audit").status_code == 200


def test_the_api_answers_who_viewed_a_person(
    client: TestClient, engine: Engine, viewed: dict[str, dict[str, str]]
) -> None:
    auditor = user_headers(client, engine, "auditor")
    body = client.get(f"/api/v1/audit/persons/{viewed['trp']['person_id']}",
                      headers=auditor).json()
    assert len(body["viewed_by"]) == 2
    assert sorted(body["registration_numbers"]) == sorted(
        [viewed["trp"]["registration_number"], viewed["ben"]["registration_number"]])
    page = client.get("/api/v1/audit", params={"actor_username": body["viewed_by"][0]},
                      headers=auditor).json()
    assert {item["actor_username"] for item in page["items"]} == {body["viewed_by"][0]}
