"""Ammunition lots and destruction events: unsafe items destroyed in place with who
authorised it; the certificate is a real bilingual PDF (rendered and read back)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pypdfium2 as pdfium
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.db import session_scope
from app.core.models import AuditEvent
from tests.core.test_plaintext_at_rest import assert_absent, stored_bytes
from tests.weapons.helpers import custody_of, officers, register_with_weapons, weapon_ids
from tests.web.helpers import SHOTS


def lot(client: TestClient, headers: dict[str, str], expect: int = 201,
        **extra: Any) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), "site": "TRP", "category": "grenade", "calibre": "F1",
            "lot_number": "L-1979-22", "quantity": 12, "condition": "unsafe", **extra}
    response = client.post("/api/v1/weapons/ammunition", json=body, headers=headers)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


def destruction(**extra: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "site": "TRP", "destroyed_on": date.today().isoformat(),
            "method": "open_detonation", "place": "ميدان الرماية جنوب طرابلس",
            "authorised_by": "المقدم عمر الزوي", "in_place": True,
            "witnesses": [{"name": "Observer One", "role": "UNMAS"},
                          {"name": "علي محمد", "role": "لجنة نزع السلاح"}], **extra}


def test_unsafe_ammunition_is_destroyed_in_place(client: TestClient, engine: Engine) -> None:
    h = officers(client, engine)
    grenades = lot(client, h["registrar"])
    assert (grenades["custody_status"], grenades["location"]) == ("collected", "TRP")
    moved = client.post("/api/v1/weapons/transfers", headers=h["trp"], json={
        "id": str(uuid.uuid4()), "lots": [grenades["id"]], "to_status": "in_storage",
        "to_site": "TRP"})
    assert moved.status_code == 409
    assert "unsafe to move" in moved.json()["detail"]
    not_in_place = client.post("/api/v1/weapons/destructions", headers=h["trp"],
                               json=destruction(lots=[grenades["id"]], in_place=False))
    assert not_in_place.status_code == 422
    assert not_in_place.json()["errors"][0]["field"] == "in_place"
    registrar = client.post("/api/v1/weapons/destructions", headers=h["registrar"],
                            json=destruction(lots=[grenades["id"]]))
    assert registrar.status_code == 403
    no_authority = client.post("/api/v1/weapons/destructions", headers=h["trp"],
                               json={**destruction(lots=[grenades["id"]]), "authorised_by": ""})
    assert no_authority.status_code == 422
    assert no_authority.json()["errors"][0]["field"] == "authorised_by"
    future = client.post("/api/v1/weapons/destructions", headers=h["trp"], json=destruction(
        lots=[grenades["id"]], destroyed_on=(date.today() + timedelta(days=1)).isoformat()))
    assert future.status_code == 422
    done = client.post("/api/v1/weapons/destructions", headers=h["trp"],
                       json=destruction(lots=[grenades["id"]]))
    assert done.status_code == 201, done.text
    event = done.json()
    assert (event["in_place"], event["lots"], event["rounds"]) == (True, 1, 12)
    assert event["authorised_by"] == "المقدم عمر الزوي"
    lots = client.get("/api/v1/weapons/ammunition", headers=h["trp"]).json()
    assert [(x["custody_status"], x["version"]) for x in lots] == [("destroyed", 2)]


def test_destruction_certificate_in_both_languages(client: TestClient,
                                                   engine: Engine) -> None:
    h = officers(client, engine)
    registration = register_with_weapons(client, h["registrar"], ["C-1", "C-2"])
    weapons = weapon_ids(client, h["registrar"], registration["id"])
    rounds = lot(client, h["registrar"], category="small_arms", calibre="7.62x39 mm",
                 quantity=500, condition="serviceable")
    event = client.post("/api/v1/weapons/destructions", headers=h["trp"], json=destruction(
        weapons=weapons, lots=[rounds["id"]], in_place=False, method="cutting")).json()
    assert custody_of(client, h["trp"], weapons[0]) == ("destroyed", "TRP")
    response = client.get(f"/api/v1/weapons/destructions/{event['id']}/certificate",
                          headers=h["trp"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    document = pdfium.PdfDocument(response.content)
    page = document[0]
    words = page.get_textpage().get_text_range()
    for expected in (event["certificate_number"], "Certificate of destruction", "Cutting",
                     "Observer One", "7.62x39 mm", "Tripoli", "weapons: 2;"):
        assert expected in words, expected
    assert "شهادة إتلاف أسلحة وذخائر" in words  # the Arabic half, in reading order
    assert "طريقة الإتلاف: القطع" in words
    image = page.render(scale=1).to_pil().convert("L")
    width, height = image.size
    left = image.crop((0, 0, width // 2, height // 3))
    right = image.crop((width // 2, 0, width, height // 3))
    assert left.getextrema()[0] < 100
    assert right.getextrema()[0] < 100
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.render(scale=1.5).to_pil().save(SHOTS / "weapons-certificate.png")
    document.close()


def test_names_places_and_notes_are_encrypted_and_reads_audited(
        client: TestClient, engine: Engine, database_url: str) -> None:
    h = officers(client, engine)
    registration = register_with_weapons(client, h["registrar"], ["SECRET-SER-1"])
    weapon = weapon_ids(client, h["registrar"], registration["id"])[0]
    sent = client.post("/api/v1/weapons/transfers", headers=h["trp"], json={
        "id": str(uuid.uuid4()), "weapons": [weapon], "to_status": "evidence",
        "receiving_unit": "Niyaba Zawiya", "receiving_person": "Abdelhakim Qadhafiyy",
        "receipt_reference": "NZ-RCPT-99", "note": "linked to case Aburawi"}).json()
    withdrawn = client.post(f"/api/v1/weapons/transfers/{sent['id']}/outcome",
                            headers=h["trp"],
                            json={"outcome": "cancelled", "note": "wrong prosecutor Zliten"})
    destroyed = client.post("/api/v1/weapons/destructions", headers=h["trp"], json=destruction(
        weapons=[weapon], in_place=False, place="Wadi Ubari yard",
        authorised_by="Brig. Mabrouk Zuwayy",
        witnesses=[{"name": "Khadijetu Elwarfalli", "role": "observer"}]))
    counted = client.post("/api/v1/weapons/stock-counts", headers=h["trp"], json={
        "id": str(uuid.uuid4()), "site": "TRP", "lines": ["COUNTED-SERIAL-7"]})
    assert (withdrawn.status_code, destroyed.status_code, counted.status_code) == (200, 201, 201)
    assert client.get(f"/api/v1/weapons/{weapon}", headers=h["trp"]).status_code == 200
    assert_absent(stored_bytes(database_url), [
        "Niyaba Zawiya", "Abdelhakim Qadhafiyy", "NZ-RCPT-99", "case Aburawi",
        "prosecutor Zliten", "Wadi Ubari", "Mabrouk Zuwayy", "Khadijetu", "SECRET-SER-1",
        "SECRETSER1", "COUNTED-SERIAL-7", "COUNTEDSERIAL7"])
    with session_scope(engine) as session:
        actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"weapons.transfer.send", "weapons.transfer.cancelled",
            "weapons.destruction.create", "weapons.count.create",
            "weapons.weapon.read"} <= actions
