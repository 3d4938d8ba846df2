"""Enrolment: one transaction registers and finds duplicates; registrations of one person in
flight at once still see each other (SQLite: one writer; PostgreSQL: locks on shared blocks)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.roles import Role
from app.core.security import Principal
from app.dedup import service as dedup
from app.dedup.models import CandidatePair
from app.dedup.records import draft_record, registry_record
from app.enrolment.service import enrol
from app.registry import service as registry
from app.registry.models import Registration
from app.registry.schemas import RegistrationIn
from tests.factories import (
    PASSWORD,
    import_rows,
    make_user,
    registration_body,
    seed_reference,
)

OFFICER = Principal(id=None, username="officer", role=Role.admin, sites=frozenset(),
                    all_sites=True, language="en")
LATIN: dict[str, Any] = {
    "site": "BEN", "given_name": "Mohamed", "father_name": "Abdelsalam", "grandfather_name": "Ali",
    "family_name": "Elwarfalli", "mother_name": "Fatima", "alias": None,
    "place_of_birth": "Bani Walid", "date_of_birth": "1988", "national_id": None,
}


@pytest.fixture
def crypto(app: FastAPI, engine: Engine) -> FieldCrypto:
    seed_reference(engine)
    result: FieldCrypto = app.state.crypto
    return result


def register(engine: Engine, crypto: FieldCrypto, body: dict[str, Any]) -> Registration:
    with session_scope(engine) as session:
        enrolment = enrol(session=session, crypto=crypto, actor=OFFICER,
                          data=RegistrationIn.model_validate(body))
    return enrolment.registration


def test_draft_record_is_the_record_of_the_stored_registration(
    engine: Engine, crypto: FieldCrypto
) -> None:
    """The duplicate check scores a draft before it is stored: the draft must be exactly the
    record the stored registration gives later, whatever the script or identifiers."""
    for body in (registration_body(), registration_body(**{**LATIN, "phone": None, "alias": ""})):
        data = RegistrationIn.model_validate(body)
        with session_scope(engine) as session:
            new = registry.prepare(session=session, crypto=crypto, actor=OFFICER, data=data)
        stored = register(engine, crypto, body)
        with Session(engine) as session:
            registration = session.get(Registration, stored.id)
            assert registration is not None
            assert draft_record(new) == registry_record(crypto, registration)
            assert sorted(d for k, d in new.indexes if k == "block") == dedup.block_digests(
                crypto, draft_record(new))
            assert new.lookups == dedup.block_digests(crypto, draft_record(new))


def test_a_registration_finds_its_earlier_registration_and_records_the_pair(
    engine: Engine, crypto: FieldCrypto
) -> None:
    first = register(engine, crypto, registration_body())
    with session_scope(engine) as session:
        enrolment = enrol(session=session, crypto=crypto, actor=OFFICER,
                          data=RegistrationIn.model_validate(registration_body(**LATIN)))
    assert [(c.registration_id, c.decision) for c in enrolment.candidates] == [
        (first.id, "match")]
    with Session(engine) as session:
        pairs = session.scalars(select(CandidatePair)).all()
    assert [(p.source, {p.registration_a_id, p.registration_b_id}) for p in pairs] == [
        ("registration", {first.id, enrolment.registration.id})]


def test_concurrent_registrations_of_one_person_are_all_paired(
    live_server: str, engine: Engine
) -> None:
    """Scored before the writer, each still sees the ones that committed before it."""
    make_user(engine, "officer", "registration_officer", ["TRP", "BEN"])
    token = httpx.post(f"{live_server}/api/v1/auth/token",
                       data={"username": "officer", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    bodies = [registration_body(id=str(uuid.uuid4()), site="TRP" if i % 2 else "BEN",
                                national_id=None, phone=None) for i in range(8)]

    def post(body: dict[str, Any]) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            return http.post(f"{live_server}/api/v1/registrations", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, bodies))
    assert [r.status_code for r in responses] == [201] * 8
    with Session(engine) as session:
        pairs = session.scalar(select(func.count()).select_from(CandidatePair))
    # each registration is paired with every one committed before it: 8 * 7 / 2
    assert pairs == 28


FATHERS = ("أحمد", "خالد", "سالم", "عمر", "يوسف", "إبراهيم", "مصطفى", "حسن", "حسين", "عثمان",
           "صالح", "جمعة", "ميلود", "الهادي", "المبروك")
GRANDFATHERS = ("رمضان", "الطاهر", "بشير", "منصور", "سليمان", "عبد الله", "مفتاح")


def test_a_duplicate_among_more_namesakes_than_a_block_holds_is_ranked_first(
    engine: Engine, crypto: FieldCrypto, tmp_path: Path
) -> None:
    """A common name fills a block with more registrations than MAX_BLOCK: the lookup leaves
    that block out (its namesakes are no candidates through it) and the registration sharing
    the rarer keys (father's name, date of birth, phone) comes first."""
    namesakes = [
        {**{k: v for k, v in registration_body().items() if k not in ("id", "consent")},
         "record_id": f"NS-{i:04d}", "father_name": FATHERS[i % len(FATHERS)],
         "grandfather_name": GRANDFATHERS[i % len(GRANDFATHERS)],
         "date_of_birth": f"{1960 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}",
         "mother_name": "خديجة", "alias": None, "phone": None, "national_id": None}
        for i in range(dedup.MAX_CANDIDATES * 3)]
    job = import_rows(engine, crypto, namesakes, tmp_path, actor=OFFICER)
    assert job.accepted == len(namesakes)
    assert job.rejected == 0
    target = register(engine, crypto, registration_body())

    draft = {**LATIN, "phone": "0912345678", "date_of_birth": "1988-03-02"}
    digests = dedup.block_digests(crypto, draft)
    with session_scope(engine) as session:
        ranked = list(session.execute(dedup._candidate_ids(), {"digests": digests}).scalars())
        candidates = dedup.find_candidates(session=session, crypto=crypto, actor=OFFICER,
                                           draft=draft)
    # through the given-and-family block, every namesake would be a candidate
    assert len(namesakes) > dedup.MAX_BLOCK
    assert len(ranked) < dedup.MAX_CANDIDATES
    assert ranked[0] == target.id
    assert [(c.registration_id, c.decision) for c in candidates][:1] == [(target.id, "match")]


def test_a_registration_takes_its_sites_next_number_only_at_its_end(
    engine: Engine, crypto: FieldCrypto
) -> None:
    """PostgreSQL: a registration part-way through (stored, not yet numbered) does not keep
    another at the same site from being numbered and committed; the one that ends first has
    the first number."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: two registrations never run side by side")
    with Session(engine) as session:
        slow = registry.prepare(session=session, crypto=crypto, actor=OFFICER,
                                data=RegistrationIn.model_validate(registration_body(site="TRP")))
    with session_scope(engine) as first:
        registry.insert(session=first, crypto=crypto, actor=OFFICER, entries=[slow])
        with session_scope(engine) as second:
            second.execute(text("SET LOCAL lock_timeout = '2s'"))  # not numbered: fails
            quick = enrol(session=second, crypto=crypto, actor=OFFICER,
                          data=RegistrationIn.model_validate(registration_body(site="TRP")))
        numbers = registry.number(session=first, crypto=crypto, actor=OFFICER, entries=[slow])
    year = quick.registration.registered_on.year
    assert quick.registration.registration_number == f"TRP-{year}-000001"
    assert numbers == {slow.id: f"TRP-{year}-000002"}
    with Session(engine) as session:
        stored = session.get(Registration, slow.id)
        assert stored is not None
        assert stored.registration_number == f"TRP-{year}-000002"
