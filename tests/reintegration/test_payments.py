"""Reinsertion instalments: planned when the step starts, paid once, refused twice (also to
the same person through a merged duplicate's case); merge and undo move cases and payments
exactly."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.db import session_scope
from app.core.models import AuditEvent
from app.core.sealed import unseal
from exports.aggregates import refused_payment_groups
from reintegration.models import BenefitPayment, Case, CaseStep, PaymentInstalment
from tests.factories import LATIN_BODY, register
from tests.reintegration.conftest import API, case_of, done, move, step_of, to_reinsertion


def pay(client: TestClient, headers: dict[str, str], case: dict[str, Any], number: int,
        amount: str = "500", **extra: Any) -> Any:
    return client.post(f"{API}/cases/{case['id']}/payments", headers=headers, json={
        "instalment": number, "amount": amount, "currency": "LYD",
        "paid_on": date.today().isoformat(), "method": "cash", "version": case["version"],
        **extra})


def test_instalments_are_planned_paid_once_and_settle_the_step(
    client: TestClient, engine: Engine, app: Any, staff: dict[str, dict[str, str]],
    fighter: dict[str, Any]
) -> None:
    case = to_reinsertion(client, staff["cm"], fighter["case"])
    today = date.today()
    assert [(i["number"], i["amount"], i["currency"], i["due_on"], i["status"])
            for i in case["instalments"]] == [
        (n + 1, "500", "LYD", (today + timedelta(days=30 * n)).isoformat(), "planned")
        for n in range(3)]
    first = pay(client, staff["cm"], case, 1, reference="RCPT-0042")
    assert first.status_code == 201, first.text
    case = first.json()
    assert case["instalments"][0]["status"] == "paid"
    assert case["instalments"][0]["reference"] == "RCPT-0042"
    assert case["events"][-1]["kind"] == "payment"
    again = pay(client, staff["cm"], case, 1)
    assert again.status_code == 409
    assert again.json()["paid"]["same_case"] is True
    assert "already paid" in again.json()["detail"]
    wrong = pay(client, staff["cm"], case, 2, amount="650")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "amount"
    missing = pay(client, staff["cm"], case, 9)
    assert missing.status_code == 422
    assert move(client, staff["cm"], case, "reinsertion", "done").status_code == 422
    # the plan changes: instalment 3 cancelled, a smaller second one
    replanned = client.put(f"{API}/cases/{case['id']}/instalments", headers=staff["cm"], json={
        "version": case["version"], "instalments": [
            {"number": 2, "amount": "250.5", "due_on": today.isoformat()}]})
    assert replanned.status_code == 200, replanned.text
    case = replanned.json()
    assert [(i["number"], i["amount"], i["status"]) for i in case["instalments"]] == [
        (1, "500", "paid"), (2, "250.5", "planned"), (3, "500", "cancelled")]
    paid_change = client.put(f"{API}/cases/{case['id']}/instalments", headers=staff["cm"],
                             json={"version": case["version"], "instalments": [
                                 {"number": 1, "amount": "900", "due_on": today.isoformat()}]})
    assert paid_change.status_code == 422
    case = pay(client, staff["cm"], case, 2, amount="250.500").json()
    settled = done(client, staff["cm"], case, "reinsertion")
    assert step_of(settled, "reinsertion")["status"] == "done"
    with Session(engine) as session:
        payments = session.exec(select(BenefitPayment)).all()
    assert sorted((p.instalment, p.amount, p.method) for p in payments) == [
        (1, 500_000, "cash"), (2, 250_500, "cash")]
    assert all(b"RCPT" not in (p.reference or b"") for p in payments)
    assert unseal(app.state.crypto, next(p for p in payments if p.instalment == 1))[
        "reference"] == "RCPT-0042"


def test_a_refused_double_claim_is_kept_on_record_and_counted(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]],
    fighter: dict[str, Any]
) -> None:
    case = to_reinsertion(client, staff["cm"], fighter["case"])
    case = pay(client, staff["cm"], case, 1).json()
    for _ in range(2):
        assert pay(client, staff["cm"], case, 1).status_code == 409
    with Session(engine) as session:
        refusals = session.exec(select(AuditEvent).where(
            AuditEvent.action == "payment.refused_double")).all()
        assert len(session.exec(select(BenefitPayment)).all()) == 1
    assert [(e.object_id, json.loads(e.details)) for e in refusals] == [
        (case["id"], {"instalment": 1, "same_case": True})] * 2
    with session_scope(engine) as session:
        assert [g.count for g in refused_payment_groups(session)] == [2]


def _merge(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    queue = client.get(f"{API}/matching/pairs", headers=headers).json()
    (pair,) = queue["items"]
    decided = client.post(f"{API}/matching/pairs/{pair['id']}/decision", headers=headers,
                          json={"decision": "same_person", "version": pair["version"],
                                "reason": "same man, two sites"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["merged"] is True
    return {"pair": pair, **decided.json()}


def snapshot(engine: Engine) -> dict[str, Any]:
    """Cases (with their steps) and payments, as a merge and its undo must leave them."""
    with Session(engine) as session:
        cases = {str(c.id): (str(c.person_id), c.status, c.version, c.current_step)
                 for c in session.exec(select(Case)).all()}
        steps = {(str(s.case_id), s.key): (s.status, s.due_on)
                 for s in session.exec(select(CaseStep)).all()}
        payments = {str(p.id): (str(p.person_id), str(p.case_id), p.instalment)
                    for p in session.exec(select(BenefitPayment)).all()}
        instalments = {str(i.id): (str(i.case_id), i.status)
                       for i in session.exec(select(PaymentInstalment)).all()}
    return {"cases": cases, "steps": steps, "payments": payments, "instalments": instalments}


def test_an_instalment_paid_to_a_duplicate_is_refused_after_the_merge_and_undo_restores(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    first = register(client, staff["admin"])
    second = register(client, staff["admin"], **{**LATIN_BODY, "site": "TRP"})
    one = to_reinsertion(client, staff["cm"], case_of(client, staff["cm"], first["person_id"]),
                         armed=False)
    assert pay(client, staff["cm"], one, 1).status_code == 201
    two = to_reinsertion(client, staff["cm"], case_of(client, staff["cm"],
                                                      second["person_id"]), armed=False)
    before = snapshot(engine)
    # both have a case under way and a payment: the merge waits for the supervisor
    merged = _merge(client, staff["supervisor"])
    survivor = merged["survivor_id"]
    assert survivor == first["person_id"]
    during = snapshot(engine)
    assert {person for person, *_ in during["cases"].values()} == {survivor}
    assert during["steps"] == before["steps"]
    two = client.get(f"{API}/cases/{two['id']}", headers=staff["cm"]).json()
    assert two["person_id"] == survivor
    assert two["other_open_cases"] == [one["id"]]
    refused = pay(client, staff["cm"], two, 1)
    assert refused.status_code == 409, refused.text
    assert refused.json()["paid"] == {"case_id": one["id"],
                                      "paid_on": date.today().isoformat(), "site": "TRP",
                                      "same_case": False}
    assert "another case" in refused.json()["detail"]
    assert pay(client, staff["cm"], two, 2).status_code == 201  # not paid yet to anyone
    with Session(engine) as session:
        assert session.get(Case, uuid.UUID(two["id"])).version == two["version"] + 1
    undone = client.post(f"{API}/matching/pairs/{merged['pair']['id']}/undo",
                         headers=staff["supervisor"], json={"reason": "brothers after all"})
    assert undone.status_code == 200, undone.text
    after = snapshot(engine)
    assert {k: v[0] for k, v in after["cases"].items()} == {
        k: v[0] for k, v in before["cases"].items()}
    assert {k: (v[0], v[2]) for k, v in after["payments"].items() if k in before["payments"]} \
        == {k: (v[0], v[2]) for k, v in before["payments"].items()}
    moved_back = [p for k, p in after["payments"].items() if k not in before["payments"]]
    assert [(person, case) for person, case, _n in moved_back] == [
        (second["person_id"], two["id"])]
