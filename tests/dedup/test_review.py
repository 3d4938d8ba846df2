"""The review queue: visibility, side by side, decisions, merge and undo, cannot-link."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.audit import list_events
from app.core.db import session_scope
from app.core.sealed import unseal
from app.core.security import SYSTEM
from app.dedup.batch import run_registry_dedupe
from app.dedup.models import CandidatePair, PairDecision, PersonMerge
from app.registry.models import Person, Registration
from reintegration.models import BenefitPayment, Case
from tests.factories import LATIN_BODY, make_payment, register, start_case

API = "/api/v1/matching"


def snapshot(engine: Engine, crypto: Any) -> dict[str, Any]:
    """Everything a merge touches, in comparable form (decrypted field values included)."""
    with Session(engine) as session:
        persons = {str(p.id): (p.status, str(p.merged_into_id), p.is_child, p.pathway)
                   for p in session.exec(select(Person)).all()}
        registrations = {str(r.id): (str(r.person_id), unseal(crypto, r))
                         for r in session.exec(select(Registration)).all()}
        cases = {str(c.id): (str(c.person_id), c.status) for c in session.exec(select(Case))}
        payments = {str(p.id): str(p.person_id) for p in session.exec(select(BenefitPayment))}
        pairs = {str(p.id): p.status for p in session.exec(select(CandidatePair)).all()}
    return {"persons": persons, "registrations": registrations, "cases": cases,
            "payments": payments, "pairs": pairs}


def decide(client: TestClient, headers: dict[str, str], pair: dict[str, Any], decision: str,
           **extra: Any) -> httpx.Response:
    return client.post(f"{API}/pairs/{pair['id']}/decision", headers=headers,
                       json={"decision": decision, "version": pair["version"], **extra})


def test_pair_spanning_two_sites_is_visible_to_reviewers_of_either(
    client: TestClient, reviewers: dict[str, dict[str, str]], duplicate: dict[str, Any]
) -> None:
    pair_id = duplicate["pair"]["id"]
    for who in ("trp", "ben"):
        queue = client.get(f"{API}/pairs", headers=reviewers[who]).json()
        assert [i["id"] for i in queue["items"]] == [pair_id]
        assert {c["site"] for c in queue["counts"]} == {"TRP", "BEN"} & (
            {"TRP"} if who == "trp" else {"BEN"})
        assert queue["oldest_open_hours"] is not None
    assert client.get(f"{API}/pairs", headers=reviewers["mis"]).json()["total"] == 0
    assert client.get(f"{API}/pairs/{pair_id}", headers=reviewers["mis"]).status_code == 404


def test_queue_filters_and_orders(
    client: TestClient, reviewers: dict[str, dict[str, str]], duplicate: dict[str, Any]
) -> None:
    # the same man again at TRP, with less detail: pairs with both earlier registrations
    register(client, reviewers["admin"], grandfather_name=None, date_of_birth="1988",
             phone=None, national_id=None, alias=None)
    admin = reviewers["admin"]
    everything = client.get(f"{API}/pairs", headers=admin).json()
    assert everything["total"] >= 2
    same_site = [i for i in everything["items"] if i["site_a"] == i["site_b"]]
    assert same_site, "expected a TRP-TRP pair"
    # a pair spanning two sites counts for both, a pair within one site once
    expected: dict[str, int] = {}
    for item in everything["items"]:
        for site in {item["site_a"], item["site_b"]}:
            expected[site] = expected.get(site, 0) + 1
    assert {c["site"]: c["open"] for c in everything["counts"]} == expected
    scores = [i["score"] for i in everything["items"]]
    assert scores == sorted(scores, reverse=True)
    only_ben = client.get(f"{API}/pairs", params={"site": "BEN"}, headers=admin).json()
    assert duplicate["pair"]["id"] in {i["id"] for i in only_ben["items"]}
    assert all("BEN" in (i["site_a"], i["site_b"]) for i in only_ben["items"])
    assert only_ben["total"] == expected["BEN"] < everything["total"]
    band = duplicate["pair"]["band"]
    banded = client.get(f"{API}/pairs", params={"band": band}, headers=admin).json()
    assert all(i["band"] == band for i in banded["items"])
    assert duplicate["pair"]["id"] in {i["id"] for i in banded["items"]}
    tomorrow = client.get(f"{API}/pairs", params={"since": "2999-01-01"}, headers=admin).json()
    assert tomorrow["total"] == 0
    uncertain = client.get(f"{API}/pairs", params={"order": "uncertain"}, headers=admin).json()
    distances = [abs(i["score"] - 0.5) for i in uncertain["items"]]
    assert distances == sorted(distances)
    bad = client.get(f"{API}/pairs", params={"band": "maybe"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].endswith("band")


def test_side_by_side_shows_both_scripts_reasons_and_is_audited(
    client: TestClient, engine: Engine, reviewers: dict[str, dict[str, str]],
    duplicate: dict[str, Any]
) -> None:
    pair_id = duplicate["pair"]["id"]
    detail = client.get(f"{API}/pairs/{pair_id}", headers=reviewers["ben"]).json()
    given = next(r for r in detail["rows"] if r["field"] == "given_name")
    assert {given["a"], given["b"]} == {"محمد", "Mohamed"}
    assert detail["reasons"]
    assert all(r["message"] for r in detail["reasons"])
    assert "…" not in " ".join(r["message"] for r in detail["reasons"])
    assert detail["plan"]["registrations_moving"] == 1
    assert detail["plan"]["needs_supervisor"] is False
    assert {detail["a"]["site"], detail["b"]["site"]} == {"TRP", "BEN"}
    with Session(engine) as session:
        total, _ = list_events(session=session, action="review.read", object_id=pair_id)
    assert total == 1


def test_merge_then_undo_restores_everything(
    client: TestClient, engine: Engine, app: Any, reviewers: dict[str, dict[str, str]],
    duplicate: dict[str, Any]
) -> None:
    crypto = app.state.crypto
    first, second = duplicate["first"], duplicate["second"]
    # both have the case their registration opened, work is recorded on one side only: no
    # supervisor needed
    with session_scope(engine) as session:
        start_case(session, crypto, uuid.UUID(second["person_id"]))
    before = snapshot(engine, crypto)

    merged = decide(client, reviewers["ben"], duplicate["pair"], "same_person",
                    reason="same phone and mother")
    assert merged.status_code == 200, merged.text
    assert merged.json()["merged"] is True
    survivor = merged.json()["survivor_id"]
    assert survivor == first["person_id"]  # the older person survives
    during = snapshot(engine, crypto)
    assert during["registrations"][second["id"]][0] == survivor
    assert during["persons"][second["person_id"]][:2] == ("merged", survivor)
    assert all(person == survivor for person, _ in during["cases"].values())
    assert during["registrations"][second["id"]][1] == before["registrations"][second["id"]][1]
    person = client.get(f"/api/v1/persons/{survivor}", headers=reviewers["admin"]).json()
    assert {r["id"] for r in person["registrations"]} == {first["id"], second["id"]}
    gone = client.get(f"/api/v1/persons/{second['person_id']}", headers=reviewers["ben"])
    assert gone.status_code == 200
    assert gone.json()["status"] == "merged"
    assert gone.json()["merged_into_id"] == survivor
    assert gone.json()["registrations"] == []
    outsider = client.get(f"/api/v1/persons/{second['person_id']}", headers=reviewers["mis"])
    assert outsider.status_code == 404

    undone = client.post(f"{API}/pairs/{duplicate['pair']['id']}/undo",
                         json={"reason": "wrong: twins"}, headers=reviewers["ben"])
    assert undone.status_code == 200, undone.text
    assert snapshot(engine, crypto) == before
    again = client.post(f"{API}/pairs/{duplicate['pair']['id']}/undo",
                        json={"reason": "twice"}, headers=reviewers["ben"])
    assert again.status_code == 409
    detail = client.get(f"{API}/pairs/{duplicate['pair']['id']}", headers=reviewers["trp"]).json()
    assert [h["decision"] for h in detail["history"]] == ["same_person", "undo"]
    assert detail["history"][0]["reason"] == "same phone and mother"
    with Session(engine) as session:
        actions = {e.action for e in list_events(session=session, page_size=500)[1]}
        stored = session.exec(select(PairDecision)).all()
    assert {"review.same_person", "person.merge", "person.unmerge", "review.undo"} <= actions
    assert all(b"same phone" not in (d.reason or b"") for d in stored)  # encrypted


def test_merge_of_two_persons_with_cases_waits_for_a_supervisor(
    client: TestClient, engine: Engine, app: Any, reviewers: dict[str, dict[str, str]],
    duplicate: dict[str, Any]
) -> None:
    with session_scope(engine) as session:  # a case under way, and a paid benefit
        start_case(session, app.state.crypto, uuid.UUID(duplicate["first"]["person_id"]))
        make_payment(session, app.state.crypto, uuid.UUID(duplicate["second"]["person_id"]),
                     paid_on=date(2026, 11, 1))
    before = snapshot(engine, app.state.crypto)
    asked = decide(client, reviewers["trp"], duplicate["pair"], "same_person")
    assert asked.status_code == 200, asked.text
    assert asked.json()["needs_supervisor"] is True
    assert asked.json()["status"] == "awaiting_supervisor"
    assert snapshot(engine, app.state.crypto)["persons"] == before["persons"]  # nothing merged
    pending = {**duplicate["pair"], "version": asked.json()["version"]}
    assert decide(client, reviewers["trp"], pending, "same_person").status_code == 403
    confirmed = decide(client, reviewers["supervisor"], pending, "same_person",
                       reason="confirmed with both case files")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["merged"] is True
    with Session(engine) as session:
        (merge,) = session.exec(select(PersonMerge)).all()
        assert merge.confirmed_by_id is not None
    refused = client.post(f"{API}/pairs/{duplicate['pair']['id']}/undo",
                          json={"reason": "officer undo"}, headers=reviewers["trp"])
    assert refused.status_code == 403
    undone = client.post(f"{API}/pairs/{duplicate['pair']['id']}/undo",
                         json={"reason": "supervisor undo"}, headers=reviewers["supervisor"])
    assert undone.status_code == 200
    after = snapshot(engine, app.state.crypto)
    assert after["persons"] == before["persons"]
    assert after["payments"] == before["payments"]
    assert after["cases"] == before["cases"]


def test_not_sure_escalates_with_a_reason(
    client: TestClient, reviewers: dict[str, dict[str, str]], duplicate: dict[str, Any]
) -> None:
    missing = decide(client, reviewers["trp"], duplicate["pair"], "not_sure")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reason"
    sent = decide(client, reviewers["trp"], duplicate["pair"], "not_sure",
                  reason="dates of birth differ by a day")
    assert sent.json()["status"] == "escalated"
    escalated = client.get(f"{API}/pairs", params={"status": "escalated"},
                           headers=reviewers["supervisor"]).json()
    assert [i["id"] for i in escalated["items"]] == [duplicate["pair"]["id"]]
    assert client.get(f"{API}/pairs", headers=reviewers["trp"]).json()["total"] == 0


def test_different_persons_is_never_proposed_again(
    client: TestClient, engine: Engine, app: Any, reviewers: dict[str, dict[str, str]],
    duplicate: dict[str, Any]
) -> None:
    different = decide(client, reviewers["trp"], duplicate["pair"], "different_persons",
                       reason="twins: the mother confirmed")
    assert different.json()["status"] == "different_persons"
    stats = run_registry_dedupe(engine=engine, crypto=app.state.crypto, actor=SYSTEM)
    assert stats["new_pairs"] == 0
    # a new registration of the first person (linked to him) that looks just like the second
    third = register(client, reviewers["admin"], person_id=duplicate["first"]["person_id"],
                     **{**LATIN_BODY, "site": "MIS"})
    persons = {c["person_id"] for c in third["possible_duplicates"]}
    assert duplicate["second"]["person_id"] not in persons
    run_registry_dedupe(engine=engine, crypto=app.state.crypto, actor=SYSTEM)
    with Session(engine) as session:
        open_pairs = session.exec(select(CandidatePair).where(
            CandidatePair.status == "open")).all()
        regs = {r.id: r.person_id for r in session.exec(select(Registration)).all()}
    assert not [p for p in open_pairs
                if {str(regs[p.registration_a_id]), str(regs[p.registration_b_id])}
                == {duplicate["first"]["person_id"], duplicate["second"]["person_id"]}]


def test_two_reviewers_deciding_at_once_one_wins(
    live_server: str, engine: Engine, reviewers: dict[str, dict[str, str]],
    duplicate: dict[str, Any]
) -> None:
    pair = duplicate["pair"]
    barrier = threading.Barrier(2)
    results: dict[str, httpx.Response] = {}

    def review(who: str, decision: str) -> None:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            barrier.wait()
            results[who] = http.post(f"{API}/pairs/{pair['id']}/decision",
                                     headers=reviewers[who],
                                     json={"decision": decision, "version": pair["version"]})

    threads = [threading.Thread(target=review, args=("trp", "same_person")),
               threading.Thread(target=review, args=("ben", "same_person"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409], {k: v.text for k, v in results.items()}
    loser = next(r for r in results.values() if r.status_code == 409)
    assert "reload" in loser.json()["detail"]
    with Session(engine) as session:
        assert len(session.exec(select(PersonMerge)).all()) == 1
        assert len(session.exec(select(PairDecision)).all()) == 1


def test_stale_version_and_decided_pair_conflict(
    client: TestClient, reviewers: dict[str, dict[str, str]], duplicate: dict[str, Any]
) -> None:
    stale = {**duplicate["pair"], "version": duplicate["pair"]["version"] + 5}
    assert decide(client, reviewers["trp"], stale, "different_persons").status_code == 409
    assert decide(client, reviewers["trp"], duplicate["pair"],
                  "different_persons").status_code == 200
    again = decide(client, reviewers["ben"], {**duplicate["pair"], "version": 2},
                   "same_person")
    assert again.status_code == 409
    assert "already decided" in again.json()["detail"]


def test_committee_and_auditor_get_no_pairs(
    client: TestClient, engine: Engine, duplicate: dict[str, Any]
) -> None:
    from tests.factories import user_headers

    for role in ("committee", "auditor"):
        headers = user_headers(client, engine, role)
        assert client.get(f"{API}/pairs", headers=headers).status_code == 403
        detail = client.get(f"{API}/pairs/{duplicate['pair']['id']}", headers=headers)
        assert detail.status_code == 403
        assert "محمد" not in detail.text
