"""The weapons pages, parsed: custody list and filters, a weapon's history, the transfer form
and the receiver's confirmation, destruction and its certificate, reconciliation, stock
counts, ammunition and tracing lists."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import PASSWORD, user_headers
from tests.weapons.helpers import DEPOT, add_depot, register_with_weapons, send, settle, weapon_ids
from tests.web.helpers import csrf_from, make_web_user, soup

SAME_ORIGIN = {"Origin": "http://testserver"}


def web_as(client: TestClient, engine: Engine, username: str, role: str,
           sites: list[str]) -> str:
    """Sign in through the form (English) as a new user; the page's CSRF token."""
    make_web_user(engine, username, role=role, sites=sites, language="en")
    client.cookies.clear()
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf_from(page.text)},
                           headers=SAME_ORIGIN)
    assert response.status_code == 200, response.text
    return csrf_from(response.text)


def stored_weapons(client: TestClient, engine: Engine, count: int = 2) -> list[str]:
    """Weapons handed in at TRP and taken into storage there."""
    add_depot(engine)
    registrar = user_headers(client, engine, "registration_officer", ["TRP"])
    keeper = user_headers(client, engine, "weapons_officer", ["TRP"])
    registration = register_with_weapons(client, registrar,
                                         [f"PG-{uuid.uuid4().hex[:6]}" for _ in range(count)])
    ids = weapon_ids(client, registrar, registration["id"])
    settle(client, keeper, send(client, registrar, ids, "in_storage", "TRP")["id"])
    return ids


def post(client: TestClient, url: str, csrf: str, data: dict[str, Any] | list[Any]) -> Any:
    """A form post from our own page."""
    fields: dict[str, list[str]] = {"csrf_token": [csrf]}
    for key, value in (data.items() if isinstance(data, dict) else data):
        fields.setdefault(key, []).append(value)
    return client.post(url, data=fields, headers=SAME_ORIGIN)


def test_custody_list_filters_and_history(client: TestClient, engine: Engine) -> None:
    first, second = stored_weapons(client, engine)
    web_as(client, engine, "wo.list", "weapons_officer", ["TRP"])
    page = soup(client.get("/weapons").text)
    rows = page.select("#weapons tbody tr")
    assert {r["data-weapon"] for r in rows} == {first, second}
    assert all(r["data-status"] == "in_storage" for r in rows)
    assert page.select_one("#weapon-total").get_text(strip=True) == "2 weapons"
    none = soup(client.get("/weapons?status=destroyed", headers={"HX-Request": "true"}).text)
    assert none.select_one("#no-weapons") is not None
    assert none.select_one("html body header") is None  # a fragment, not a page
    bad = soup(client.get("/weapons?since=31-12-2026").text)
    assert bad.select_one("#w-since")["aria-invalid"] == "true"
    detail = soup(client.get(f"/weapons/{first}").text)
    assert detail.select_one("#custody-status")["data-status"] == "in_storage"
    assert [li["data-event"] for li in detail.select("#history li")] == ["handover", "transfer"]
    assert detail.select_one("#serial").get_text(strip=True).startswith("PG")



def test_transfer_form_send_and_receivers_confirmation(client: TestClient,
                                                       engine: Engine) -> None:
    first, second = stored_weapons(client, engine)
    csrf = web_as(client, engine, "wo.sender", "weapons_officer", ["TRP"])
    form = soup(post(client, "/weapons/batch", csrf, [("weapons", first), ("weapons", second),
                                                      ("action", "transfer")]).text)
    assert {r["data-item"] for r in form.select("#batch-items tbody tr")} == {first, second}
    transfer_id = form.select_one("#transfer-form input[name=id]")["value"]
    fields = [("id", transfer_id), ("weapons", first), ("weapons", second),
              ("to_status", "in_depot"), ("to_site", DEPOT), ("seal_numbers", "S-1, S-2")]
    missing_site = post(client, "/weapons/transfers", csrf,
                        [f for f in fields if f[0] != "to_site"])
    assert missing_site.status_code == 422
    assert soup(missing_site.text).select_one("#e-to_site").get_text(strip=True) == "required"
    sent = post(client, "/weapons/transfers", csrf, fields)
    assert sent.status_code == 200, sent.text  # followed to the transfer's page
    page = soup(sent.text)
    assert page.select_one("#transfer")["data-status"] == "pending"
    assert page.select_one("#seals").get_text(strip=True) == "S-1, S-2"
    assert page.select_one("#confirm-transfer") is None  # the sender cannot confirm
    assert page.select_one("#withdraw-transfer") is not None
    assert soup(client.get(f"/weapons/{first}").text).select_one(
        "#custody-status")["data-status"] == "in_storage"

    csrf = web_as(client, engine, "wo.depot", "weapons_officer", [DEPOT])
    inbox = soup(client.get("/weapons/transfers").text)
    assert [r["data-transfer"] for r in inbox.select("#transfers tbody tr")] == [transfer_id]
    refused = post(client, f"/weapons/transfers/{transfer_id}/outcome", csrf,
                   {"outcome": "refused"})
    assert refused.status_code == 422
    assert soup(refused.text).select_one("#e-note").get_text(strip=True) == "say why"
    confirmed = post(client, f"/weapons/transfers/{transfer_id}/outcome", csrf,
                     {"outcome": "confirmed", "seals_intact": "yes"})
    assert soup(confirmed.text).select_one("#transfer")["data-status"] == "confirmed"
    detail = soup(client.get(f"/weapons/{second}").text)
    assert detail.select_one("#custody-status")["data-status"] == "in_depot"
    assert detail.select_one("#location").get_text(strip=True) == DEPOT


def test_destruction_form_certificate_and_refused_move(client: TestClient,
                                                       engine: Engine) -> None:
    first, second = stored_weapons(client, engine)
    csrf = web_as(client, engine, "wo.destroy", "weapons_officer", ["TRP"])
    form = soup(post(client, "/weapons/batch", csrf, [("weapons", first), ("weapons", second),
                                                      ("action", "destroy")]).text)
    event_id = form.select_one("#destruction-form input[name=id]")["value"]
    fields = {"id": event_id, "site": "TRP", "destroyed_on": date.today().isoformat(),
              "method": "crushing", "place": "TRP yard", "authorised_by": "Col. Salem"}
    no_witness = post(client, "/weapons/destructions", csrf,
                      [*fields.items(), ("weapons", first), ("weapons", second)])
    assert no_witness.status_code == 422
    assert soup(no_witness.text).select_one("#e-witnesses") is not None
    assert soup(client.get(f"/weapons/{first}").text).select_one(
        "#custody-status")["data-status"] == "in_storage"  # nothing written
    recorded = post(client, "/weapons/destructions", csrf,
                    [*fields.items(), ("weapons", first), ("weapons", second),
                     ("witness-0-name", "Observer One"), ("witness-0-role", "UNSMIL")])
    page = soup(recorded.text)
    assert page.select_one("#certificate-number").get_text(strip=True).startswith("DES-TRP-")
    assert len(page.select("#destroyed-items tbody tr")) == 2
    pdf = client.get(page.select_one("#certificate")["href"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    again = post(client, "/weapons/transfers", csrf, [
        ("id", str(uuid.uuid4())), ("weapons", first), ("to_status", "in_storage"),
        ("to_site", "TRP")])
    assert again.status_code == 422
    problem = soup(again.text).select_one("#form-problems").get_text(" ", strip=True)
    assert "a destroyed item cannot move" in problem


def test_reconciliation_count_ammunition_and_tracing_pages(client: TestClient,
                                                           engine: Engine) -> None:
    first, second = stored_weapons(client, engine)
    csrf = web_as(client, engine, "wo.count", "weapons_officer", ["TRP"])
    receipt = soup(client.get(f"/weapons/{first}").text).select_one("h1 bdi").get_text(
        strip=True)
    counted = soup(post(client, "/weapons/stock-counts", csrf, {
        "id": str(uuid.uuid4()), "site": "TRP", "lines": f"{receipt}\nNOT-A-SERIAL-9"}).text)
    result = counted.select_one("#count-result")
    assert (result["data-missing"], result["data-unexpected"]) == ("1", "1")
    assert {r["data-result"] for r in counted.select("#differences tbody tr")} == {
        "missing", "unexpected"}
    report = soup(client.get("/weapons/reconciliation").text)
    row = report.select_one("#reconciliation tr[data-site=TRP]")
    assert row.select_one(".handed_in").get_text(strip=True) == "2"
    assert row.select_one(".in_storage").get_text(strip=True) == "2"
    assert row.select_one(".held").get_text(strip=True) == "2"
    kinds = {li["data-kind"] for li in report.select("#site-TRP .discrepancy-list li")}
    assert kinds == {"count_missing", "count_unexpected"}

    lot = post(client, "/weapons/ammunition", csrf, {
        "id": str(uuid.uuid4()), "site": "TRP", "category": "small_arms",
        "calibre": "7.62x39", "quantity": "0", "condition": "serviceable",
        "handed_in_on": date.today().isoformat()})
    assert lot.status_code == 422
    assert soup(lot.text).select_one("#e-quantity") is not None
    lot = post(client, "/weapons/ammunition", csrf, {
        "id": str(uuid.uuid4()), "site": "TRP", "category": "grenade", "calibre": "F1",
        "quantity": "12", "condition": "unsafe", "handed_in_on": date.today().isoformat()})
    rows = soup(lot.text).select("#lots tbody tr")
    assert [r["data-status"] for r in rows] == ["collected"]

    assert client.get("/weapons/tracing").status_code == 403  # administrators only
    csrf = web_as(client, engine, "admin.tracing", "admin", [])
    serial = soup(client.get(f"/weapons/{second}").text).select_one("#serial").get_text(
        strip=True)
    uploaded = soup(post(client, "/weapons/tracing", csrf, {
        "id": str(uuid.uuid4()), "name": "Stolen from armoury 7", "source": "MoD letter",
        "serials": f"{serial}\nZZ-000"}).text)
    assert "2 serial numbers, 1 weapons handed in" in uploaded.select_one(
        "#uploaded").get_text(" ", strip=True)
    assert soup(client.get(f"/weapons/{second}").text).select_one("#traced") is not None


def test_roles_and_sites_on_weapons_pages(client: TestClient, engine: Engine) -> None:
    first, _second = stored_weapons(client, engine)
    web_as(client, engine, "committee.w", "committee", [])
    assert client.get("/weapons").status_code == 403
    web_as(client, engine, "wo.ben", "weapons_officer", ["BEN"])
    assert client.get(f"/weapons/{first}").status_code == 404
    listed = soup(client.get("/weapons").text)
    assert listed.select_one("#no-weapons") is not None
    assert listed.select_one('nav.subnav a[href="/weapons/stock-counts/new"]') is not None
    web_as(client, engine, "ro.trp", "registration_officer", ["TRP"])  # reads, does not count
    assert client.get("/weapons").status_code == 200
    assert soup(client.get("/weapons").text).select_one(
        'nav.subnav a[href="/weapons/stock-counts/new"]') is None
    assert client.get("/weapons/stock-counts/new").status_code == 403
    web_as(client, engine, "auditor.w", "auditor", [])
    assert client.get("/weapons/reconciliation").status_code == 200
    assert client.get(f"/weapons/{first}").status_code == 403
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 200
    web_as(client, engine, "wo.home", "weapons_officer", ["TRP"])
    assert client.get("/", follow_redirects=False).headers["location"] == "/weapons"


NOT_READERS = ("case_manager", "committee", "auditor")
NOT_OFFICERS = ("registration_officer", "supervisor", *NOT_READERS)
NOT_ADMINS = ("weapons_officer", *NOT_OFFICERS)
WEAPON_FORMS = {
    "batch": ("/weapons/batch", NOT_READERS),
    "transfer": ("/weapons/transfers", NOT_READERS),
    "outcome": (f"/weapons/transfers/{uuid.uuid4()}/outcome", NOT_READERS),
    "destruction": ("/weapons/destructions", NOT_OFFICERS),
    "stock-count": ("/weapons/stock-counts", NOT_OFFICERS),
    "ammunition": ("/weapons/ammunition", NOT_READERS),
    "tracing": ("/weapons/tracing", NOT_ADMINS),
}
"""Each weapons form and the roles that may not use it."""
INVALID = {"id": "not-an-id", "action": "destroy", "weapons": "not-an-id", "site": "",
           "outcome": "maybe", "destroyed_on": "soon", "quantity": "-1", "lines": "",
           "name": ""}
"""A form no weapons route accepts."""


@pytest.mark.parametrize(("url", "roles"), list(WEAPON_FORMS.values()), ids=list(WEAPON_FORMS))
def test_a_role_without_the_right_is_refused_before_the_form_is_checked(
        client: TestClient, engine: Engine, url: str, roles: tuple[str, ...]) -> None:
    for role in roles:
        csrf = web_as(client, engine, f"{role}.forms", role, ["TRP"])
        response = post(client, url, csrf, INVALID)
        assert response.status_code == 403, f"{role}: {response.status_code}"
        assert soup(response.text).select(".field-error") == [], role
