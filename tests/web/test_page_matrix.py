"""Every web page and form × every role and site: who may open or post what, and what the
others get (anonymous: sent to log in; a role without the right: 403; a record outside the
user's sites: 404). The committee and the auditor never see a participant's name."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app import web
from tests.api.test_authorization_matrix import ACTORS, ROLES, context  # noqa: F401
from tests.web.helpers import csrf_from, web_login

SAME_ORIGIN = {"Origin": "http://testserver"}
SIGNED_IN = frozenset(ACTORS[1:])
PII = frozenset({"admin", "officer_trp", "officer_ben", "supervisor_trp", "case_manager_trp"})
REGISTRARS = frozenset({"admin", "officer_trp", "officer_ben", "supervisor_trp"})
IMPORTERS = REGISTRARS
ADMIN = frozenset({"admin"})
AUDIT = frozenset({"admin", "auditor"})
WEAPONS_READ = frozenset({"admin", "officer_trp", "officer_ben", "supervisor_trp",
                          "weapons_trp"})
WEAPONS_MOVE = frozenset({"admin", "weapons_trp"})
RECONCILE = frozenset({"admin", "weapons_trp", "supervisor_trp", "auditor"})
CASE_WORK = frozenset({"admin", "supervisor_trp", "case_manager_trp"})
SUPERVISE = frozenset({"admin", "supervisor_trp"})
TRP_ONLY = frozenset({"officer_ben"})
"""Actors that reach a TRP record's page only as 404 (their sites are elsewhere)."""
NOT_THE_IMPORTER = frozenset({"officer_ben", "supervisor_trp"})
"""An import is seen by whoever ran it (officer_trp here) and administrators only."""


def discover(app: FastAPI) -> set[tuple[str, str]]:
    return {(method, route.path) for router in web.routers() for route in router.routes
            for method in route.methods if method != "HEAD"}  # type: ignore[attr-defined]


# (method, route) -> (concrete path, who may, who gets 404 instead (True: officer_ben, the
# TRP record being outside their sites), and the form posted besides the CSRF token)
Page = tuple[Any, ...]


def pages(c: dict[str, Any]) -> dict[tuple[str, str], Page]:
    rid, pid, weapon = c["rid"], c["pid"], c["weapon"]
    return {
        ("GET", "/account/password"): ("/account/password", SIGNED_IN, False),
        ("POST", "/account/password"): ("/account/password", SIGNED_IN, False),
        ("GET", "/"): ("/", SIGNED_IN, False),
        ("POST", "/search"): ("/search", PII, False),
        ("GET", "/registrations/new"): ("/registrations/new", REGISTRARS, False),
        ("POST", "/registrations"): ("/registrations", REGISTRARS, False),
        ("GET", "/registrations/row"): ("/registrations/row?kind=weapons", REGISTRARS, False),
        ("GET", "/registrations/row/removed"): ("/registrations/row/removed", REGISTRARS,
                                                False),
        ("POST", "/registrations/check"): ("/registrations/check", REGISTRARS, False),
        ("POST", "/registrations/child-hint"): ("/registrations/child-hint", REGISTRARS, False),
        ("POST", "/registrations/{registration_id}/compare"): (
            f"/registrations/{rid}/compare", REGISTRARS, True),
        ("POST", "/registrations/link"): ("/registrations/link", REGISTRARS, False),
        ("GET", "/registrations/{registration_id}/card.pdf"): (
            f"/registrations/{rid}/card.pdf", PII, True),
        ("GET", "/registrations/{registration_id}/weapons/{weapon_id}/receipt.pdf"): (
            f"/registrations/{rid}/weapons/{weapon}/receipt.pdf", PII, True),
        ("GET", "/persons/{person_id}"): (f"/persons/{pid}", PII, True),
        ("GET", "/persons/{person_id}/subject-access.json"): (
            f"/persons/{pid}/subject-access.json", ADMIN, False),
        ("POST", "/registrations/{registration_id}/corrections"): (
            f"/registrations/{rid}/corrections", PII, True, {"person_id": pid}),
        ("GET", "/review/models"): ("/review/models", ADMIN, False),
        ("POST", "/review/models/train"): ("/review/models/train", ADMIN, False),
        ("POST", "/review/models/{version}/activate"): (
            "/review/models/configured/activate", ADMIN, False),
        ("GET", "/review"): ("/review", PII, False),
        ("GET", "/review/pairs/{pair_id}"): (f"/review/pairs/{c['pair']}", PII, True),
        ("GET", "/review/step"): ("/review/step", PII, False),
        ("POST", "/review/pairs/{pair_id}/decision"): (
            f"/review/pairs/{c['pair']}/decision", PII, True),
        ("POST", "/review/pairs/{pair_id}/undo"): (f"/review/pairs/{c['pair']}/undo", PII,
                                                   True),
        ("POST", "/review/signals/{signal_id}/decision"): (  # the reason is checked first
            f"/review/signals/{c['signal']}/decision", PII, False),
        ("GET", "/jobs/{job_id}"): (f"/jobs/{c['import']}", SIGNED_IN, SIGNED_IN),  # no job
        ("GET", "/admin/users"): ("/admin/users", ADMIN, False),
        ("POST", "/admin/users"): ("/admin/users", ADMIN, False),
        ("GET", "/admin/users/{user_id}"): (f"/admin/users/{c['uid']}", ADMIN, False),
        ("POST", "/admin/users/{user_id}/{section}"): (
            f"/admin/users/{c['uid']}/language", ADMIN, False),
        ("GET", "/admin/sites"): ("/admin/sites", ADMIN, False),
        ("POST", "/admin/sites"): ("/admin/sites", ADMIN, False),
        ("POST", "/admin/sites/{code}"): ("/admin/sites/SRT", ADMIN, False),
        ("GET", "/admin/armed-groups"): ("/admin/armed-groups", ADMIN, False),
        ("POST", "/admin/armed-groups"): ("/admin/armed-groups", ADMIN, False),
        ("POST", "/admin/armed-groups/{group_id}"): (f"/admin/armed-groups/{c['gid']}",
                                                     ADMIN, False),
        ("GET", "/audit"): ("/audit", AUDIT, False),
        ("GET", "/audit/export.csv"): ("/audit/export.csv", AUDIT, False),
        ("GET", "/audit/person"): (f"/audit/person?person={pid}", AUDIT, False),
        ("POST", "/weapons/destructions"): ("/weapons/destructions", WEAPONS_MOVE, False),
        ("GET", "/weapons/destructions"): ("/weapons/destructions", WEAPONS_READ, False),
        ("GET", "/weapons/destructions/{destruction_id}"): (
            f"/weapons/destructions/{c['destruction']}", WEAPONS_READ, True),
        ("GET", "/weapons/destructions/{destruction_id}/certificate.pdf"): (
            f"/weapons/destructions/{c['destruction']}/certificate.pdf", WEAPONS_READ, True),
        ("GET", "/weapons/reconciliation"): ("/weapons/reconciliation", RECONCILE, False),
        ("GET", "/weapons/stock-counts/new"): ("/weapons/stock-counts/new", WEAPONS_MOVE,
                                               False),
        ("POST", "/weapons/stock-counts"): ("/weapons/stock-counts", WEAPONS_MOVE, False),
        ("GET", "/weapons/ammunition"): ("/weapons/ammunition", WEAPONS_READ, False),
        ("POST", "/weapons/ammunition"): ("/weapons/ammunition", WEAPONS_READ, False),
        ("GET", "/weapons/tracing"): ("/weapons/tracing", ADMIN, False),
        ("POST", "/weapons/tracing"): ("/weapons/tracing", ADMIN, False),
        ("GET", "/weapons"): ("/weapons", WEAPONS_READ, False),
        ("POST", "/weapons/batch"): ("/weapons/batch", WEAPONS_READ, False),
        ("POST", "/weapons/transfers"): ("/weapons/transfers", WEAPONS_READ, False),
        ("GET", "/weapons/transfers"): ("/weapons/transfers", WEAPONS_READ, False),
        ("GET", "/weapons/transfers/{transfer_id}"): (f"/weapons/transfers/{c['transfer']}",
                                                      WEAPONS_READ, True),
        ("POST", "/weapons/transfers/{transfer_id}/outcome"): (
            f"/weapons/transfers/{c['transfer']}/outcome", WEAPONS_READ, True),
        ("GET", "/weapons/{weapon_id}"): (f"/weapons/{weapon}", WEAPONS_READ, True),
        ("GET", "/imports"): ("/imports", IMPORTERS, False),
        ("POST", "/imports"): ("/imports", IMPORTERS, False),
        ("GET", "/imports/template.xlsx"): ("/imports/template.xlsx", IMPORTERS, False),
        ("GET", "/imports/{job_id}/mapping"): (f"/imports/{c['import']}/mapping", IMPORTERS,
                                               NOT_THE_IMPORTER),
        ("POST", "/imports/{job_id}/preview"): (f"/imports/{c['import']}/preview", IMPORTERS,
                                                NOT_THE_IMPORTER),
        ("POST", "/imports/{job_id}/start"): (f"/imports/{c['import']}/start", IMPORTERS,
                                              NOT_THE_IMPORTER),
        ("GET", "/imports/{job_id}"): (f"/imports/{c['import']}", IMPORTERS, NOT_THE_IMPORTER),
        ("GET", "/imports/{job_id}/progress"): (f"/imports/{c['import']}/progress", IMPORTERS,
                                                NOT_THE_IMPORTER),
        ("GET", "/imports/{job_id}/rejects.csv"): (f"/imports/{c['import']}/rejects.csv",
                                                   IMPORTERS, NOT_THE_IMPORTER),
        ("GET", "/imports/{job_id}/mapping.yaml"): (f"/imports/{c['import']}/mapping.yaml",
                                                    IMPORTERS, NOT_THE_IMPORTER),
        ("GET", "/stats"): ("/stats", SIGNED_IN, False),
        ("GET", "/stats/export.{fmt}"): ("/stats/export.json", SIGNED_IN, False),
        ("GET", "/cases"): ("/cases", CASE_WORK, False),
        ("GET", "/cases/list"): ("/cases/list", CASE_WORK, False),
        ("GET", "/cases/workload"): ("/cases/workload", SUPERVISE, False),
        ("GET", "/cases/{case_id}"): (f"/cases/{c['case']}", CASE_WORK, False),
        ("POST", "/cases/{case_id}/steps/{step_key}"): (
            f"/cases/{c['case']}/steps/eligibility", CASE_WORK, False),
        ("POST", "/cases/{case_id}/assignment"): (f"/cases/{c['case']}/assignment", CASE_WORK,
                                                  False),
        ("POST", "/cases/{case_id}/notes"): (f"/cases/{c['case']}/notes", CASE_WORK, False),
        ("POST", "/cases/{case_id}/status"): (f"/cases/{c['case']}/status", CASE_WORK, False),
        ("POST", "/cases/{case_id}/instalments"): (f"/cases/{c['case']}/instalments",
                                                   CASE_WORK, False),
        ("POST", "/cases/{case_id}/payments"): (f"/cases/{c['case']}/payments", CASE_WORK,
                                                False),
        ("POST", "/cases/{case_id}/referrals"): (f"/cases/{c['case']}/referrals", CASE_WORK,
                                                 False),
        ("POST", "/cases/{case_id}/referrals/{referral_id}"): (
            f"/cases/{c['case']}/referrals/{c['referral']}", CASE_WORK, False),
        ("GET", "/returns"): ("/returns", CASE_WORK, False),
        ("GET", "/returns/movements"): ("/returns/movements", ADMIN, False),
        ("POST", "/returns/movements"): ("/returns/movements", ADMIN, False),
        ("GET", "/returns/movements/{movement_id}"): (
            f"/returns/movements/{c['movement']}", ADMIN, False),
        ("POST", "/returns/movements/{movement_id}/returnees"): (
            f"/returns/movements/{c['movement']}/returnees", ADMIN, False),
        ("POST", "/returns/movements/{movement_id}/returnees/{case_id}/remove"): (
            f"/returns/movements/{c['movement']}/returnees/{c['case']}/remove", ADMIN,
            ADMIN),  # reached, then 404: the case is not on the movement
        ("POST", "/returns/movements/{movement_id}/status"): (
            f"/returns/movements/{c['movement']}/status", ADMIN, False),
        ("POST", "/returns/movements/{movement_id}/manifest"): (
            f"/returns/movements/{c['movement']}/manifest", ADMIN, False),
        ("GET", "/providers"): ("/providers", ADMIN, False),
        ("POST", "/providers"): ("/providers", ADMIN, False),
        ("POST", "/providers/{provider_id}"): (f"/providers/{c['provider']}", ADMIN, False),
    }


PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("POST", "/language")}


def test_the_matrix_covers_every_page(app: FastAPI) -> None:
    every = discover(app)
    listed = set(pages(dict.fromkeys(("rid", "pid", "weapon", "pair", "signal", "import",
                                      "uid", "gid", "destruction", "transfer", "case",
                                      "referral", "provider", "movement"), "x")))
    assert every == listed | PUBLIC


def expected(actor: str, allowed: frozenset[str], hidden: bool | frozenset[str]) -> str:
    """`login`, `403`, `404` or `reached` (past the authorisation: a page, a redirect, or the
    form's own refusal of what was posted)."""
    if actor == "anonymous":
        return "login"
    if actor not in allowed:
        return "403"
    if actor in (TRP_ONLY if hidden is True else hidden or frozenset()):
        return "404"
    return "reached"


def outcome(status: int, location: str) -> str:
    if status in (302, 303) and location.startswith("/login"):
        return "login"
    if status in (401, 403, 404):
        return str(status)
    return "reached" if status < 500 else f"{status}"


def test_every_page_for_every_actor(app: FastAPI, client: TestClient, engine: Engine,
                                    context: dict[str, Any]) -> None:  # noqa: F811
    browsers: dict[str, TestClient] = {}
    tokens: dict[str, str] = {}
    for actor in ACTORS:
        browser = TestClient(app, raise_server_exceptions=False)
        if actor == "anonymous":
            tokens[actor] = csrf_from(browser.get("/login").text)
        else:
            username = next(u["username"] for u in client.get(
                "/api/v1/users", headers=context["headers"]["admin"]).json()
                if u["role"] == ROLES[actor][0] and (u["sites"] == "*" or u["sites"] == (
                    ROLES[actor][1] or "*")))
            tokens[actor] = web_login(browser, username)
        browsers[actor] = browser
    failures = []
    for (method, route), (path, allowed, hidden, *form) in sorted(pages(context).items()):
        for actor in ACTORS:
            kwargs: dict[str, Any] = {"follow_redirects": False}
            if method == "POST":
                kwargs |= {"data": {"csrf_token": tokens[actor], **(form[0] if form else {})},
                           "headers": SAME_ORIGIN}
            response = browsers[actor].request(method, path, **kwargs)
            got = outcome(response.status_code, response.headers.get("location", ""))
            want = expected(actor, allowed, hidden)
            if got != want:
                failures.append(f"{method} {route} as {actor}: {response.status_code} "
                                f"({got}, expected {want})")
            if actor in ("committee", "auditor"):
                assert "محمد" not in response.text, f"{route} shows a name to {actor}"
    for browser in browsers.values():
        browser.close()
    print(f"\npage matrix: {len(pages(context))} routes x {len(ACTORS)} actors")
    assert not failures, "\n".join(failures)
