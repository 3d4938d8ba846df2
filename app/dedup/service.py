"""Online duplicate detection: blind-indexed blocking, in-memory scoring, recorded pairs."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import BindParameter, bindparam, text
from sqlmodel import Session, col, func, or_, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.security import Principal
from app.dedup.models import CandidatePair, ordered
from app.dedup.records import (
    CANDIDATE_COLUMNS,
    COMPARED_FIELDS,
    RegistrationRow,
    person_cannot_link,
    persons_cannot_link,
    registry_record,
)
from app.registry.enums import IndexKind
from app.registry.models import Registration, RegistrationIndex
from app.registry.queries import require_pii_reader
from app.registry.schemas import CandidateOut, Reason
from matching import MatchModel, ScoredPair, blocking_keys, score_candidates

MAX_CANDIDATES = 100  # registrations decrypted and scored per lookup, at most (best ranked)


def block_digests(crypto: FieldCrypto, record: Mapping[str, str | None]) -> list[str]:
    """The blind indexes of a record's blocking keys."""
    return sorted({crypto.blind_index(IndexKind.block.value, key)
                   for key in blocking_keys(record)})


def _candidate_ids() -> Any:
    """The registrations sharing a blocking key with a draft (the blind indexes bound as
    `digests`), best first, at most :data:`MAX_CANDIDATES`, as a subquery (each lookup reads
    its candidates' rows in the same statement).

    A candidate's rank is the sum, over the keys it shares, of one over the key's block size:
    sharing a key with few registrations (a rare name with a year, a date of birth with an
    initial, a phone) says more than sharing a common name with thousands. In a registry of a
    million the blocks of common names hold thousands of registrations; ranking keeps the
    candidates that share the most telling keys instead of an arbitrary few hundred."""
    index = RegistrationIndex
    digests: BindParameter[list[str]] = bindparam("digests", expanding=True)
    blocks = (select(col(index.digest).label("digest"), func.count().label("size"))
              .where(index.kind == IndexKind.block.value, col(index.digest).in_(digests))
              .group_by(col(index.digest)).subquery("blocks"))
    return (select(index.registration_id)
            .join(blocks, blocks.c.digest == index.digest)
            .where(index.kind == IndexKind.block.value, col(index.digest).in_(digests))
            .group_by(col(index.registration_id))
            .order_by(func.sum(1.0 / blocks.c.size).desc(), col(index.registration_id))
            .limit(MAX_CANDIDATES))


_CANDIDATE_ROWS = select(*CANDIDATE_COLUMNS).where(col(Registration.id).in_(_candidate_ids()))
"""The rows of a draft's candidates (blind indexes bound as `digests`)."""


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
    registrations: Sequence[RegistrationRow],
    model: MatchModel | None = None,
    keep_non_matches: bool = False,
) -> list[CandidateOut]:
    """Score a record against registrations; names in reasons only for the caller's sites."""
    by_id = {str(r.id): r for r in registrations}
    scored = score_candidates(
        record, [registry_record(crypto, r, COMPARED_FIELDS) for r in registrations],
        model=model, explain_non_matches=keep_non_matches)
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
    digests: Sequence[str] | None = None,
    limit: int = 10,
    exclude: Iterable[uuid.UUID] = (),
    exclude_person: uuid.UUID | None = None,
    model: MatchModel | None = None,
) -> list[CandidateOut]:
    """Existing registrations that may be the same person as a draft, best first (nothing is
    saved but the audit event of the read). `digests`: the draft's :func:`block_digests`
    when the caller has them; persons judged different from `exclude_person` are left out."""
    require_pii_reader(actor)
    digests = block_digests(crypto, draft) if digests is None else digests
    rows: list[RegistrationRow] = []
    if digests:
        skip = set(exclude)
        different = (person_cannot_link(session, exclude_person) if exclude_person else set())
        rows = [row for row in session.execute(_CANDIDATE_ROWS, {"digests": list(digests)})
                if row.id not in skip and row.person_id != exclude_person
                and row.person_id not in different]
    found = sorted(score_against(crypto=crypto, actor=actor, record=draft, registrations=rows,
                                 model=model), key=lambda c: -c.score)[:limit]
    if rows:
        record_event(session=session, actor=actor, action="matching.candidates",
                     object_type="registration",
                     details={"scored": len(rows),
                              "returned": [str(c.registration_id) for c in found]})
    return found


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
    return record_pairs_many(session=session, candidates={registration_id: candidates},
                             source=source)


def record_pairs_many(
    *,
    session: Session,
    candidates: Mapping[uuid.UUID, Sequence[CandidateOut]],
    source: str,
) -> int:
    """:func:`record_pairs` for many registrations at once (a bulk import's batch), with a
    few set-based queries; a pair found from both sides is stored once."""
    wanted = [rid for rid, found in candidates.items() if found]
    if not wanted:
        return 0
    registrations = {row.id: row for row in session.execute(
        select(Registration.id, Registration.person_id, Registration.site_code)
        .where(col(Registration.id).in_(wanted)))}
    different = persons_cannot_link(session, list({r.person_id for r in registrations.values()}))
    known = {(a, b) for a, b in session.exec(
        select(CandidatePair.registration_a_id, CandidatePair.registration_b_id).where(or_(
            col(CandidatePair.registration_a_id).in_(wanted),
            col(CandidatePair.registration_b_id).in_(wanted)))).all()}
    added = 0
    for registration_id in wanted:
        registration = registrations[registration_id]
        for candidate in candidates[registration_id]:
            if (candidate.person_id in different[registration.person_id]
                    or candidate.person_id == registration.person_id):
                continue
            pair = _pair(registration, candidate, source)
            if (pair.registration_a_id, pair.registration_b_id) not in known:
                known.add((pair.registration_a_id, pair.registration_b_id))
                session.add(pair)
                added += 1
    if added:
        session.flush()
    return added


class _Registered(Protocol):
    id: uuid.UUID
    site_code: str


def _pair(registration: _Registered, candidate: CandidateOut, source: str) -> CandidatePair:
    """The pair of a registration and one of its candidates, for review."""
    a, b = ordered(registration.id, candidate.registration_id)
    sites = {registration.id: registration.site_code, candidate.registration_id: candidate.site}
    return CandidatePair(registration_a_id=a, registration_b_id=b, score=candidate.score,
                         decision=candidate.decision, model_version=candidate.model_version,
                         source=source, site_a=sites[a], site_b=sites[b])


def lock_blocks(session: Session, digests: Sequence[str]) -> None:
    """On PostgreSQL, hold a transaction lock on each of a registration's blocks until commit.

    Two registrations of one person in flight at once share blocks: the second waits here
    until the first has committed, then (read committed: each statement sees what committed
    before it) finds it among its candidates. Locks are taken in one sorted order so two
    registrations never wait for each other. SQLite needs none: its one writer orders
    registrations already."""
    bind = session.get_bind()
    if not digests or bind.dialect.name != "postgresql":
        return
    keys = sorted({int.from_bytes(hashlib.blake2b(d.encode(), digest_size=8,
                                                  person=b"ddr-block").digest(),
                                  "big", signed=True) for d in digests})
    session.execute(text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) "
                         "WITH ORDINALITY AS t(k, n) ORDER BY n"), {"keys": keys}).all()


def recorded_partners(session: Session, registration_id: uuid.UUID) -> list[Registration]:
    """The registrations paired with this one for review."""
    pairs = session.exec(select(CandidatePair).where(or_(
        CandidatePair.registration_a_id == registration_id,
        CandidatePair.registration_b_id == registration_id))).all()
    ids = [p.registration_b_id if p.registration_a_id == registration_id
           else p.registration_a_id for p in pairs]
    if not ids:
        return []
    return list(session.exec(select(Registration).where(col(Registration.id).in_(ids))).all())
