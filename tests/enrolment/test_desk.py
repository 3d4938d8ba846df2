"""A likely duplicate is never saved silently: at the desk the officer links or records "a
different person" with a reason (a decision on the pair); over the API it is saved, said so,
and its pair waits first in the review queue."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.models import AuditEvent
from app.core.roles import Role
from app.core.sealed import unseal
from app.core.security import Principal
from app.dedup.models import CandidatePair, PairDecision
from app.enrolment.service import DeskDecisions, LikelyDuplicates, enrol
from app.registry.models import Registration
from app.registry.schemas import RegistrationIn
from tests.factories import (
    LATIN_BODY,
    make_pair,
    make_registration,
    register,
    registration_body,
    seed_reference,
    user_headers,
)

OFFICER = Principal(id=None, username="officer.trp", role=Role.registration_officer,
                    sites=frozenset({"TRP", "BEN"}))
AGAIN = {**LATIN_BODY, "site": "TRP"}  # the same man typed again in Latin letters


@pytest.fixture
def crypto(app: FastAPI, engine: Engine) -> FieldCrypto:
    seed_reference(engine)
    result: FieldCrypto = app.state.crypto
    return result


def count(engine: Engine, table: type, *where: object) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def desk(engine: Engine, crypto: FieldCrypto, decisions: DeskDecisions, **body: object
         ) -> Registration:
    with session_scope(engine) as session:
        enrolment = enrol(session=session, crypto=crypto, actor=OFFICER, desk=decisions,
                          data=RegistrationIn.model_validate(registration_body(**body)))
    return enrolment.registration


def test_a_likely_duplicate_stops_the_save_until_the_officer_decides(
    engine: Engine, crypto: FieldCrypto
) -> None:
    with session_scope(engine) as session:
        first = make_registration(session, crypto, actor=OFFICER).registration
    with pytest.raises(LikelyDuplicates) as stopped:
        desk(engine, crypto, DeskDecisions(), **AGAIN)
    assert [c.registration_id for c in stopped.value.candidates] == [first.id]
    assert stopped.value.candidates[0].decision == "match"
    assert stopped.value.status_code == 409
    assert count(engine, Registration) == 1
    assert count(engine, AuditEvent, AuditEvent.action == "registration.create") == 1


def test_a_different_person_is_recorded_as_a_decision_on_the_pair(
    engine: Engine, crypto: FieldCrypto
) -> None:
    with session_scope(engine) as session:
        first = make_registration(session, crypto, actor=OFFICER).registration
    second = desk(engine, crypto, DeskDecisions(different={first.id: "his twin brother"}),
                  **AGAIN)
    with Session(engine) as session:
        pair = session.exec(select(CandidatePair)).scalars().one()
        decision = session.exec(select(PairDecision)).scalars().one()
        create = session.exec(select(AuditEvent).where(
            AuditEvent.action == "registration.create",
            AuditEvent.object_id == str(second.id))).scalars().one()
        decided = session.exec(select(AuditEvent).where(
            AuditEvent.action == "review.different_persons")).scalars().one()
        assert {pair.registration_a_id, pair.registration_b_id} == {first.id, second.id}
        assert (pair.status, pair.priority) == ("different_persons", 0)
        assert (decision.decision, decision.status_before) == ("different_persons", "open")
        assert unseal(crypto, decision)["reason"] == "his twin brother"
        assert str(first.id) in create.details
        assert decided.object_id == str(pair.id)
        assert decided.actor_username == "officer.trp"
    assert second.person_id != first.person_id


def test_a_link_answers_the_likely_duplicate(engine: Engine, crypto: FieldCrypto) -> None:
    with session_scope(engine) as session:
        first = make_registration(session, crypto, actor=OFFICER).registration
    second = desk(engine, crypto, DeskDecisions(), person_id=str(first.person_id), **AGAIN)
    assert second.person_id == first.person_id
    assert count(engine, CandidatePair) == 0


def test_the_api_saves_a_likely_duplicate_says_so_and_puts_its_pair_first(
    client: TestClient, engine: Engine, crypto: FieldCrypto
) -> None:
    admin = user_headers(client, engine, "admin")
    first = register(client, admin)
    # an older, higher-scored open pair between two other registrations
    with session_scope(engine) as session:
        a = make_registration(session, crypto, given_name="سالم", national_id=None,
                              phone=None, date_of_birth="1970").registration
        b = make_registration(session, crypto, given_name="زكريا", father_name="يونس",
                              grandfather_name="إدريس", family_name="الترهوني",
                              national_id=None, phone=None, date_of_birth="1966",
                              site="BEN").registration
        make_pair(session, a, b, score=0.999)
    response = client.post("/api/v1/registrations", json=registration_body(**AGAIN),
                           headers=admin)
    assert response.status_code == 201
    created = response.json()
    assert created["likely_duplicate"] is True
    assert "review queue" in created["message"]
    assert [c["registration_id"] for c in created["possible_duplicates"]
            if c["decision"] == "match"] == [first["id"]]
    queue = client.get("/api/v1/matching/pairs", headers=admin).json()
    top = queue["items"][0]
    assert top["urgent"] is True
    assert {top["registration_a"]["id"], top["registration_b"]["id"]} == {
        first["id"], created["id"]}
    assert [item["urgent"] for item in queue["items"]].count(True) == 1
    quiet = client.post("/api/v1/registrations", headers=admin, json=registration_body(
        given_name="مصطفى", father_name="رمضان", grandfather_name="منصور",
        family_name="الككلي", national_id=None, phone=None, date_of_birth="1960"))
    assert quiet.json()["likely_duplicate"] is False
    assert uuid.UUID(quiet.json()["id"])
