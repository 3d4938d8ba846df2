"""Every API endpoint × every role and site: who may do what, and what others get."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine

from app.core.models import utcnow
from app.users.models import ApiToken
from matching import RECORD_COLUMNS
from tests.factories import registration_body, user_headers

ACTORS = ("anonymous", "admin", "officer_trp", "officer_ben", "supervisor_trp",
          "case_manager_trp", "committee", "auditor", "weapons_trp")
ROLES = {"admin": ("admin", None), "officer_trp": ("registration_officer", ["TRP"]),
         "officer_ben": ("registration_officer", ["BEN"]),
         "supervisor_trp": ("supervisor", ["TRP"]),
         "case_manager_trp": ("case_manager", ["TRP"]), "committee": ("committee", None),
         "auditor": ("auditor", None), "weapons_trp": ("weapons_officer", ["TRP"])}
_counter = itertools.count()


def expect(default: int, **special: int) -> dict[str, int]:
    """Expected status per actor: anonymous 401, `default` unless named; a site supervisor
    may do whatever an officer of the site may, unless named."""
    if "officer_trp" in special:
        special.setdefault("supervisor_trp", special["officer_trp"])
    return {"anonymous": 401, **dict.fromkeys(ACTORS[1:], default), **special}


ADMIN_ONLY = expect(403, admin=200)
READ_PII = expect(200, officer_ben=404, committee=403, auditor=403, weapons_trp=403)
NO_PII = {"committee": 403, "auditor": 403, "weapons_trp": 403}
# weapons custody: readers see their sites' records, officers move and destroy
WEAPONS_READ = expect(200, officer_ben=404, case_manager_trp=403, committee=403, auditor=403)
WEAPONS_LIST = expect(200, case_manager_trp=403, committee=403, auditor=403)
WEAPONS_OFFICERS = expect(403, admin=201, weapons_trp=201)
CASE_WORK = expect(403, admin=200, supervisor_trp=200, case_manager_trp=200)
STALE_CASE = expect(403, admin=409, supervisor_trp=409, case_manager_trp=409)
"""Changes to a case at a stale version: case workers reach the version check (409)."""
# an import is seen by its importer (officer_trp here) and administrators
IMPORT_READ = expect(404, admin=200, officer_trp=200, supervisor_trp=404, case_manager_trp=403,
                     committee=403, auditor=403, weapons_trp=403)
EMPTY_IMPORT = ",".join(RECORD_COLUMNS).encode() + b"\n"

# (method, route path) -> (request builder, expected statuses)
Build = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]
MATRIX: dict[tuple[str, str], tuple[Build, dict[str, int]]] = {
    ("GET", "/api/v1/auth/me"): (lambda c: ("/api/v1/auth/me", {}), expect(200)),
    ("POST", "/api/v1/auth/revoke"): (lambda c: ("/api/v1/auth/revoke", {}), expect(204)),
    ("POST", "/api/v1/registrations"): (
        lambda c: ("/api/v1/registrations", {"json": registration_body()}),
        expect(403, admin=201, officer_trp=201)),
    ("GET", "/api/v1/registrations/{registration_id}"): (
        lambda c: (f"/api/v1/registrations/{c['rid']}", {}), READ_PII),
    ("POST", "/api/v1/registrations/search"): (
        lambda c: ("/api/v1/registrations/search", {"json": {"registration_number": c["num"]}}),
        expect(200, **NO_PII)),
    ("POST", "/api/v1/registrations/{registration_id}/corrections"): (
        lambda c: (f"/api/v1/registrations/{c['rid']}/corrections",
                   {"json": {"changes": {"notes": f"note {next(_counter)}"},
                             "reason": "matrix test"}}), READ_PII),
    ("POST", "/api/v1/registrations/{registration_id}/weapons"): (
        lambda c: (f"/api/v1/registrations/{c['rid']}/weapons",
                   {"json": {"weapon_type": "rifle", "serial_number": f"S{next(_counter)}"}}),
        expect(201, officer_ben=404, **NO_PII)),
    ("GET", "/api/v1/persons/{person_id}"): (
        lambda c: (f"/api/v1/persons/{c['pid']}", {}), READ_PII),
    ("POST", "/api/v1/matching/candidates"): (
        lambda c: ("/api/v1/matching/candidates",
                   {"json": {"given_name": "Mohamed", "family_name": "Warfalli",
                             "date_of_birth": "1988"}}),
        expect(200, **NO_PII)),
    ("POST", "/api/v1/matching/candidates/{registration_id}/view"): (
        lambda c: (f"/api/v1/matching/candidates/{c['rid']}/view",
                   {"json": {"draft_id": "6b0f4a52-8d2e-4f7b-9a61-2b8e4c0d7a15"}}), READ_PII),
    ("GET", "/api/v1/persons/{person_id}/subject-access"): (
        lambda c: (f"/api/v1/persons/{c['pid']}/subject-access", {}), ADMIN_ONLY),
    ("GET", "/api/v1/audit/persons/{person_id}"): (
        lambda c: (f"/api/v1/audit/persons/{c['pid']}", {}), expect(403, admin=200,
                                                                     auditor=200)),
    ("GET", "/api/v1/sites"): (lambda c: ("/api/v1/sites", {}), expect(200)),
    ("POST", "/api/v1/sites"): (
        lambda c: ("/api/v1/sites", {"json": {"code": "GHD", "name_en": "Gharyan",
                                              "name_ar": "غريان"}}),
        expect(403, admin=201)),
    ("PATCH", "/api/v1/sites/{code}"): (
        lambda c: ("/api/v1/sites/SRT", {"json": {"region": "Centre"}}), ADMIN_ONLY),
    ("GET", "/api/v1/armed-groups"): (lambda c: ("/api/v1/armed-groups", {}), expect(200)),
    ("POST", "/api/v1/armed-groups"): (
        lambda c: ("/api/v1/armed-groups", {"json": {"code": "NEW", "name_en": "New",
                                                     "name_ar": "جديد"}}),
        expect(403, admin=201)),
    ("PATCH", "/api/v1/armed-groups/{group_id}"): (
        lambda c: (f"/api/v1/armed-groups/{c['gid']}", {"json": {"aliases": ["TPF"]}}),
        ADMIN_ONLY),
    ("GET", "/api/v1/users"): (lambda c: ("/api/v1/users", {}), ADMIN_ONLY),
    ("POST", "/api/v1/users"): (
        lambda c: ("/api/v1/users", {"json": {"username": f"u{next(_counter)}",
                                              "password": "long enough pw",
                                              "role": "committee"}}),
        expect(403, admin=201)),
    # a wrong current password: every signed-in user reaches that check, nothing changes
    ("POST", "/api/v1/auth/password"): (
        lambda c: ("/api/v1/auth/password", {"json": {"current_password": "not the one",
                                                      "new_password": "Zawiya-sunrise-41"}}),
        expect(422)),
    ("POST", "/api/v1/users/{user_id}/unlock"): (
        lambda c: (f"/api/v1/users/{c['uid']}/unlock", {}), ADMIN_ONLY),
    ("PATCH", "/api/v1/users/{user_id}"): (
        lambda c: (f"/api/v1/users/{c['uid']}", {"json": {"language": "en"}}), ADMIN_ONLY),
    ("GET", "/api/v1/audit"): (lambda c: ("/api/v1/audit", {}), expect(403, admin=200,
                                                                        auditor=200)),
    ("GET", "/api/v1/matching/pairs"): (
        lambda c: ("/api/v1/matching/pairs", {"params": {"site": "TRP"}}),
        expect(200, **NO_PII)),
    ("GET", "/api/v1/matching/pairs/{pair_id}"): (
        lambda c: (f"/api/v1/matching/pairs/{c['pair']}", {}), READ_PII),
    # a stale version: allowed reviewers reach the conflict check (409), others never do
    ("POST", "/api/v1/matching/pairs/{pair_id}/decision"): (
        lambda c: (f"/api/v1/matching/pairs/{c['pair']}/decision",
                   {"json": {"decision": "different_persons", "version": 99}}),
        expect(409, officer_ben=404, **NO_PII)),
    ("POST", "/api/v1/matching/pairs/{pair_id}/undo"): (
        lambda c: (f"/api/v1/matching/pairs/{c['pair']}/undo", {"json": {"reason": "matrix"}}),
        expect(409, officer_ben=404, **NO_PII)),
    ("GET", "/api/v1/matching/signals"): (
        lambda c: ("/api/v1/matching/signals", {}), expect(200, **NO_PII)),
    ("POST", "/api/v1/matching/signals/{signal_id}/decision"): (
        lambda c: (f"/api/v1/matching/signals/{c['signal']}/decision",
                   {"json": {"status": "cleared", "reason": "matrix test"}}), READ_PII),
    ("GET", "/api/v1/pathways"): (lambda c: ("/api/v1/pathways", {}), expect(200)),
    ("GET", "/api/v1/cases/board"): (lambda c: ("/api/v1/cases/board", {}), CASE_WORK),
    ("GET", "/api/v1/cases/workload"): (
        lambda c: ("/api/v1/cases/workload", {}), expect(403, admin=200, supervisor_trp=200)),
    ("GET", "/api/v1/cases"): (lambda c: ("/api/v1/cases", {}), CASE_WORK),
    ("GET", "/api/v1/cases/{case_id}"): (lambda c: (f"/api/v1/cases/{c['case']}", {}),
                                         CASE_WORK),
    ("POST", "/api/v1/cases/{case_id}/steps/{step_key}"): (
        lambda c: (f"/api/v1/cases/{c['case']}/steps/eligibility",
                   {"json": {"status": "in_progress", "version": 99}}), STALE_CASE),
    ("POST", "/api/v1/cases/{case_id}/assignment"): (
        lambda c: (f"/api/v1/cases/{c['case']}/assignment",
                   {"json": {"assigned_to": None, "version": 99}}), STALE_CASE),
    ("POST", "/api/v1/cases/{case_id}/notes"): (
        lambda c: (f"/api/v1/cases/{c['case']}/notes",
                   {"json": {"text": "matrix", "version": 99}}), STALE_CASE),
    ("POST", "/api/v1/cases/{case_id}/status"): (
        lambda c: (f"/api/v1/cases/{c['case']}/status",
                   {"json": {"status": "suspended", "version": 99}}), STALE_CASE),
    ("PUT", "/api/v1/cases/{case_id}/instalments"): (
        lambda c: (f"/api/v1/cases/{c['case']}/instalments",
                   {"json": {"instalments": [], "version": 99}}), STALE_CASE),
    ("POST", "/api/v1/cases/{case_id}/payments"): (
        lambda c: (f"/api/v1/cases/{c['case']}/payments",
                   {"json": {"instalment": 1, "amount": "500", "paid_on": "2026-01-01",
                             "method": "cash", "version": 99}}), STALE_CASE),
    ("POST", "/api/v1/cases/{case_id}/referrals"): (
        lambda c: (f"/api/v1/cases/{c['case']}/referrals",
                   {"json": {"provider_id": c["provider"], "service": "vocational_training",
                             "version": 99}}), STALE_CASE),
    ("POST", "/api/v1/cases/{case_id}/referrals/{referral_id}"): (
        lambda c: (f"/api/v1/cases/{c['case']}/referrals/{c['referral']}",
                   {"json": {"status": "accepted", "version": 99}}), STALE_CASE),
    ("GET", "/api/v1/service-providers"): (lambda c: ("/api/v1/service-providers", {}),
                                           CASE_WORK),
    ("POST", "/api/v1/service-providers"): (
        lambda c: ("/api/v1/service-providers",
                   {"json": {"name": f"Provider {next(_counter)}", "services": ["legal"]}}),
        expect(403, admin=201)),
    ("PATCH", "/api/v1/service-providers/{provider_id}"): (
        lambda c: (f"/api/v1/service-providers/{c['provider']}", {"json": {"location": "x"}}),
        ADMIN_ONLY),
    ("GET", "/api/v1/matching/models"): (lambda c: ("/api/v1/matching/models", {}), ADMIN_ONLY),
    ("POST", "/api/v1/imports"): (
        lambda c: ("/api/v1/imports", {"files": {"file": ("empty.csv", EMPTY_IMPORT)},
                                       "data": {"site": "TRP"}}),
        expect(403, admin=202, officer_trp=202)),  # officer_ben: TRP is not their site
    ("GET", "/api/v1/imports"): (
        lambda c: ("/api/v1/imports", {}),
        expect(403, admin=200, officer_trp=200, officer_ben=200)),
    ("GET", "/api/v1/imports/{job_id}"): (
        lambda c: (f"/api/v1/imports/{c['import']}", {}), IMPORT_READ),
    ("GET", "/api/v1/imports/{job_id}/rejects"): (
        lambda c: (f"/api/v1/imports/{c['import']}/rejects", {}), IMPORT_READ),
    ("POST", "/api/v1/matching/models/{version}/activate"): (
        lambda c: ("/api/v1/matching/models/configured/activate", {}), expect(403, admin=204)),
    ("GET", "/api/v1/weapons"): (lambda c: ("/api/v1/weapons", {}), WEAPONS_LIST),
    ("GET", "/api/v1/weapons/{weapon_id}"): (
        lambda c: (f"/api/v1/weapons/{c['weapon']}", {}), WEAPONS_READ),
    ("GET", "/api/v1/weapons/reconciliation"): (
        lambda c: ("/api/v1/weapons/reconciliation", {}),
        expect(403, admin=200, supervisor_trp=200, auditor=200, weapons_trp=200)),
    # the weapon waits in a pending transfer: allowed senders reach that conflict
    ("POST", "/api/v1/weapons/transfers"): (
        lambda c: ("/api/v1/weapons/transfers", {"json": {
            "id": str(uuid.uuid4()), "weapons": [c["weapon"]], "to_status": "in_storage",
            "to_site": "TRP"}}),
        expect(409, officer_ben=404, case_manager_trp=403, committee=403, auditor=403)),
    ("GET", "/api/v1/weapons/transfers"): (lambda c: ("/api/v1/weapons/transfers", {}),
                                           WEAPONS_LIST),
    ("GET", "/api/v1/weapons/transfers/{transfer_id}"): (
        lambda c: (f"/api/v1/weapons/transfers/{c['transfer']}", {}), WEAPONS_READ),
    # a refusal without its reason: receivers reach that check (422); the sender may not
    ("POST", "/api/v1/weapons/transfers/{transfer_id}/outcome"): (
        lambda c: (f"/api/v1/weapons/transfers/{c['transfer']}/outcome",
                   {"json": {"outcome": "refused"}}),
        expect(403, admin=422, weapons_trp=422, officer_ben=404)),
    ("POST", "/api/v1/weapons/ammunition"): (
        lambda c: ("/api/v1/weapons/ammunition", {"json": {
            "id": str(uuid.uuid4()), "site": "TRP", "category": "small_arms",
            "calibre": "7.62x39", "quantity": 30}}),
        expect(201, case_manager_trp=403, committee=403, auditor=403, officer_ben=403)),
    ("GET", "/api/v1/weapons/ammunition"): (lambda c: ("/api/v1/weapons/ammunition", {}),
                                            WEAPONS_LIST),
    # the weapon waits in a pending transfer: officers reach that conflict
    ("POST", "/api/v1/weapons/destructions"): (
        lambda c: ("/api/v1/weapons/destructions", {"json": {
            "id": str(uuid.uuid4()), "site": "TRP", "destroyed_on": "2026-01-02",
            "method": "cutting", "place": "yard", "authorised_by": "Col. A",
            "witnesses": [{"name": "Observer"}], "weapons": [c["weapon"]]}}),
        expect(403, admin=409, weapons_trp=409)),
    ("GET", "/api/v1/weapons/destructions/{destruction_id}"): (
        lambda c: (f"/api/v1/weapons/destructions/{c['destruction']}", {}), WEAPONS_READ),
    ("GET", "/api/v1/weapons/destructions/{destruction_id}/certificate"): (
        lambda c: (f"/api/v1/weapons/destructions/{c['destruction']}/certificate", {}),
        WEAPONS_READ),
    ("POST", "/api/v1/weapons/stock-counts"): (
        lambda c: ("/api/v1/weapons/stock-counts", {"json": {
            "id": str(uuid.uuid4()), "site": "TRP", "lines": ["AK-MATRIX-1"]}}),
        WEAPONS_OFFICERS),
    ("GET", "/api/v1/weapons/stock-counts/{count_id}"): (
        lambda c: (f"/api/v1/weapons/stock-counts/{c['count']}", {}), WEAPONS_READ),
    ("POST", "/api/v1/weapons/tracing-lists"): (
        lambda c: ("/api/v1/weapons/tracing-lists", {"json": {
            "id": str(uuid.uuid4()), "name": "matrix", "serials": ["NOT-HANDED-IN"]}}),
        expect(403, admin=201)),
    ("GET", "/api/v1/weapons/tracing-lists"): (lambda c: ("/api/v1/weapons/tracing-lists", {}),
                                               ADMIN_ONLY),
    # aggregates with small counts suppressed: every role, the committee's own
    ("GET", "/api/v1/stats"): (lambda c: ("/api/v1/stats", {}), expect(200)),
    ("GET", "/api/v1/stats/headline"): (lambda c: ("/api/v1/stats/headline", {}), expect(200)),
    ("GET", "/api/v1/stats/tables/{name}"): (
        lambda c: ("/api/v1/stats/tables/registrations_by_site", {"params": {"site": "TRP"}}),
        expect(200)),
    ("GET", "/api/v1/stats/export"): (
        lambda c: ("/api/v1/stats/export", {"params": {"format": "csv"}}), expect(200)),
    ("PUT", "/api/v1/stats/threshold"): (
        lambda c: ("/api/v1/stats/threshold", {"json": {"threshold": 5}}), ADMIN_ONLY),
    # individual records leave only with every safeguard, for case managers of the site
    ("POST", "/api/v1/exports/individual"): (
        lambda c: ("/api/v1/exports/individual", {"json": {
            "site": "TRP", "fields": ["registration_number", "given_name"],
            "purpose": "authorization matrix test", "passphrase": "a long passphrase here",
            "expires_on": (date.today() + timedelta(days=7)).isoformat()}}),
        expect(403, admin=200, case_manager_trp=200)),
    # returns: the board for case workers (their sites; coordinators every site), movements
    # and manifests for returns coordinators and administrators
    ("GET", "/api/v1/returns/board"): (lambda c: ("/api/v1/returns/board", {}), CASE_WORK),
    ("GET", "/api/v1/returns/board/details"): (
        lambda c: ("/api/v1/returns/board/details", {}), CASE_WORK),
    ("GET", "/api/v1/returns/countries"): (lambda c: ("/api/v1/returns/countries", {}),
                                           CASE_WORK),
    ("POST", "/api/v1/returns/cases/by-document"): (
        lambda c: ("/api/v1/returns/cases/by-document", {"json": {"number": "LP-0042"}}),
        CASE_WORK),
    ("GET", "/api/v1/returns/countries/{code}"): (
        lambda c: ("/api/v1/returns/countries/TCD", {}), CASE_WORK),
    ("PUT", "/api/v1/returns/countries/{code}"): (
        lambda c: ("/api/v1/returns/countries/NER", {"json": {"receiving_authority": "HACP"}}),
        ADMIN_ONLY),
    ("GET", "/api/v1/returns/movements"): (lambda c: ("/api/v1/returns/movements", {}),
                                           ADMIN_ONLY),
    ("POST", "/api/v1/returns/movements"): (
        lambda c: ("/api/v1/returns/movements", {"json": {
            "id": str(uuid.uuid4()), "country": "TCD", "kind": "convoy", "route": "Wour",
            "planned_on": "2099-01-01", "capacity": 10}}), expect(403, admin=201)),
    ("GET", "/api/v1/returns/movements/{movement_id}"): (
        lambda c: (f"/api/v1/returns/movements/{c['movement']}", {}), ADMIN_ONLY),
    ("GET", "/api/v1/returns/movements/{movement_id}/candidates"): (
        lambda c: (f"/api/v1/returns/movements/{c['movement']}/candidates", {}), ADMIN_ONLY),
    ("POST", "/api/v1/returns/movements/{movement_id}/returnees"): (
        lambda c: (f"/api/v1/returns/movements/{c['movement']}/returnees",
                   {"json": {"cases": [c["case"]], "version": 99}}), expect(403, admin=409)),
    ("DELETE", "/api/v1/returns/movements/{movement_id}/returnees/{case_id}"): (
        lambda c: (f"/api/v1/returns/movements/{c['movement']}/returnees/{c['case']}",
                   {"params": {"version": 1}}), expect(403, admin=404)),
    ("POST", "/api/v1/returns/movements/{movement_id}/status"): (
        lambda c: (f"/api/v1/returns/movements/{c['movement']}/status",
                   {"json": {"status": "confirmed", "version": 99}}), expect(403, admin=409)),
    # a movement without returnees: coordinators reach that check (422)
    ("POST", "/api/v1/returns/movements/{movement_id}/manifest"): (
        lambda c: (f"/api/v1/returns/movements/{c['movement']}/manifest",
                   {"json": {"passphrase": "a long passphrase", "purpose": "matrix"}}),
        expect(403, admin=422)),
    ("GET", "/api/v1/returns/public-key"): (lambda c: ("/api/v1/returns/public-key", {}),
                                            expect(200)),
}
PUBLIC = {("POST", "/api/v1/auth/token")}


def api_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in app.openapi()["paths"].items()
            if path.startswith("/api/") for method in ops}


def test_matrix_covers_every_endpoint(app: FastAPI) -> None:
    assert api_routes(app) == set(MATRIX) | PUBLIC


@pytest.fixture
def context(client: TestClient, engine: Engine) -> dict[str, Any]:
    headers = {"anonymous": {}}
    for actor, (role, sites) in ROLES.items():
        headers[actor] = user_headers(client, engine, role, sites)
    created = client.post("/api/v1/registrations", json=registration_body(),
                          headers=headers["officer_trp"]).json()
    again = client.post("/api/v1/registrations", json=registration_body(),
                        headers=headers["officer_trp"]).json()
    assert again["possible_duplicates"], "the second registration should be a candidate"
    for registration in (created, again):  # one serial at two registrations: a signal
        client.post(f"/api/v1/registrations/{registration['id']}/weapons",
                    json={"weapon_type": "rifle", "serial_number": "AK-MATRIX-1"},
                    headers=headers["officer_trp"])
    weapons = [w["id"] for w in client.get(f"/api/v1/registrations/{created['id']}",
                                           headers=headers["officer_trp"]).json()["weapons"]]
    waiting = client.post("/api/v1/weapons/transfers", headers=headers["officer_trp"], json={
        "id": str(uuid.uuid4()), "weapons": weapons, "to_status": "in_storage",
        "to_site": "TRP"}).json()
    other = client.get(f"/api/v1/registrations/{again['id']}",
                       headers=headers["officer_trp"]).json()["weapons"][0]["id"]
    destroyed = client.post("/api/v1/weapons/destructions", headers=headers["weapons_trp"],
                            json={"id": str(uuid.uuid4()), "site": "TRP",
                                  "destroyed_on": "2026-01-02", "method": "cutting",
                                  "place": "yard", "authorised_by": "Col. A",
                                  "witnesses": [{"name": "Observer"}], "weapons": [other]})
    count = client.post("/api/v1/weapons/stock-counts", headers=headers["weapons_trp"],
                        json={"id": str(uuid.uuid4()), "site": "TRP", "lines": ["X"]}).json()
    groups = client.get("/api/v1/armed-groups", headers=headers["admin"]).json()
    users = client.get("/api/v1/users", headers=headers["admin"]).json()
    queue = client.get("/api/v1/matching/pairs", headers=headers["admin"]).json()
    signals = client.get("/api/v1/matching/signals", headers=headers["admin"]).json()
    person = client.get(f"/api/v1/persons/{created['person_id']}",
                        headers=headers["admin"]).json()
    case_id = person["cases"][0]["id"]
    provider = client.post("/api/v1/service-providers", headers=headers["admin"], json={
        "name": "Matrix centre", "services": ["vocational_training"]}).json()
    referred = client.post(f"/api/v1/cases/{case_id}/referrals", headers=headers["admin"],
                           json={"provider_id": provider["id"], "service": "vocational_training",
                                 "version": 1}).json()
    movement = client.post("/api/v1/returns/movements", headers=headers["admin"], json={
        "id": str(uuid.uuid4()), "country": "TCD", "kind": "flight", "route": "MJI - NDJ",
        "planned_on": "2099-01-01", "capacity": 50}).json()
    client.put("/api/v1/returns/countries/TCD", headers=headers["admin"],
               json={"receiving_authority": "CONADIS", "border_crossings": ["Wour"]})
    job = client.post("/api/v1/imports", files={"file": ("empty.csv", EMPTY_IMPORT)},
                      data={"site": "TRP"}, headers=headers["officer_trp"]).json()
    client.app.state.stats_cache.compute_now()  # type: ignore[attr-defined]
    return {"headers": headers, "rid": created["id"], "pid": created["person_id"],
            "num": created["registration_number"], "gid": groups[0]["id"],
            "uid": users[0]["id"], "pair": queue["items"][0]["id"], "signal": signals[0]["id"],
            "weapon": weapons[0], "transfer": waiting["id"], "destruction": destroyed.json()["id"],
            "count": count["id"],
            "case": case_id, "provider": provider["id"],
            "referral": referred["referrals"][0]["id"],
            "import": job["id"], "movement": movement["id"]}


def test_every_endpoint_for_every_actor(client: TestClient, context: dict[str, Any]) -> None:
    failures = []
    ordered = sorted(MATRIX.items(), key=lambda item: item[0][1].endswith("/revoke"))
    for (method, route), (build, expected) in ordered:
        for actor in ACTORS:
            path, kwargs = build(context)
            response = client.request(method, path, headers=context["headers"][actor], **kwargs)
            if response.status_code != expected[actor]:
                failures.append(f"{method} {route} as {actor}: {response.status_code} "
                                f"(expected {expected[actor]})")
            if actor == "committee" and response.status_code < 300:
                assert "محمد" not in response.text, f"{route} leaks names to committee"
    assert not failures, "\n".join(failures)


def test_other_site_search_finds_nothing(client: TestClient, context: dict[str, Any]) -> None:
    result = client.post("/api/v1/registrations/search",
                         json={"registration_number": context["num"]},
                         headers=context["headers"]["officer_ben"]).json()
    assert result["total"] == 0


def test_revoked_and_bad_tokens_are_refused(client: TestClient, context: dict[str, Any]) -> None:
    headers = context["headers"]["officer_trp"]
    assert client.post("/api/v1/auth/revoke", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    bogus = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/auth/me", headers=bogus).status_code == 401


def test_a_token_revoked_by_another_process_is_refused_at_once(
        client: TestClient, engine: Engine) -> None:
    """Another worker process revokes a token (here: straight in the database): the next
    request is refused, whichever process answers it."""
    headers = user_headers(client, engine, "registration_officer", ["TRP"])
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with engine.begin() as connection:
        connection.execute(update(ApiToken).values(revoked_at=utcnow()))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_wrong_password_is_401_without_saying_which(client: TestClient, engine: Engine) -> None:
    user_headers(client, engine, "admin")
    response = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
    assert response.status_code == 401
    assert response.json()["detail"] == "incorrect username or password"
