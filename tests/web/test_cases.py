"""Case pages, parsed: the board as the case manager's home, the case page and its htmx
forms (saved, refused beside the form, stale), the person page's cases, the workload view
with reassignment, the provider directory."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.core.security import SYSTEM
from reintegration.models import Case
from reintegration.payments import plan_instalments
from reintegration.schemas import InstalmentIn, InstalmentsIn
from tests.factories import make_registration, person_case, seed_reference
from tests.web.helpers import make_web_user, soup, web_login

SAME_ORIGIN = {"Origin": "http://testserver"}
HTMX = {**SAME_ORIGIN, "HX-Request": "true"}


@pytest.fixture
def registered(engine: Engine, app: Any) -> dict[str, str]:
    """A Libyan combatant registered at TRP: his person and case ids."""
    seed_reference(engine)
    with session_scope(engine) as session:
        enrolled = make_registration(session, app.state.crypto)
        case = person_case(session, enrolled.person.id)
        return {"person": str(enrolled.person.id), "case": str(case.id)}


@pytest.fixture
def case_manager(client: TestClient, engine: Engine) -> str:
    """Sign in a TRP case manager (English); the page's CSRF token."""
    make_web_user(engine, "cm.trp", role="case_manager", sites=["TRP"])
    return web_login(client, "cm.trp")


def step_form(page: Any, key: str) -> dict[str, str]:
    """The fields of a step's form as the page fills them."""
    form = page.select_one(f"#form-{key} form")
    assert form is not None, f"no form for {key}"
    values = {i["name"]: i.get("value", "") for i in form.select("input")}
    values.update({s["name"]: (s.select_one("option[selected]") or s.select_one("option"))
                   .get("value", "") for s in form.select("select")})
    values.update({t["name"]: t.get_text() for t in form.select("textarea")})
    return values


def test_the_board_is_the_case_managers_home(client: TestClient, case_manager: str,
                                             registered: dict[str, str]) -> None:
    home = client.get("/")
    assert home.url.path == "/cases"
    page = soup(home.text)
    assert page.h1.get_text(strip=True) == "My caseload"
    assert page.select_one("#count-unassigned").get_text(strip=True) == "1"
    (row,) = page.select("#unassigned-list tbody tr")
    assert row["data-case"] == registered["case"]
    assert "Eligibility screening" in row.get_text()
    take = row.select_one("form")
    taken = client.post(take["action"], headers=SAME_ORIGIN, data={
        i["name"]: i.get("value", "") for i in take.select("input")} | {"assigned_to": "me"})
    assert taken.url.path == "/cases"
    page = soup(taken.text)
    assert [r["data-case"] for r in page.select("#my-cases tbody tr")] == [registered["case"]]
    assert page.select("#unassigned-list") == []


def test_a_step_moves_from_the_case_page(client: TestClient, case_manager: str,
                                         registered: dict[str, str]) -> None:
    page = soup(client.get(f"/cases/{registered['case']}").text)
    assert page.select_one("#case-status")["data-status"] == "open"
    steps = [li["id"] for li in page.select("ol.steps > li")]
    assert steps[:3] == ["step-eligibility", "step-disarmament", "step-demobilization"]
    values = step_form(page, "eligibility")
    assert values["status"] == "done"
    # finishing without what the step needs: refused beside its form, nothing saved
    refused = client.post(f"/cases/{registered['case']}/steps/eligibility", headers=HTMX,
                          data=values)
    assert refused.status_code == 422
    fragment = soup(refused.text)
    assert fragment.select_one("#case-body") is not None
    assert fragment.select_one("#form-eligibility").has_attr("open")
    problem = fragment.select_one("#form-eligibility #problem").get_text(" ", strip=True)
    assert "Verified by" in problem
    assert fragment.select_one("#step-eligibility")["data-status"] == "pending"
    saved = client.post(f"/cases/{registered['case']}/steps/eligibility", headers=HTMX, data={
        **values, "data.outcome": "eligible", "data.membership_verification": "witness",
        "data.verified_by": "Site commission", "note": "seen with two witnesses"})
    assert saved.status_code == 200, saved.text
    fragment = soup(saved.text)
    assert fragment.select_one("#case-notice") is not None
    assert fragment.select_one("#step-eligibility")["data-status"] == "done"
    assert "Site commission" in fragment.select_one("#step-eligibility").get_text()
    timeline = fragment.select("#timeline li")
    assert timeline[0]["data-kind"] == "step"
    assert "seen with two witnesses" in timeline[0].get_text()
    # the same (now stale) form again: 409 with what changed since
    stale = client.post(f"/cases/{registered['case']}/steps/eligibility", headers=HTMX,
                        data={**values, "status": "in_progress"})
    assert stale.status_code == 409
    problem = soup(stale.text).select_one("#problem")
    assert problem["data-status"] == "409"
    assert "Eligibility screening" in problem.select_one("ul.changes").get_text()
    # without htmx a save redirects back to the case
    plain = client.post(f"/cases/{registered['case']}/notes", headers=SAME_ORIGIN,
                        data={"text": "called his brother", "version": "2", "csrf_token":
                              values["csrf_token"]}, follow_redirects=False)
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/cases/{registered['case']}?saved=note"


def test_arabic_case_page_and_person_links(client: TestClient, engine: Engine,
                                           registered: dict[str, str]) -> None:
    make_web_user(engine, "cm.ar", role="case_manager", sites=["TRP"], language="ar")
    web_login(client, "cm.ar")
    page = soup(client.get(f"/cases/{registered['case']}").text)
    assert page.html["dir"] == "rtl"
    assert page.select_one("#steps-title").get_text(strip=True) == "الخطوات"
    assert "فحص الأهلية" in page.select_one("#step-eligibility").get_text()
    person = soup(client.get(f"/persons/{registered['person']}").text)
    (link,) = person.select("#person-cases a.case-link")
    assert link["href"] == f"/cases/{registered['case']}"


def test_child_case_is_not_found_for_an_ordinary_case_manager(
        client: TestClient, engine: Engine, app: Any, case_manager: str) -> None:
    with session_scope(engine) as session:
        enrolled = make_registration(session, app.state.crypto, category="child",
                                     date_of_birth="2011-04-01", national_id=None)
        child_case = str(person_case(session, enrolled.person.id, "child").id)
    assert client.get(f"/cases/{child_case}").status_code == 404
    person = soup(client.get(f"/persons/{enrolled.person.id}").text)
    assert person.select("#person-cases a") == []
    make_web_user(engine, "cm.children", role="case_manager", sites=["TRP"],
                  authorisations=["children"])
    web_login(client, "cm.children")
    page = soup(client.get(f"/cases/{child_case}").text)
    assert page.select_one("#step-release") is not None


def test_workload_and_reassignment(client: TestClient, engine: Engine,
                                   registered: dict[str, str]) -> None:
    make_web_user(engine, "cm.one", role="case_manager", sites=["TRP"])
    make_web_user(engine, "cm.two", role="case_manager", sites=["TRP"])
    web_login(client, "cm.one")
    assert client.get("/cases/workload").status_code == 403
    make_web_user(engine, "boss", role="supervisor", sites=["TRP"])
    web_login(client, "boss")
    page = soup(client.get("/cases/workload").text)
    assert page.select_one("#workload-unassigned").get_text(strip=True) == "1"
    listing = soup(client.get("/cases/list?assigned_to=none").text)
    form = listing.select_one(f"tr[data-case='{registered['case']}'] form.reassign")
    options = {o.get_text(strip=True): o["value"] for o in form.select("option") if o["value"]}
    assert {"cm.one", "cm.two", "boss"} <= set(options)
    moved = client.post(form["action"], headers=SAME_ORIGIN, data={
        **{i["name"]: i.get("value", "") for i in form.select("input")},
        "assigned_to": options["cm.two"]})
    assert moved.url.path == "/cases/list"
    page = soup(client.get("/cases/workload").text)
    row = page.select_one("tr[data-user='cm.two']")
    assert [td.get_text(strip=True) for td in row.select("td.num")][0] == "1"


def test_administrators_keep_the_provider_directory(client: TestClient, engine: Engine,
                                                     case_manager: str) -> None:
    assert client.get("/providers").status_code == 403
    make_web_user(engine, "root", role="admin", sites=["*"])
    csrf = web_login(client, "root")
    added = client.post("/providers", headers=SAME_ORIGIN, data={
        "csrf_token": csrf, "name": "Zawiya training centre",
        "services": ["vocational_training", "education"], "site": "ZAW",
        "contact": "Ms Huda"})
    page = soup(added.text)
    (row,) = page.select("#providers tbody tr")
    assert "Zawiya training centre" in row.get_text()
    assert "Vocational training, Education" in row.get_text()
    refused = client.post("/providers", headers=SAME_ORIGIN, data={
        "csrf_token": csrf, "name": "No services"})
    assert refused.status_code == 422
    assert soup(refused.text).select_one("#problem") is not None


def test_an_administrator_authorises_a_case_manager_for_children(
        client: TestClient, engine: Engine, app: Any) -> None:
    seed_reference(engine)
    with session_scope(engine) as session:
        enrolled = make_registration(session, app.state.crypto, category="child",
                                     date_of_birth="2011-04-01", national_id=None)
        child_case = str(person_case(session, enrolled.person.id, "child").id)
    make_web_user(engine, "cm.later", role="case_manager", sites=["TRP"])
    make_web_user(engine, "root2", role="admin", sites=["*"])
    csrf = web_login(client, "root2")
    users_page = soup(client.get("/admin/users").text)
    link = next(a["href"] for a in users_page.select("a[href^='/admin/users/']")
                if a.get_text(strip=True) == "cm.later")
    page = soup(client.get(link).text)
    assert page.select_one("#f-authorise-children").has_attr("checked") is False
    saved = client.post(f"{link}/authorisations", headers=SAME_ORIGIN,
                        data={"csrf_token": csrf, "authorisations": ["children"]})
    assert soup(saved.text).select_one("#f-authorise-children").has_attr("checked")
    web_login(client, "cm.later")
    assert client.get(f"/cases/{child_case}").status_code == 200


def test_the_timeline_gives_planned_instalments_readable_dates(
        client: TestClient, engine: Engine, app: Any, registered: dict[str, str],
        case_manager: str) -> None:
    with session_scope(engine) as session:
        case = session.get(Case, uuid.UUID(registered["case"]))
        assert case is not None
        plan_instalments(session=session, crypto=app.state.crypto, actor=SYSTEM,
                         case_id=case.id, body=InstalmentsIn(instalments=[InstalmentIn(
                             number=1, amount=Decimal("150"), due_on=date(2027, 1, 5))],
                             version=case.version))
    facts = [f.get_text(" ", strip=True)
             for f in soup(client.get(f"/cases/{registered['case']}").text).select(".fact")]
    planned = [f for f in facts if f.startswith("1:")]
    assert planned, facts
    assert "5 Jan 2027" in planned[0]
    assert "2027-01-05" not in planned[0]
