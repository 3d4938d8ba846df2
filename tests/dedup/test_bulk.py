"""The bulk duplicate check of an import's batch scores each pair as the online check does,
and finds the same candidates."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.security import SYSTEM
from app.dedup import bulk
from app.dedup.records import registry_record
from app.dedup.service import find_candidates
from app.registry.enums import IndexKind
from app.registry.models import Registration, RegistrationIndex
from matching import score_candidates
from tests.factories import LATIN_BODY, make_registration, seed_reference

PEOPLE: list[dict[str, Any]] = [
    {},
    LATIN_BODY,
    {"given_name": "أحمد", "date_of_birth": "1991-06-01", "national_id": None,
     "phone": "0913333333"},  # his brother
    {**LATIN_BODY, "given_name": "Mohammed", "site": "MIS", "national_id": None},
    {"given_name": "Khaled", "father_name": "Hassan", "grandfather_name": "Omar",
     "family_name": "Al-Misrati", "date_of_birth": "1975-05-20", "national_id": "119750520111",
     "phone": "0923456789", "mother_name": None, "alias": None, "place_of_birth": "Misrata"},
]


@pytest.fixture
def crypto(app: FastAPI, engine: Engine) -> FieldCrypto:
    seed_reference(engine)
    result: FieldCrypto = app.state.crypto
    return result


@pytest.mark.parametrize("cache_size", [50_000, 2],
                         ids=["cache holds the batch", "cache smaller than the batch"])
def test_batch_scores_equal_the_online_scores(engine: Engine, crypto: FieldCrypto,
                                              cache_size: int) -> None:
    with session_scope(engine) as session:
        for person in PEOPLE:
            make_registration(session, crypto, **person)
    with session_scope(engine) as session:
        stored = list(session.exec(select(Registration)).all())
        digests: dict[Any, list[str]] = {r.id: [] for r in stored}
        for rid, digest in session.exec(select(RegistrationIndex.registration_id,
                                               RegistrationIndex.digest).where(
                col(RegistrationIndex.kind) == IndexKind.block.value)).all():
            digests[rid].append(digest)
        cache = bulk.KnownCache(size=cache_size)  # a small one drops most before the check
        for registration in stored:
            cache.put(registration.id.int, bulk.known_from_record(
                registry_record(crypto, registration), person_id=registration.person_id,
                site_code=registration.site_code,
                registration_number=registration.registration_number))
        found = bulk.check_batch(session=session, crypto=crypto, actor=SYSTEM, new=digests,
                                 cache=cache)
        by_id = {r.id: r for r in stored}
        compared = 0
        for registration in stored:
            online = {c.registration_id: (c.score, c.decision) for c in find_candidates(
                session=session, crypto=crypto, actor=SYSTEM,
                draft=registry_record(crypto, registration), exclude=[registration.id],
                limit=100)}
            batch = {c.registration_id: (c.score, c.decision) for c in found[registration.id]}
            assert batch == online, registration.registration_number
            for other, (score, decision) in batch.items():
                expected = score_candidates(registry_record(crypto, registration),
                                            [registry_record(crypto, by_id[other])])[0]
                assert (score, decision) == (expected.score, expected.decision)
                compared += 1
    assert compared >= 6  # the man's three registrations pair with each other, both ways
    assert not found[stored[-1].id]  # Khaled shares nothing with them


def test_the_cache_keeps_the_most_recently_used() -> None:
    cache = bulk.KnownCache(size=2)
    items = [bulk.Known({}, uuid.uuid4(), "TRP", str(n)) for n in range(3)]
    cache.put(items[0].person_id.int, items[0])
    cache.put(items[1].person_id.int, items[1])
    assert cache.get(items[0].person_id.int) is items[0]
    cache.put(items[2].person_id.int, items[2])
    assert cache.get(items[1].person_id.int) is None
    assert cache.get(items[0].person_id.int) is items[0]
