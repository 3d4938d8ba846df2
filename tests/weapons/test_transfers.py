"""Transfers: the receiver confirms, custody changes only then; who may send, confirm,
refuse or withdraw; retries; conflicts; the records are append-only."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from app.core.db import session_scope
from app.core.models import AuditEvent
from app.weapons.models import CustodyTransfer, TransferItem
from tests.factories import user_headers
from tests.weapons.helpers import (
    DEPOT,
    custody_of,
    officers,
    register_with_weapons,
    send,
    settle,
    weapon_ids,
)


def stored(client: TestClient, h: dict[str, dict[str, str]], count: int = 2) -> list[str]:
    """Weapons handed in at TRP, in storage there."""
    registration = register_with_weapons(client, h["registrar"],
                                         [f"T-{uuid.uuid4().hex[:8]}" for _ in range(count)])
    ids = weapon_ids(client, h["registrar"], registration["id"])
    settle(client, h["trp"], send(client, h["registrar"], ids, "in_storage", "TRP")["id"])
    return ids


def test_pending_transfer_changes_nothing_and_refusal_keeps_custody(
        client: TestClient, engine: Engine) -> None:
    h = officers(client, engine)
    first, second = stored(client, h)
    pending = send(client, h["trp"], [first, second], "in_depot", DEPOT)
    assert custody_of(client, h["trp"], first) == ("in_storage", "TRP")
    listed = client.get(f"/api/v1/weapons/{first}", headers=h["trp"]).json()
    assert listed["pending_transfer"] == pending["id"]
    assert listed["history"][-1]["event"] == "pending"
    settle(client, h["dep"], pending["id"], "refused", expect=422)  # a refusal says why
    refused = settle(client, h["dep"], pending["id"], "refused", seals_intact=False,
                     note="seal S-1 broken")
    assert refused["status"] == "refused"
    assert refused["outcome"]["seals_intact"] is False
    assert custody_of(client, h["trp"], first) == ("in_storage", "TRP")
    history = client.get(f"/api/v1/weapons/{first}", headers=h["trp"]).json()["history"]
    assert [e["event"] for e in history] == ["handover", "transfer", "refused"]
    settle(client, h["dep"], pending["id"], expect=409)  # already refused


def test_who_confirms_and_who_withdraws(client: TestClient, engine: Engine) -> None:
    h = officers(client, engine)
    first, _second = stored(client, h)
    pending = send(client, h["trp"], [first], "in_depot", DEPOT)
    settle(client, h["trp"], pending["id"], expect=403)  # the sender cannot confirm
    settle(client, h["ben"], pending["id"], expect=404)  # another site does not see it
    settle(client, h["trp2"], pending["id"], expect=403)  # not of the receiving site
    registrar = settle(client, h["registrar"], pending["id"], expect=403)
    assert "weapons officer" in registrar["detail"]
    settle(client, h["dep"], pending["id"], "cancelled", note="wrong truck", expect=403)
    withdrawn = settle(client, h["trp"], pending["id"], "cancelled", note="wrong truck")
    assert withdrawn["status"] == "cancelled"
    again = send(client, h["trp"], [first], "in_depot", DEPOT)
    settle(client, h["dep"], again["id"])
    assert custody_of(client, h["dep"], first) == ("in_depot", DEPOT)


def test_registration_officers_only_hand_collected_weapons_to_storage(
        client: TestClient, engine: Engine) -> None:
    h = officers(client, engine)
    first, _second = stored(client, h)
    refused = send(client, h["registrar"], [first], "in_depot", DEPOT, expect=403)
    assert refused["detail"] == "only a weapons officer moves weapons in custody"
    committee = user_headers(client, engine, "committee")
    send(client, committee, [first], "in_depot", DEPOT, expect=403)


def test_items_in_a_pending_transfer_cannot_move_again(client: TestClient,
                                                       engine: Engine) -> None:
    h = officers(client, engine)
    first, second = stored(client, h)
    send(client, h["trp"], [first], "in_depot", DEPOT)
    busy = send(client, h["trp"], [first, second], "in_transit", DEPOT, expect=409)
    assert "waiting in a transfer not yet confirmed" in busy["detail"]
    destroy = client.post("/api/v1/weapons/destructions", headers=h["trp"], json={
        "id": str(uuid.uuid4()), "site": "TRP", "destroyed_on": "2026-01-01",
        "method": "cutting", "place": "yard", "authorised_by": "Col. A",
        "witnesses": [{"name": "Observer"}], "weapons": [first]})
    assert destroy.status_code == 409


def test_a_stale_transfer_is_a_conflict_on_confirmation(client: TestClient,
                                                        engine: Engine) -> None:
    """Two transfers of one weapon sent at the same moment (both passed the pending check):
    the first confirmed wins; confirming the second meets a changed weapon, and nothing of
    it is written."""
    h = officers(client, engine)
    first, _second = stored(client, h)
    to_depot = send(client, h["trp"], [first], "in_depot", DEPOT)
    twin_id = uuid.uuid4()
    with session_scope(engine) as session:  # the twin, as the concurrent request wrote it
        original = session.get(CustodyTransfer, uuid.UUID(to_depot["id"]))
        item = session.exec(select(TransferItem).where(
            TransferItem.transfer_id == uuid.UUID(to_depot["id"]))).one()
        assert original is not None
        session.add(CustodyTransfer(**{**original.model_dump(), "id": twin_id,
                                       "to_site": "BEN", "to_status": "in_storage"}))
        session.flush()
        session.add(TransferItem(transfer_id=twin_id, weapon_id=item.weapon_id,
                                 from_status=item.from_status, from_version=item.from_version))
    settle(client, h["dep"], to_depot["id"])
    stale = settle(client, h["ben"], str(twin_id), expect=409)
    assert "custody changed meanwhile" in stale["detail"]
    assert custody_of(client, h["dep"], first) == ("in_depot", DEPOT)
    twin = client.get(f"/api/v1/weapons/transfers/{twin_id}", headers=h["ben"]).json()
    assert twin["status"] == "pending"  # the failed confirmation left no outcome


def test_retry_with_the_same_id_answers_the_same_transfer(client: TestClient,
                                                          engine: Engine) -> None:
    h = officers(client, engine)
    first, second = stored(client, h)
    body = {"id": str(uuid.uuid4()), "weapons": [first], "to_status": "in_depot",
            "to_site": DEPOT}
    created = client.post("/api/v1/weapons/transfers", json=body, headers=h["trp"])
    replay = client.post("/api/v1/weapons/transfers", json=body, headers=h["trp"])
    assert (created.status_code, replay.status_code) == (201, 200)
    assert replay.json()["id"] == created.json()["id"]
    other = client.post("/api/v1/weapons/transfers", headers=h["trp"],
                        json={**body, "weapons": [second]})
    assert other.status_code == 409
    listed = client.get("/api/v1/weapons/transfers", headers=h["dep"]).json()["items"]
    assert [t["id"] for t in listed] == [body["id"]]


def test_bad_input_names_the_field_and_writes_nothing(client: TestClient,
                                                      engine: Engine) -> None:
    h = officers(client, engine)
    first, _second = stored(client, h)
    cases = [({"to_status": "in_depot", "to_site": "XXX"}, "to_site"),
             ({"to_status": "in_depot"}, "to_site"),
             ({"to_status": "transferred"}, "receiving_unit"),
             ({"to_status": "destroyed", "to_site": DEPOT}, "to_status"),
             ({"to_status": "flying", "to_site": DEPOT}, "to_status"),
             ({"to_status": "in_storage", "to_site": "TRP"}, "to_site")]
    for extra, field in cases:
        response = client.post("/api/v1/weapons/transfers", headers=h["trp"],
                               json={"id": str(uuid.uuid4()), "weapons": [first], **extra})
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["errors"][0]["field"] == field
    unknown = send(client, h["trp"], [str(uuid.uuid4())], "in_depot", DEPOT, expect=404)
    assert unknown["detail"] == "weapon or lot not found"
    assert client.get("/api/v1/weapons/transfers", headers=h["trp"]).json()["items"] == []


def test_leaving_the_programme_names_the_unit_and_a_second_officer_confirms(
        client: TestClient, engine: Engine) -> None:
    h = officers(client, engine)
    first, _second = stored(client, h)
    out = send(client, h["trp"], [first], "transferred", receiving_unit="Armoury of unit 7",
               receiving_person="Maj. Khaled", receipt_reference="RCPT-77")
    assert out["to_site"] == "TRP"
    settle(client, h["dep"], out["id"], expect=404)  # not of the sending site
    settle(client, h["trp2"], out["id"])
    detail = client.get(f"/api/v1/weapons/{first}", headers=h["trp"]).json()
    assert detail["custody_status"] == "transferred"
    read = client.get(f"/api/v1/weapons/transfers/{out['id']}", headers=h["trp"]).json()
    assert read["receiving_unit"] == "Armoury of unit 7"
    send(client, h["trp"], [first], "in_storage", "TRP", expect=409)


def test_custody_records_are_append_only(client: TestClient, engine: Engine) -> None:
    h = officers(client, engine)
    first, _second = stored(client, h)
    with session_scope(engine) as session:
        events = session.exec(select(AuditEvent.action).where(
            col(AuditEvent.action).startswith("weapons.transfer"))
            .order_by(col(AuditEvent.id))).all()
    assert events == ["weapons.transfer.send", "weapons.transfer.confirmed"]
    for statement in ("UPDATE custody_transfer SET to_site = 'BEN'",
                      "UPDATE custody_transfer SET note = NULL, to_site = 'BEN'",
                      "UPDATE transfer_outcome SET outcome = 'refused'",
                      "DELETE FROM transfer_outcome", "UPDATE custody_event SET status = 'x'",
                      "DELETE FROM transfer_item"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(engine) as session:
            session.execute(text(statement))
    assert custody_of(client, h["trp"], first) == ("in_storage", "TRP")
