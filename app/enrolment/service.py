"""Register a participant: the one way a registration enters the register.

The JSON API and the web form call :func:`enrol`: the request's checks and field rules,
numbering, encryption, blind indexes, the candidate lookup, the pairs recorded for review, the
integrity signals (tracing lists of weapons included), the person's case
(:func:`reintegration.service.open_cases_for`) and the audit trail, all in the caller's
transaction. Bulk imports (:mod:`app.imports`) run the same preparation, insertion and
numbering (:func:`app.registry.service.prepare`, :func:`~app.registry.service.insert` and
:func:`~app.registry.service.number`) a batch of rows at a time, and open the batch's cases
with the same function.

A likely duplicate (a candidate the caller is shown in the "match" band) is never saved
silently. At the desk (`desk` given) the officer must first choose, for each one, to link to
that person or to record "a different person" with a reason — a decision on the pair, as a
reviewer's (:func:`app.dedup.review.decide`); until then nothing is saved
(:class:`LikelyDuplicates`). Offline clients of the API are not blocked: the registration is
saved, the answer says so, and the pair goes to the top of the review queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict
from app.core.security import Principal
from app.dedup import review, signals
from app.dedup import service as dedup
from app.dedup.links import linked_person
from app.dedup.models import CandidatePair, ordered
from app.dedup.records import draft_record, registry_record
from app.dedup.schemas import DecisionIn
from app.registry import service as registry
from app.registry.models import Person, Registration
from app.registry.schemas import CandidateOut, RegistrationIn, WeaponIn
from app.weapons import tracing
from matching import MatchModel
from reintegration.service import open_cases_for

LIKELY = "match"
"""The band of a likely duplicate (the matcher's `match` decision)."""


@dataclass(frozen=True)
class DeskDecisions:
    """What the officer answered at the desk about the likely duplicates a save found:
    candidate registrations judged a different person, each with the reason."""

    different: Mapping[uuid.UUID, str] = field(default_factory=dict)


class LikelyDuplicates(Conflict):
    """Saving found likely duplicates the officer has not decided about; nothing was saved."""

    def __init__(self, candidates: list[CandidateOut]) -> None:
        super().__init__("a likely duplicate was found: link to that person, or say why this "
                         "is a different person")
        self.candidates = candidates


@dataclass
class Enrolment:
    """The outcome of a registration request: the registration, its person, whether it was
    created now (False: a replay of an earlier request with the same id), and the possible
    duplicates found, as the caller may see them."""

    registration: Registration
    person: Person
    created: bool
    candidates: list[CandidateOut] = field(default_factory=list)

    @property
    def pathway(self) -> str:
        """The person's pathway (child protection for a child, whatever was asked)."""
        return self.person.pathway

    @property
    def likely_duplicate(self) -> bool:
        """Whether a candidate is in the likely band (saved without a decision at the desk:
        its pair is first in the review queue)."""
        return any(c.decision == LIKELY for c in self.candidates)


_STORED = (select(Registration, Person).join(Person, col(Person.id) == col(Registration.person_id))
           .where(col(Registration.id) == bindparam("id")))
"""A registration and its person, in one statement."""


def enrol(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    model: MatchModel | None = None,
    registered_on: date | None = None,
    desk: DeskDecisions | None = None,
) -> Enrolment:
    """Register a participant and record their possible duplicates, or replay the result of
    the earlier request with the same id (its recorded pairs scored again). With `desk`, a
    likely duplicate not linked to nor judged different stops the save."""
    earlier = registry.replay(session=session, crypto=crypto, actor=actor, data=data)
    if earlier is not None:
        return _replayed(session=session, crypto=crypto, actor=actor, model=model,
                         enrolment=earlier)
    new = registry.prepare(session=session, crypto=crypto, actor=actor, data=data,
                           registered_on=registered_on)
    via = None
    if data.person_id is not None:
        _person, via = linked_person(session=session, crypto=crypto, actor=actor,
                                     person_id=data.person_id, draft_id=data.id,
                                     token=data.link_token)
    # new.lookups: its blocking digests under every active key version (registrations a
    # rotation has not yet moved are candidates too), computed once by prepare
    # PostgreSQL: a registration of the same person in flight waits here until it commits,
    # then is among the candidates (SQLite's one writer orders registrations already)
    dedup.lock_blocks(session, new.lookups)
    candidates = dedup.find_candidates(session=session, crypto=crypto, actor=actor,
                                       draft=draft_record(new), digests=new.lookups,
                                       exclude_person=data.person_id, model=model,
                                       draft_id=data.id)
    different = dict(desk.different) if desk is not None else {}
    if desk is not None:
        undecided = [c.shown for c in candidates
                     if c.shown.decision == LIKELY and c.registration_id not in different]
        if undecided:
            raise LikelyDuplicates(undecided)
    try:
        with session.begin_nested():
            registered = registry.insert(
                session=session, crypto=crypto, actor=actor, entries=[new],
                details={"different_from": sorted(str(r) for r in different)}
                if different else None)[0]
    except IntegrityError:
        # a concurrent request with the same id committed first: answer as its replay
        earlier = registry.replay(session=session, crypto=crypto, actor=actor, data=data)
        if earlier is None:
            raise
        return _replayed(session=session, crypto=crypto, actor=actor, model=model,
                         enrolment=earlier)
    registration_id = registered.registration_id
    if via is not None:
        record_event(session=session, actor=actor, action="person.link.other_site",
                     object_type="registration", object_id=str(registration_id),
                     site_code=registered.site_code,
                     details={"person_id": str(registered.person_id), "via": str(via)})
    open_cases_for(session=session, actor=actor, registration_ids=[registration_id],
                   new_persons=() if registered.linked else {registered.person_id})
    urgent = {c.registration_id for c in candidates
              if LIKELY in (c.decision, c.shown.decision) and c.registration_id not in different}
    dedup.record_pairs(session=session, registration_id=registration_id, candidates=candidates,
                       source="registration", urgent=urgent)
    _decide_at_desk(session=session, crypto=crypto, actor=actor,
                    registration_id=registration_id, different=different)
    # Numbered last: the site's number counter and the running counts stay locked until the
    # commit. The weapons handed in are recorded with the number (their receipts carry it), so
    # a registration with weapons is scanned once they are, and checked against the tracing
    # lists; one without is scanned before the counter is taken.
    if not data.weapons:
        signals.scan(session=session, crypto=crypto, actor=actor,
                     registration_ids=[registration_id], model=model)
    registry.number(session=session, crypto=crypto, actor=actor, entries=[new])
    if data.weapons:
        signals.scan(session=session, crypto=crypto, actor=actor,
                     registration_ids=[registration_id], model=model)
        tracing.check_registrations(session=session, actor=actor,
                                    registration_ids=[registration_id])
    registration, person = session.execute(
        _STORED.execution_options(populate_existing=True), {"id": registration_id}).one()
    return Enrolment(registration, person, True, dedup.shown(candidates))


def _decide_at_desk(*, session: Session, crypto: FieldCrypto, actor: Principal,
                    registration_id: uuid.UUID, different: Mapping[uuid.UUID, str]) -> None:
    """Record "a different person" on each pair the officer judged so, as a reviewer's
    decision (kept with its reason, audited)."""
    for candidate_id, reason in sorted(different.items(), key=lambda item: str(item[0])):
        a, b = ordered(registration_id, candidate_id)
        pair = session.exec(select(CandidatePair).where(
            CandidatePair.registration_a_id == a, CandidatePair.registration_b_id == b)).first()
        if pair is None:  # no longer a candidate (e.g. judged different on another pair)
            continue
        review.decide(session=session, crypto=crypto, actor=actor, pair_id=pair.id,
                      body=DecisionIn(decision="different_persons", version=pair.version,
                                      reason=reason))


def _replayed(*, session: Session, crypto: FieldCrypto, actor: Principal,
              model: MatchModel | None, enrolment: registry.Enrolment) -> Enrolment:
    partners = dedup.recorded_partners(session, enrolment.registration.id)
    candidates = dedup.score_against(
        crypto=crypto, actor=actor, record=registry_record(crypto, enrolment.registration),
        registrations=partners, model=model, keep_non_matches=True) if partners else []
    dedup.flag_returned(session, candidates)
    return Enrolment(enrolment.registration, enrolment.person, False,
                     dedup.shown(candidates, keep_non_matches=True))


def correct(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    registration_id: uuid.UUID,
    changes: dict[str, Any],
    reason: str,
) -> Registration:
    """Correct a registration (audited, previous values kept); a correction that shows the
    person was a child at registration opens their child case."""
    registration = registry.correct(session=session, crypto=crypto, actor=actor,
                                    registration_id=registration_id, changes=changes,
                                    reason=reason)
    person = session.get(Person, registration.person_id)
    if person is not None and person.is_child:
        open_cases_for(session=session, actor=actor, registration_ids=[registration.id])
    return registration


def add_weapon(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    registration_id: uuid.UUID,
    weapon: WeaponIn,
    model: MatchModel | None = None,
) -> Any:
    """Record a weapon handed in after registration; a serial seen before, or on a tracing
    list, raises an integrity signal for the review queue."""
    registration = registry.scoped_registration(session=session, actor=actor,
                                                registration_id=registration_id)
    handover = registry.add_weapon(session=session, crypto=crypto, actor=actor,
                                   registration=registration, weapon=weapon)
    signals.scan(session=session, crypto=crypto, actor=actor,
                 registration_ids=[registration.id], model=model)
    tracing.check_registrations(session=session, actor=actor,
                                registration_ids=[registration.id])
    return handover

