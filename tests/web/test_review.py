"""The duplicate review pages, parsed: queue, filters, side by side, keyboard (htmx) decisions,
merge and undo, conflicts, roles, CSRF, Arabic, integrity signals and model versions."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.audit import list_events
from app.core.db import session_scope
from app.dedup.models import CandidatePair, IntegritySignal, MatchModelVersion
from matching import load_model
from tests.factories import LATIN_BODY, register, user_headers
from tests.web.helpers import KHALED, KHALED_LATIN, make_web_user, soup, web_login

SAME_ORIGIN = {"Origin": "http://testserver"}
@pytest.fixture
def admin(client: TestClient, engine: Engine) -> dict[str, str]:
    """API headers of an administrator (who registers the test people)."""
    return user_headers(client, engine, "admin")


@pytest.fixture
def pairs(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    """One man at TRP (Arabic) and BEN (Latin), another twice at TRP: two open pairs."""
    first = register(client, admin)
    second = register(client, admin, **LATIN_BODY)
    register(client, admin, **KHALED)
    register(client, admin, **KHALED_LATIN)
    queue = client.get("/api/v1/matching/pairs", headers=admin).json()
    by_regs = {frozenset((i["registration_a"]["id"], i["registration_b"]["id"])): i
               for i in queue["items"]}
    strong = by_regs[frozenset((first["id"], second["id"]))]
    weak = [i for i in queue["items"] if i["id"] != strong["id"]]
    assert weak, queue
    assert queue["total"] == 2, queue
    return {"first": first, "second": second, "strong": strong, "weak": weak[0]}


@pytest.fixture
def reviewer(client: TestClient, engine: Engine) -> str:
    """A registration officer of TRP and BEN signed in (English); the page's CSRF token."""
    make_web_user(engine, "rev.web", sites=["TRP", "BEN"], language="en")
    return web_login(client, "rev.web")


def htmx(token: str) -> dict[str, str]:
    """Headers of an htmx post from one of our pages."""
    return {"HX-Request": "true", "X-CSRF-Token": token, **SAME_ORIGIN}


def decision(token: str, pair: dict[str, Any], choice: str, **extra: Any) -> dict[str, Any]:
    """A decision form as the page posts it."""
    return {"csrf_token": token, "decision": choice, "version": str(pair["version"]),
            "pos": "0", **extra}


def pair_status(engine: Engine, pair_id: str) -> str:
    with Session(engine) as session:
        pair = session.get(CandidatePair, uuid.UUID(pair_id))
        assert pair is not None
        return pair.status


def test_queue_lists_pairs_with_counts_chart_and_oldest(
    client: TestClient, reviewer: str, pairs: dict[str, Any]
) -> None:
    page = soup(client.get("/review").text)
    assert page.select_one("#nav-review")["aria-current"] == "page"
    rows = page.select("#queue tbody tr")
    assert {r["data-pair"] for r in rows} == {pairs["strong"]["id"], pairs["weak"]["id"]}
    strong = page.select_one(f"tr[data-pair='{pairs['strong']['id']}']")
    assert pairs["first"]["registration_number"] in strong.get_text()
    assert pairs["second"]["registration_number"] in strong.get_text()
    assert "TRP" in strong.get_text()
    assert "BEN" in strong.get_text()
    bars = {tr["data-site"]: tr for tr in page.select("#site-chart tr[data-site]")}
    assert set(bars) == {"TRP", "BEN"}
    assert bars["TRP"].select_one(".num").get_text() == "2"  # both pairs touch TRP
    assert bars["BEN"].select_one(".num").get_text() == "1"
    assert float(bars["TRP"].rect["width"]) == 100.0
    assert float(bars["BEN"].rect["width"]) == 50.0
    assert page.select_one("#oldest-open .big").get_text() == "0 h"
    start = page.select_one("#start-review")
    assert start["data-key"] == "j"
    assert f"/review/pairs/{rows[0]['data-pair']}" in start["href"]


def test_queue_filters_by_site_band_status_and_date(
    client: TestClient, reviewer: str, pairs: dict[str, Any]
) -> None:
    def listed(**params: str) -> set[str]:
        response = client.get("/review", params=params)
        assert response.status_code == 200, response.text
        return {r["data-pair"] for r in soup(response.text).select("#queue tbody tr")}

    assert listed(site="BEN") == {pairs["strong"]["id"]}
    band = pairs["weak"]["band"]
    assert pairs["weak"]["id"] in listed(band=band)
    assert all(p["band"] == band for p in (pairs["strong"], pairs["weak"])
               if p["id"] in listed(band=band))
    assert listed(status="decided") == set()
    assert listed(since="2999-01-01") == set()
    assert listed(until="2999-01-01") == {pairs["strong"]["id"], pairs["weak"]["id"]}
    page = soup(client.get("/review", params={"site": "BEN"}).text)
    assert page.select_one("#q-site option[selected]")["value"] == "BEN"
    assert "site=BEN" in page.select_one("#start-review")["href"]
    bad = client.get("/review", params={"band": "maybe", "since": "yesterday"})
    assert bad.status_code == 422
    errors = soup(bad.text)
    assert errors.select_one("#q-since-err").get_text() == "not a valid date"
    assert len(errors.select("#queue tbody tr")) == 2  # the valid part of the query still works


def test_side_by_side_shows_both_scripts_reasons_and_plan(
    client: TestClient, engine: Engine, reviewer: str, pairs: dict[str, Any]
) -> None:
    pair_id = pairs["strong"]["id"]
    response = client.get(f"/review/pairs/{pair_id}")
    assert response.status_code == 200
    page = soup(response.text)
    given = page.select_one("tr[data-field='given_name']")
    values = {given.select_one(".side-a").get_text(strip=True),
              given.select_one(".side-b").get_text(strip=True)}
    assert values == {"محمد", "Mohamed"}
    assert given.select_one(".mark").get_text() == "Close"  # another script, same name
    assert page.select_one("tr[data-field='national_id'] .mark").get_text() == "Same"
    assert "Same national number" in page.select_one("#side-by-side").get_text()
    plan = page.select_one("#merge-plan")
    assert page.select_one("#plan-supervisor").get_text() == "No"
    assert pairs["first"]["registration_number"] in plan.select_one("#plan-survivor").get_text()
    form = page.select_one("#decide-form")
    assert form["hx-post"] == form["action"] == f"/review/pairs/{pair_id}/decision"
    assert form.select_one("input[name=version]")["value"] == str(pairs["strong"]["version"])
    assert form.select_one("input[name=csrf_token]")["value"] == reviewer
    assert {b["data-key"] for b in form.select("button[data-key]")} == {"s", "d"}
    assert form.select_one("textarea#reason")["data-key"] == "n"
    assert page.select_one("label[for=reason]") is not None
    with Session(engine) as session:
        total, _ = list_events(session=session, action="review.read", object_id=pair_id)
    assert total == 1


def test_htmx_decision_answers_with_the_next_pair(
    client: TestClient, engine: Engine, reviewer: str, pairs: dict[str, Any]
) -> None:
    strong, weak = pairs["strong"], pairs["weak"]
    response = client.post(f"/review/pairs/{strong['id']}/decision",
                           data=decision(reviewer, strong, "same_person", reason="same phone"),
                           headers=htmx(reviewer))
    assert response.status_code == 200, response.text
    fragment = soup(response.text)
    assert fragment.select_one("header.top") is None  # a fragment, not a page
    section = fragment.select_one("section#pair")
    assert section["data-pair"] == weak["id"]
    pushed = urlparse(response.headers["HX-Push-Url"])
    assert pushed.path == f"/review/pairs/{weak['id']}"
    assert parse_qs(pushed.query)["last"] == [strong["id"]]
    banner = fragment.select_one("#last-decision")
    assert banner["data-outcome"] == "merged"
    assert fragment.select_one("#undo-last")["data-key"] == "u"
    person_url = fragment.select_one("#last-person")["href"]
    assert person_url == f"/persons/{pairs['first']['person_id']}"
    person = soup(client.get(person_url).text)
    numbers = {a.get_text() for a in person.select("#registrations tbody a")}
    assert numbers == {pairs["first"]["registration_number"],
                       pairs["second"]["registration_number"]}
    assert pair_status(engine, strong["id"]) == "same_person"
    # the merged person's page sends the reader on to the surviving person
    gone = client.get(f"/persons/{pairs['second']['person_id']}", follow_redirects=False)
    assert gone.status_code == 303
    assert urlparse(gone.headers["location"]).path == person_url


def test_plain_form_post_redirects_to_the_next_pair_then_the_queue(
    client: TestClient, engine: Engine, reviewer: str, pairs: dict[str, Any]
) -> None:
    strong, weak = pairs["strong"], pairs["weak"]
    first = client.post(f"/review/pairs/{strong['id']}/decision",
                        data=decision(reviewer, strong, "different_persons", site="TRP"),
                        headers=SAME_ORIGIN, follow_redirects=False)
    assert first.status_code == 303
    location = urlparse(first.headers["location"])
    assert location.path == f"/review/pairs/{weak['id']}"
    query = parse_qs(location.query)
    assert query["site"] == ["TRP"]  # the queue's filters travel along
    assert query["outcome"] == ["different_persons"]
    page = soup(client.get(first.headers["location"]).text)
    assert page.select_one("#last-decision")["data-outcome"] == "different_persons"
    assert page.select_one("#decide-form input[name=site]")["value"] == "TRP"
    last = client.post(f"/review/pairs/{weak['id']}/decision",
                       data=decision(reviewer, weak, "different_persons", site="TRP"),
                       headers=SAME_ORIGIN, follow_redirects=False)
    assert last.status_code == 303
    assert urlparse(last.headers["location"]).path == "/review"
    queue = soup(client.get(last.headers["location"]).text)
    assert queue.select_one("#queue-empty") is not None
    assert queue.select_one("#last-decision") is not None


def test_decision_without_csrf_is_refused(
    client: TestClient, engine: Engine, reviewer: str, pairs: dict[str, Any]
) -> None:
    strong = pairs["strong"]
    body = decision(reviewer, strong, "same_person")
    del body["csrf_token"]
    plain = client.post(f"/review/pairs/{strong['id']}/decision", data=body,
                        headers=SAME_ORIGIN)
    assert plain.status_code == 403
    headerless = client.post(f"/review/pairs/{strong['id']}/decision", data=body,
                             headers={"HX-Request": "true", **SAME_ORIGIN})
    assert headerless.status_code == 403
    undo = client.post(f"/review/pairs/{strong['id']}/undo", data={"reason": "because"},
                       headers=SAME_ORIGIN)
    assert undo.status_code == 403
    assert pair_status(engine, strong["id"]) == "open"


@pytest.mark.parametrize("role", ["committee", "auditor"], ids=["committee", "auditor"])
def test_committee_and_auditor_get_no_review_pages(
    client: TestClient, engine: Engine, pairs: dict[str, Any], role: str
) -> None:
    make_web_user(engine, f"{role}.web", role=role, sites=["TRP", "BEN"])
    token = web_login(client, f"{role}.web")
    home = soup(client.get("/").text)
    assert home.select_one("#nav-review") is None
    assert home.select_one("#nav-models") is None
    for url in ("/review", f"/review/pairs/{pairs['strong']['id']}", "/review/models"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "محمد" not in response.text
    posted = client.post(f"/review/pairs/{pairs['strong']['id']}/decision",
                         data=decision(token, pairs["strong"], "same_person"),
                         headers=SAME_ORIGIN)
    assert posted.status_code == 403
    assert pair_status(engine, pairs["strong"]["id"]) == "open"


def test_stale_version_shows_the_conflict(
    client: TestClient, engine: Engine, reviewer: str, pairs: dict[str, Any]
) -> None:
    strong = pairs["strong"]
    stale = {**strong, "version": strong["version"] + 5}
    response = client.post(f"/review/pairs/{strong['id']}/decision",
                           data=decision(reviewer, stale, "same_person"), headers=htmx(reviewer))
    assert response.status_code == 409
    fragment = soup(response.text)
    problem = fragment.select_one("#problem[role=alert]")
    assert problem["data-status"] == "409"
    assert "meanwhile" in problem.get_text()
    assert "reload" in problem.get_text()
    assert fragment.select_one("section#pair")["data-pair"] == strong["id"]
    # someone else decided it: a plain post of the old page says so too
    client.post(f"/review/pairs/{strong['id']}/decision",
                data=decision(reviewer, strong, "different_persons"), headers=SAME_ORIGIN)
    again = client.post(f"/review/pairs/{strong['id']}/decision",
                        data=decision(reviewer, strong, "same_person"), headers=SAME_ORIGIN)
    assert again.status_code == 409
    page = soup(again.text)
    assert page.html["lang"] == "en"
    assert "already decided" in page.select_one("#problem").get_text()
    assert page.select_one("#decide-form") is None  # decided: no buttons
    assert pair_status(engine, strong["id"]) == "different_persons"


def test_not_sure_needs_a_reason_and_then_waits_for_a_supervisor(
    client: TestClient, engine: Engine, reviewer: str, pairs: dict[str, Any]
) -> None:
    strong = pairs["strong"]
    missing = client.post(f"/review/pairs/{strong['id']}/decision",
                          data=decision(reviewer, strong, "not_sure"), headers=htmx(reviewer))
    assert missing.status_code == 422
    fragment = soup(missing.text)
    assert "say what is unclear" in fragment.select_one("#problem").get_text()
    assert fragment.select_one("textarea#reason")["aria-invalid"] == "true"
    sent = client.post(f"/review/pairs/{strong['id']}/decision",
                       data=decision(reviewer, strong, "not_sure", reason="birth day differs"),
                       headers=htmx(reviewer))
    assert sent.status_code == 200
    assert soup(sent.text).select_one("#last-decision")["data-outcome"] == "escalated"
    page = soup(client.get(f"/review/pairs/{strong['id']}").text)
    assert page.select_one("#waits") is not None
    assert page.select_one("#decide-form") is None
    refused = client.post(f"/review/pairs/{strong['id']}/decision",
                          data=decision(reviewer, {**strong, "version": 2}, "same_person"),
                          headers=htmx(reviewer))
    assert refused.status_code == 403
    problem = soup(refused.text).select_one("#problem")
    assert problem["data-status"] == "403"
    assert "waits for a supervisor" in problem.get_text()
    assert pair_status(engine, strong["id"]) == "escalated"


def test_undo_needs_a_reason_and_opens_the_pair_again(
    client: TestClient, engine: Engine, reviewer: str, pairs: dict[str, Any]
) -> None:
    strong = pairs["strong"]
    client.post(f"/review/pairs/{strong['id']}/decision",
                data=decision(reviewer, strong, "same_person"), headers=htmx(reviewer))
    merged = soup(client.get(f"/review/pairs/{strong['id']}").text)
    assert merged.select_one("#undo-reason")["data-key"] == "u"
    short = client.post(f"/review/pairs/{strong['id']}/undo",
                        data={"csrf_token": reviewer, "reason": "no"}, headers=htmx(reviewer))
    assert short.status_code == 400
    assert "give the reason" in soup(short.text).select_one("#problem").get_text()
    assert pair_status(engine, strong["id"]) == "same_person"
    undone = client.post(f"/review/pairs/{strong['id']}/undo",
                         data={"csrf_token": reviewer, "reason": "twins, checked"},
                         headers=htmx(reviewer))
    assert undone.status_code == 200
    fragment = soup(undone.text)
    assert fragment.select_one("section#pair")["data-status"] == "open"
    assert fragment.select_one("#last-decision")["data-outcome"] == "undone"
    history = [li["data-decision"] for li in fragment.select("#pair-history li")]
    assert history == ["same_person", "undo"]
    assert pair_status(engine, strong["id"]) == "open"


def test_arabic_pages_are_rtl_and_translated(
    client: TestClient, engine: Engine, pairs: dict[str, Any]
) -> None:
    make_web_user(engine, "rev.ar", sites=["TRP", "BEN"], language="ar")
    token = web_login(client, "rev.ar")
    queue = soup(client.get("/review").text)
    assert queue.html["dir"] == "rtl"
    assert queue.html["lang"] == "ar"
    assert queue.h1.get_text(strip=True) == "مراجعة التكرارات"
    assert queue.select_one("label[for=q-site]").get_text() == "الموقع"
    # the bars grow from the right: x + width = 100
    rects = queue.select("#site-chart rect")
    assert all(float(r["x"]) + float(r["width"]) == 100.0 for r in rects)
    strong = pairs["strong"]
    page = soup(client.get(f"/review/pairs/{strong['id']}").text)
    assert page.select_one("#decide-same").get_text(" ", strip=True).startswith("الشخص نفسه")
    assert page.select_one("tr[data-field='given_name'] .mark").get_text() == "متقارب"
    assert "الرقم الوطني نفسه" in page.select_one("#side-by-side").get_text()
    stale = client.post(f"/review/pairs/{strong['id']}/decision",
                        data=decision(token, {**strong, "version": 9}, "same_person"),
                        headers=htmx(token))
    assert stale.status_code == 409
    problem = soup(stale.text).select_one("#problem").get_text()
    assert "قرّر شخص آخر" in problem
    assert "أعد تحميله" in problem


def test_keys_j_and_k_step_through_the_queue(
    client: TestClient, reviewer: str, pairs: dict[str, Any]
) -> None:
    queue = soup(client.get("/review").text)
    ids = [r["data-pair"] for r in queue.select("#queue tbody tr")]
    first = soup(client.get(queue.select_one("#start-review")["href"]).text)
    assert first.select_one("section#pair")["data-pair"] == ids[0]
    assert first.select_one("[data-key=k]") is None  # nothing before the first
    step = client.get(first.select_one("[data-key=j]")["href"], headers={"HX-Request": "true"})
    assert step.status_code == 200
    assert soup(step.text).select_one("section#pair")["data-pair"] == ids[1]
    assert f"/review/pairs/{ids[1]}" in step.headers["HX-Push-Url"]
    back = client.get(soup(step.text).select_one("[data-key=k]")["href"],
                      follow_redirects=False)
    assert back.status_code == 303
    assert urlparse(back.headers["location"]).path == f"/review/pairs/{ids[0]}"


def test_signal_is_listed_with_its_reason_and_needs_a_reason_to_clear(
    client: TestClient, engine: Engine, admin: dict[str, str], reviewer: str
) -> None:
    rifle = {"weapon_type": "rifle", "serial_number": "AK-556-0091"}
    register(client, admin, weapons=[rifle])
    register(client, admin, site="BEN", given_name="Ibrahim", father_name="Youssef",
             grandfather_name="Saleh", family_name="Tebu", mother_name="Aisha",
             date_of_birth="1993-11-02", place_of_birth="Kufra", alias=None, phone=None,
             national_id=None, weapons=[rifle])
    page = soup(client.get("/review").text)
    (signal,) = page.select("#signals li.signal")
    assert signal["data-kind"] == "weapon_serial"
    assert "The same weapon serial number was handed in at 2 registrations" in signal.get_text()
    signal_id = signal["id"].removeprefix("signal-")
    url = f"/review/signals/{signal_id}/decision"
    refused = client.post(url, data={"status": "cleared", "reason": ""}, headers=htmx(reviewer))
    assert refused.status_code == 422
    assert soup(refused.text).select_one(".field-error").get_text() == \
        "give the reason for your decision on this signal"
    cleared = client.post(url, data={"status": "cleared", "reason": "one rifle, two receipts"},
                          headers=htmx(reviewer))
    assert cleared.status_code == 200
    assert soup(cleared.text).select_one("#no-signals") is not None
    with Session(engine) as session:
        assert session.exec(select(IntegritySignal)).one().status == "cleared"


def test_models_page_lists_versions_and_activates_for_admins_only(
    client: TestClient, engine: Engine
) -> None:
    body = {**load_model().to_json(), "version": "ddr-lr-1+reviewed.web"}
    report = {"before": {"precision": 0.9, "recall": 0.8, "f1": 0.847},
              "after": {"precision": 0.95, "recall": 0.85, "f1": 0.897},
              "train_pairs": 80, "holdout_pairs": 20}
    with session_scope(engine) as session:
        session.add(MatchModelVersion(version="ddr-lr-1+reviewed.web", body=json.dumps(body),
                                      report=json.dumps(report)))
    make_web_user(engine, "officer.models", sites=["TRP"])
    web_login(client, "officer.models")
    assert soup(client.get("/").text).select_one("#nav-models") is None
    assert client.get("/review/models").status_code == 403
    make_web_user(engine, "admin.web", role="admin", sites=[])
    token = web_login(client, "admin.web")
    page = soup(client.get("/review/models").text)
    row = page.select_one("tr[data-version='ddr-lr-1+reviewed.web']")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[2] == "80 / 20"
    assert cells[5] == "0.847 → 0.897"
    assert page.select_one("#configured-active") is not None
    activated = client.post("/review/models/ddr-lr-1+reviewed.web/activate",
                            data={"csrf_token": token}, headers=SAME_ORIGIN)
    assert activated.status_code == 200
    after = soup(activated.text)
    assert after.select_one("#activated") is not None
    assert after.select_one("tr.active")["data-version"] == "ddr-lr-1+reviewed.web"
    with Session(engine) as session:
        total, _ = list_events(session=session, action="matching.model.activate")
    assert total == 1
