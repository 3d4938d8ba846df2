"""Service providers (administrators keep the directory) and referrals: sent, answered,
ended; enrolment needs a referral the provider accepted."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reintegration.models import Referral, ServiceProvider
from tests.reintegration.conftest import (
    API,
    DEMOBILIZED,
    ELIGIBLE,
    PROFILED,
    done,
    move,
    step_of,
)


def provider(client: TestClient, headers: dict[str, str], **extra: Any) -> Any:
    return client.post(f"{API}/service-providers", headers=headers, json={
        "name": "Tripoli Vocational Training Centre", "services": ["vocational_training"],
        "site": "TRP", "contact": "Mr Salem, 0913334444", **extra})


def test_the_directory_is_kept_by_administrators(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    assert provider(client, staff["cm"]).status_code == 403
    assert provider(client, staff["admin"], site="XXX").status_code == 422
    assert provider(client, staff["admin"], services=[]).status_code == 422
    made = provider(client, staff["admin"])
    assert made.status_code == 201, made.text
    assert made.json()["contact"] == "Mr Salem, 0913334444"
    national = provider(client, staff["admin"], name="Psychosocial Network", site=None,
                        services=["psychosocial"]).json()
    listed = client.get(f"{API}/service-providers", headers=staff["cm_ben"],
                        params={"site": "BEN"}).json()
    assert [p["name"] for p in listed] == ["Psychosocial Network"]
    off = client.patch(f"{API}/service-providers/{national['id']}", headers=staff["admin"],
                       json={"active": False})
    assert off.json()["active"] is False
    assert client.get(f"{API}/service-providers", headers=staff["cm"],
                      params={"service": "psychosocial"}).json() == []
    with Session(engine) as session:
        stored = session.exec(select(ServiceProvider)).all()
    assert all(b"Salem" not in (p.contact or b"") for p in stored)


def test_enrolment_follows_an_accepted_referral(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]],
    fighter: dict[str, Any]
) -> None:
    centre = provider(client, staff["admin"]).json()
    elsewhere = provider(client, staff["admin"], name="Benghazi centre", site="BEN").json()
    case = done(client, staff["cm"], fighter["case"], "eligibility", **ELIGIBLE)
    case = done(client, staff["cm"], case, "disarmament")
    case = done(client, staff["cm"], case, "demobilization", **DEMOBILIZED)
    case = done(client, staff["cm"], case, "profiling", **PROFILED)
    case = done(client, staff["cm"], case, "option", option="vocational_training")
    path = f"{API}/cases/{case['id']}/referrals"
    wrong_site = client.post(path, headers=staff["cm"], json={
        "provider_id": elsewhere["id"], "service": "vocational_training", "step": "enrolled",
        "version": case["version"]})
    assert wrong_site.status_code == 422
    wrong_service = client.post(path, headers=staff["cm"], json={
        "provider_id": centre["id"], "service": "agriculture", "step": "enrolled",
        "version": case["version"]})
    assert wrong_service.json()["errors"][0]["field"] == "service"
    sent = client.post(path, headers=staff["cm"], json={
        "provider_id": centre["id"], "service": "vocational_training", "step": "enrolled",
        "note": "prefers evening classes", "version": case["version"]})
    assert sent.status_code == 201, sent.text
    case = sent.json()
    (referral,) = case["referrals"]
    assert (referral["status"], referral["next_statuses"]) == ("sent", ["accepted", "rejected"])
    start = {"start_date": case["opened_on"]}
    waiting = move(client, staff["cm"], case, "enrolled", "done", data=start)
    assert waiting.status_code == 422
    assert waiting.json()["errors"][0]["field"] == "referral"
    update = f"{path}/{referral['id']}"
    no_reason = client.post(update, headers=staff["cm"],
                            json={"status": "rejected", "version": case["version"]})
    assert no_reason.json()["errors"][0]["field"] == "reason"
    leap = client.post(update, headers=staff["cm"],
                       json={"status": "completed", "version": case["version"]})
    assert leap.status_code == 422
    accepted = client.post(update, headers=staff["cm"], json={
        "status": "accepted", "feedback": "place in the March course",
        "version": case["version"]})
    assert accepted.status_code == 200, accepted.text
    case = accepted.json()
    assert case["referrals"][0]["feedback"] == "place in the March course"
    case = done(client, staff["cm"], case, "enrolled", **start)
    assert step_of(case, "followup_3m")["due_on"] is not None
    assert [e["status_after"] for e in case["events"] if e["kind"] == "referral"] == [
        "sent", "accepted"]
    with Session(engine) as session:
        (stored,) = session.exec(select(Referral)).all()
    assert b"March course" not in (stored.feedback or b"")
