"""Fraud and integrity signals: each one triggered, shown in the queue, decided."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.db import session_scope
from app.dedup.models import IntegritySignal
from tests.factories import make_payment, register

API = "/api/v1/matching"
# people with nothing in common but what each test gives them
STRANGERS = [
    {"given_name": "خالد", "father_name": "حسن", "grandfather_name": "عمر",
     "family_name": "المصراتي", "mother_name": "سالمة", "date_of_birth": "1975-05-20",
     "place_of_birth": "مصراتة", "alias": None, "phone": None, "national_id": None},
    {"given_name": "Ibrahim", "father_name": "Youssef", "grandfather_name": "Saleh",
     "family_name": "Tebu", "mother_name": "Aisha", "date_of_birth": "1993-11-02",
     "place_of_birth": "Kufra", "alias": None, "phone": None, "national_id": None,
     "site": "BEN"},
    {"given_name": "سالم", "father_name": "مفتاح", "grandfather_name": "رمضان",
     "family_name": "الزوي", "mother_name": "مبروكة", "date_of_birth": "1969-02-14",
     "place_of_birth": "اجدابيا", "alias": None, "phone": None, "national_id": None},
]


def open_signals(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(f"{API}/signals", headers=headers)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def test_same_weapon_serial_at_two_registrations(
    client: TestClient, engine: Engine, reviewers: dict[str, dict[str, str]]
) -> None:
    rifle = {"weapon_type": "rifle", "serial_number": "AK-556-0091"}
    first = register(client, reviewers["admin"], **STRANGERS[0], weapons=[rifle])
    assert open_signals(client, reviewers["admin"]) == []
    second = register(client, reviewers["admin"], **STRANGERS[1])
    assert open_signals(client, reviewers["admin"]) == []
    added = client.post(f"/api/v1/registrations/{second['id']}/weapons",
                        json={**rifle, "serial_number": "ak 556 0091"},
                        headers=reviewers["admin"])
    assert added.status_code == 201, added.text
    (signal,) = open_signals(client, reviewers["admin"])
    assert signal["kind"] == "weapon_serial"
    assert {r["id"] for r in signal["registrations"]} == {first["id"], second["id"]}
    assert "weapon serial" in signal["message"]
    with Session(engine) as session:
        stored = session.exec(select(IntegritySignal)).one()
    assert "556" not in stored.key  # a blind index, not the serial
    # the two persons are put side by side in the queue, with the signal as its reason
    queue = client.get(f"{API}/pairs", headers=reviewers["admin"]).json()
    (item,) = [i for i in queue["items"]
               if {i["registration_a"]["id"], i["registration_b"]["id"]}
               == {first["id"], second["id"]}]
    assert item["signals"] == ["weapon_serial"]
    assert queue["signals"][0]["id"] == signal["id"]


def test_one_national_number_on_registrations_with_different_names(
    client: TestClient, reviewers: dict[str, dict[str, str]]
) -> None:
    register(client, reviewers["admin"])  # محمد عبد السلام الورفلي, 119880123456
    assert open_signals(client, reviewers["admin"]) == []
    register(client, reviewers["admin"], **{**STRANGERS[0], "national_id": "119880123456",
                                            "date_of_birth": "1988-07-01"})
    (signal,) = open_signals(client, reviewers["admin"])
    assert signal["kind"] == "shared_document"
    assert signal["params"]["document"] == "national"
    assert "different names" in signal["message"]


def test_same_person_twice_with_one_number_is_no_signal(
    client: TestClient, reviewers: dict[str, dict[str, str]]
) -> None:
    register(client, reviewers["admin"])
    register(client, reviewers["admin"], site="BEN", given_name="Mohamed",
             father_name="Abdelsalam", grandfather_name="Ali", family_name="Elwarfalli")
    assert [s["kind"] for s in open_signals(client, reviewers["admin"])] == []


def test_one_phone_on_many_unrelated_registrations(
    client: TestClient, reviewers: dict[str, dict[str, str]]
) -> None:
    phone = "0925550001"
    register(client, reviewers["admin"], **{**STRANGERS[0], "phone": phone})
    register(client, reviewers["admin"], **{**STRANGERS[1], "phone": phone})
    assert open_signals(client, reviewers["admin"]) == []  # two could be one household
    register(client, reviewers["admin"], **{**STRANGERS[2], "phone": phone})
    (signal,) = open_signals(client, reviewers["admin"])
    assert signal["kind"] == "shared_phone"
    assert len(signal["registrations"]) == 3
    # officers see it only when one registration is at their site; TRP has two, MIS none
    assert [s["id"] for s in open_signals(client, reviewers["trp"])] == [signal["id"]]
    assert open_signals(client, reviewers["mis"]) == []


def test_paid_person_registering_again(
    client: TestClient, engine: Engine, reviewers: dict[str, dict[str, str]]
) -> None:
    paid = register(client, reviewers["admin"])
    with session_scope(engine) as session:
        make_payment(session, client.app.state.crypto, uuid.UUID(paid["person_id"]),
                     paid_on=date(2026, 10, 1))
    # at another site, under a Latin spelling: a possible duplicate of a paid person
    again = register(client, reviewers["admin"], site="BEN", given_name="Mohamed",
                     father_name="Abdelsalam", grandfather_name="Ali",
                     family_name="Elwarfalli", national_id=None)
    assert again["possible_duplicates"]
    (signal,) = open_signals(client, reviewers["admin"])
    assert signal["kind"] == "paid_again"
    assert {r["id"] for r in signal["registrations"]} == {paid["id"], again["id"]}
    # and linked to the paid person directly
    linked = register(client, reviewers["admin"], site="MIS", person_id=paid["person_id"],
                      national_id=None, phone=None)
    kinds = [(s["kind"], {r["id"] for r in s["registrations"]})
             for s in open_signals(client, reviewers["admin"])]
    assert ("paid_again", {linked["id"], paid["id"]}) in kinds


def test_unpaid_person_registering_again_is_no_signal(
    client: TestClient, reviewers: dict[str, dict[str, str]]
) -> None:
    first = register(client, reviewers["admin"])
    register(client, reviewers["admin"], site="MIS", person_id=first["person_id"],
             national_id=None, phone=None)
    assert open_signals(client, reviewers["admin"]) == []


def test_clearing_a_signal_and_reopening_when_it_grows(
    client: TestClient, reviewers: dict[str, dict[str, str]]
) -> None:
    phone = "0925550002"
    for stranger in STRANGERS:
        register(client, reviewers["admin"], **{**stranger, "phone": phone})
    (signal,) = open_signals(client, reviewers["admin"])
    no_reason = client.post(f"{API}/signals/{signal['id']}/decision",
                            json={"status": "cleared"}, headers=reviewers["trp"])
    assert no_reason.status_code == 422
    cleared = client.post(f"{API}/signals/{signal['id']}/decision",
                          json={"status": "cleared", "reason": "the unit's shared phone"},
                          headers=reviewers["trp"])
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["status"] == "cleared"
    assert open_signals(client, reviewers["admin"]) == []
    assert client.post(f"{API}/signals/{signal['id']}/decision",
                       json={"status": "confirmed", "reason": "not mine"},
                       headers=reviewers["mis"]).status_code == 404
    register(client, reviewers["admin"], given_name="Adam", father_name="Issa",
             grandfather_name="Mahamat", family_name="Goukouni", mother_name="Halime",
             date_of_birth="1990-01-01", place_of_birth="Abeche", nationality="TCD",
             category="foreign_fighter", national_id=None, alias=None, phone=phone,
             passport_no="A1234567")
    (reopened,) = open_signals(client, reviewers["admin"])
    assert reopened["id"] == signal["id"]
    assert len(reopened["registrations"]) == 4
