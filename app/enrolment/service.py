"""Register a participant: the one way a registration enters the register.

The JSON API and the web form call :func:`enrol`: the request's checks and field rules,
numbering, encryption, blind indexes, the candidate lookup, the pairs recorded for review, the
integrity signals and the audit trail, all in the caller's transaction. Bulk imports
(:mod:`app.imports`) run the same preparation and insertion (:func:`app.registry.service.prepare`
and :func:`~app.registry.service.insert`) a batch of rows at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.security import Principal
from app.dedup import service as dedup
from app.dedup import signals
from app.dedup.records import draft_record, registry_record
from app.registry import service as registry
from app.registry.enums import IndexKind
from app.registry.models import Person, Registration
from app.registry.schemas import CandidateOut, RegistrationIn, WeaponIn
from matching import MatchModel


@dataclass
class Enrolment:
    """The outcome of a registration request: the registration, its person, whether it was
    created now (False: a replay of an earlier request with the same id), and the possible
    duplicates found."""

    registration: Registration
    person: Person
    created: bool
    candidates: list[CandidateOut] = field(default_factory=list)

    @property
    def pathway(self) -> str:
        """The person's pathway (child protection for a child, whatever was asked)."""
        return self.person.pathway


def enrol(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    model: MatchModel | None = None,
    registered_on: date | None = None,
) -> Enrolment:
    """Register a participant and record their possible duplicates, or replay the result of
    the earlier request with the same id (its recorded pairs scored again)."""
    earlier = registry.replay(session=session, crypto=crypto, actor=actor, data=data)
    if earlier is not None:
        return _replayed(session=session, crypto=crypto, actor=actor, model=model,
                         enrolment=earlier)
    new = registry.prepare(session=session, crypto=crypto, actor=actor, data=data,
                           registered_on=registered_on)
    digests = sorted(d for kind, d in new.indexes if kind == IndexKind.block.value)
    # PostgreSQL: a registration of the same person in flight waits here until it commits,
    # then is among the candidates (SQLite's one writer orders registrations already)
    dedup.lock_blocks(session, digests)
    candidates = dedup.find_candidates(session=session, crypto=crypto, actor=actor,
                                       draft=draft_record(new), digests=digests,
                                       exclude_person=data.person_id, model=model)
    try:
        with session.begin_nested():
            registered = registry.insert(session=session, crypto=crypto, actor=actor,
                                         entries=[new])[0]
            registration = session.get(Registration, registered.registration_id)
            person = session.get(Person, registered.person_id)
            assert registration is not None
            assert person is not None
    except IntegrityError:
        # a concurrent request with the same id committed first: answer as its replay
        earlier = registry.replay(session=session, crypto=crypto, actor=actor, data=data)
        if earlier is None:
            raise
        return _replayed(session=session, crypto=crypto, actor=actor, model=model,
                         enrolment=earlier)
    enrolment = Enrolment(registration, person, True, candidates)
    _record_matches(session=session, crypto=crypto, actor=actor, model=model,
                    enrolments=[enrolment], source="registration")
    return enrolment


def _replayed(*, session: Session, crypto: FieldCrypto, actor: Principal,
              model: MatchModel | None, enrolment: registry.Enrolment) -> Enrolment:
    partners = dedup.recorded_partners(session, enrolment.registration.id)
    candidates = dedup.score_against(
        crypto=crypto, actor=actor, record=registry_record(crypto, enrolment.registration),
        registrations=partners, model=model, keep_non_matches=True) if partners else []
    return Enrolment(enrolment.registration, enrolment.person, False, candidates)


def _record_matches(*, session: Session, crypto: FieldCrypto, actor: Principal,
                    model: MatchModel | None, enrolments: Sequence[Enrolment],
                    source: str) -> None:
    """Record new registrations' pairs for review and look for the signals they raise."""
    for enrolment in enrolments:
        dedup.record_pairs(session=session, registration_id=enrolment.registration.id,
                           candidates=enrolment.candidates, source=source)
    signals.scan(session=session, crypto=crypto, actor=actor,
                 registration_ids=[e.registration.id for e in enrolments], model=model)


def add_weapon(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    registration_id: uuid.UUID,
    weapon: WeaponIn,
    model: MatchModel | None = None,
) -> Any:
    """Record a weapon handed in after registration; a serial seen before raises an
    integrity signal for the review queue."""
    registration = registry.scoped_registration(session=session, actor=actor,
                                                registration_id=registration_id)
    handover = registry.add_weapon(session=session, crypto=crypto, actor=actor,
                                   registration=registration, weapon=weapon)
    signals.scan(session=session, crypto=crypto, actor=actor,
                 registration_ids=[registration.id], model=model)
    return handover
