"""Online duplicate detection: blind-indexed blocking, in-memory scoring, recorded pairs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

from sqlmodel import Session, col, or_, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.sealed import unseal
from app.core.security import Principal
from app.dedup import signals
from app.dedup.models import CandidatePair, ordered
from app.registry.enums import IndexKind
from app.registry.models import Registration, RegistrationIndex
from app.registry.queries import require_pii_reader
from app.registry.schemas import CandidateOut, Reason, RegistrationIn
from app.registry.service import Enrolment, register
from matching import RECORD_COLUMNS, MatchModel, ScoredPair, blocking_keys, score_candidates

MAX_CANDIDATES = 400  # registrations decrypted and scored per lookup, at most
CLOSED = ("different_persons",)


def registry_record(crypto: FieldCrypto, registration: Registration) -> dict[str, str | None]:
    """A registration as a record for the matcher (decrypted; record CSV columns)."""
    values = unseal(crypto, registration)
    record: dict[str, str | None] = {c: values.get(c) for c in RECORD_COLUMNS if c in values}
    record.update(record_id=str(registration.id), site=registration.site_code,
                  registered_on=registration.registered_on.isoformat(),
                  category=registration.category, sex=registration.sex,
                  nationality=registration.nationality)
    return record


def block_digests(crypto: FieldCrypto, record: Mapping[str, str | None]) -> list[str]:
    """The blind indexes of a record's blocking keys."""
    return [crypto.blind_index(IndexKind.block.value, key) for key in blocking_keys(record)]


def _candidate_ids(session: Session, digests: Sequence[str]) -> list[uuid.UUID]:
    if not digests:
        return []
    rows = session.exec(
        select(RegistrationIndex.registration_id)
        .where(RegistrationIndex.kind == IndexKind.block.value,
               col(RegistrationIndex.digest).in_(digests))
        .distinct().limit(MAX_CANDIDATES)
    ).all()
    return list(rows)


def _redacted(pair: ScoredPair, visible: bool) -> list[Reason]:
    reasons = []
    for c in pair.explanation:
        params = dict(c.params) if visible else dict.fromkeys(c.params, "…")
        message = c.message if visible else c.template.format(**params)
        reasons.append(Reason(field=c.field, level=c.level, weight=round(c.weight, 3),
                              message=message, template=c.template, params=params))
    return reasons


def score_against(
    *,
    crypto: FieldCrypto,
    actor: Principal,
    record: Mapping[str, str | None],
    registrations: Sequence[Registration],
    model: MatchModel | None = None,
    keep_non_matches: bool = False,
) -> list[CandidateOut]:
    """Score a record against registrations; names in reasons only for the caller's sites."""
    by_id = {str(r.id): r for r in registrations}
    scored = score_candidates(record, [registry_record(crypto, r) for r in registrations],
                              model=model)
    out = []
    for pair in scored:
        if pair.decision == "non_match" and not keep_non_matches:
            continue
        other = by_id[pair.record_id_b]
        out.append(CandidateOut(
            registration_id=other.id, registration_number=other.registration_number,
            person_id=other.person_id, site=other.site_code, score=pair.score,
            decision=pair.decision, model_version=pair.model_version,
            reasons=_redacted(pair, actor.can_act_for(other.site_code))))
    return out


def find_candidates(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    draft: Mapping[str, str | None],
    limit: int = 10,
    exclude: Iterable[uuid.UUID] = (),
    exclude_person: uuid.UUID | None = None,
    model: MatchModel | None = None,
) -> list[CandidateOut]:
    """Existing registrations that may be the same person as a draft (nothing is saved but
    the audit event of the read)."""
    require_pii_reader(actor)
    skip = set(exclude)
    ids = [i for i in _candidate_ids(session, block_digests(crypto, draft)) if i not in skip]
    if not ids:
        return []
    # a person judged different from this one is never proposed again
    different = person_cannot_link(session, exclude_person) if exclude_person else set()
    registrations = [r for r in session.exec(
        select(Registration).where(col(Registration.id).in_(ids))).all()
        if r.person_id != exclude_person and r.person_id not in different]
    found = score_against(crypto=crypto, actor=actor, record=draft,
                          registrations=registrations, model=model)[:limit]
    record_event(session=session, actor=actor, action="matching.candidates",
                 object_type="registration",
                 details={"scored": len(registrations),
                          "returned": [str(c.registration_id) for c in found]})
    return found


def cannot_link(session: Session, registration_id: uuid.UUID) -> set[uuid.UUID]:
    """Registrations judged a different person from this one."""
    pairs = session.exec(select(CandidatePair).where(
        col(CandidatePair.status).in_(CLOSED),
        or_(CandidatePair.registration_a_id == registration_id,
            CandidatePair.registration_b_id == registration_id))).all()
    return {p.registration_b_id if p.registration_a_id == registration_id
            else p.registration_a_id for p in pairs}


def person_cannot_link(session: Session, person_id: uuid.UUID) -> set[uuid.UUID]:
    """Persons judged different from this one (on any pair of their registrations)."""
    mine = select(Registration.id).where(Registration.person_id == person_id)
    pairs = session.exec(select(CandidatePair.registration_a_id,
                                CandidatePair.registration_b_id).where(
        col(CandidatePair.status).in_(CLOSED),
        or_(col(CandidatePair.registration_a_id).in_(mine),
            col(CandidatePair.registration_b_id).in_(mine)))).all()
    others = {rid for pair in pairs for rid in pair}
    if not others:
        return set()
    persons = set(session.exec(select(Registration.person_id).where(
        col(Registration.id).in_(others))).all())
    return persons - {person_id}


def reveal_reasons(pair: ScoredPair) -> list[Reason]:
    """A scored pair's reasons in full (for reviewers, who see both sides anyway)."""
    return _redacted(pair, True)


def record_pairs(
    *,
    session: Session,
    registration_id: uuid.UUID,
    candidates: Sequence[CandidateOut],
    source: str,
) -> int:
    """Store match/possible pairs for review, once each; return how many were new. Pairs with
    a person judged different from this registration's person are not stored again."""
    added = 0
    registration = session.get(Registration, registration_id)
    assert registration is not None
    different = person_cannot_link(session, registration.person_id) if candidates else set()
    for candidate in candidates:
        if candidate.person_id in different or candidate.person_id == registration.person_id:
            continue
        a, b = ordered(registration_id, candidate.registration_id)
        exists = session.exec(select(CandidatePair.id).where(
            CandidatePair.registration_a_id == a, CandidatePair.registration_b_id == b)).first()
        if exists is None:
            sites = {registration_id: registration.site_code,
                     candidate.registration_id: candidate.site}
            session.add(CandidatePair(registration_a_id=a, registration_b_id=b,
                                      score=candidate.score, decision=candidate.decision,
                                      model_version=candidate.model_version, source=source,
                                      site_a=sites[a], site_b=sites[b]))
            added += 1
    session.flush()
    return added


def register_and_match(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    model: MatchModel | None = None,
) -> tuple[Enrolment, list[CandidateOut]]:
    """Register, then find and record possible duplicates of the new registration.
    A replay returns the pairs recorded the first time, scored again."""
    enrolment = register(session=session, crypto=crypto, actor=actor, data=data)
    registration = enrolment.registration
    record = registry_record(crypto, registration)
    if not enrolment.created:
        partners = _recorded_partners(session, registration.id)
        if not partners:
            return enrolment, []
        return enrolment, score_against(crypto=crypto, actor=actor, record=record,
                                        registrations=partners, model=model,
                                        keep_non_matches=True)
    candidates = find_candidates(session=session, crypto=crypto, actor=actor, draft=record,
                                 exclude={registration.id}, exclude_person=registration.person_id,
                                 model=model)
    record_pairs(session=session, registration_id=registration.id, candidates=candidates,
                 source="registration")
    signals.scan(session=session, crypto=crypto, actor=actor, registration_ids=[registration.id],
                 model=model)
    return enrolment, candidates


def _recorded_partners(session: Session, registration_id: uuid.UUID) -> list[Registration]:
    pairs = session.exec(select(CandidatePair).where(or_(
        CandidatePair.registration_a_id == registration_id,
        CandidatePair.registration_b_id == registration_id))).all()
    ids = [p.registration_b_id if p.registration_a_id == registration_id
           else p.registration_a_id for p in pairs]
    if not ids:
        return []
    return list(session.exec(select(Registration).where(col(Registration.id).in_(ids))).all())
