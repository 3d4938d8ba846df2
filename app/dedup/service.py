"""Online duplicate detection: blind-indexed blocking, in-memory scoring, recorded pairs."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import BindParameter, bindparam, insert, text
from sqlmodel import Session, col, func, or_, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import TooManyRequests
from app.core.models import AuditEvent, utcnow
from app.core.security import Principal
from app.dedup.links import candidate_token
from app.dedup.models import URGENT, CandidatePair, ordered
from app.dedup.records import (
    CANDIDATE_COLUMNS,
    COMPARED_FIELDS,
    RegistrationRow,
    person_cannot_link,
    persons_cannot_link,
    registry_record,
)
from app.registry.enums import IndexKind
from app.registry.indexes import block_digests
from app.registry.models import Registration, RegistrationIndex
from app.registry.queries import require_pii_reader
from app.registry.schemas import CandidateOut, Reason
from matching import MatchModel, ScoredPair, score_candidates
from reintegration.returns.flags import do_not_reenter

MAX_CANDIDATES = 100  # registrations decrypted and scored per lookup, at most (best ranked)
MAX_BLOCK = 100
"""A block holding more registrations than this is left out of a check: it says little (its
weight is one over its size) and reading it costs as much as the register is large (the
blocks of common names grow with it). The online check and an import's batch both apply it
(ADR 0011)."""
CROSS_SITE_CHECK = "matching.cross_site"
"""The audit action of a check that showed registrations of other sites (counted per user)."""


def _candidate_ids() -> Any:
    """The registrations sharing a blocking key with a draft (the blind indexes bound as
    `digests`), best first, at most :data:`MAX_CANDIDATES`, as a subquery (each lookup reads
    its candidates' rows in the same statement).

    A candidate's rank is the sum, over the keys it shares, of one over the key's block size:
    sharing a key with few registrations (a rare name with a year, a date of birth with an
    initial, a phone) says more than sharing a common name with thousands. In a registry of a
    million the blocks of common names hold thousands of registrations; ranking keeps the
    candidates that share the most telling keys instead of an arbitrary few hundred. Blocks
    of more than :data:`MAX_BLOCK` registrations are left out."""
    index = RegistrationIndex
    digests: BindParameter[list[str]] = bindparam("digests", expanding=True)
    blocks = (select(col(index.digest).label("digest"), func.count().label("size"))
              .where(index.kind == IndexKind.block.value, col(index.digest).in_(digests))
              .group_by(col(index.digest)).having(func.count() <= MAX_BLOCK)
              .subquery("blocks"))
    return (select(index.registration_id)
            .join(blocks, blocks.c.digest == index.digest)
            .where(index.kind == IndexKind.block.value, col(index.digest).in_(digests))
            .group_by(col(index.registration_id))
            .order_by(func.sum(1.0 / blocks.c.size).desc(), col(index.registration_id))
            .limit(MAX_CANDIDATES))


_CANDIDATE_ROWS = select(*CANDIDATE_COLUMNS).where(col(Registration.id).in_(_candidate_ids()))
"""The rows of a draft's candidates (blind indexes bound as `digests`)."""


IDENTIFIER_FIELDS = ("national_id", "phone", "passport_no")
"""What a check never compares for a registration outside the caller's sites: a guessed number
typed beside a known name must not be confirmed (the check is no oracle)."""
DECIDING_FIELDS = frozenset({"given_name", "father_name", "grandfather_name", "family_name",
                             "full_name", "mother_name", "alias", "date_of_birth"})
"""The reasons shown for a registration outside the caller's sites: names and dates only."""


@dataclass(frozen=True)
class Candidate:
    """A registration that may be the same person as a record: as the register records the
    pair (`score` and `decision`, every field compared) and as the caller may see it
    (`shown`: for a registration outside the caller's sites, judged on names and dates
    alone, without the values)."""

    registration_id: uuid.UUID
    person_id: uuid.UUID
    site: str
    score: float
    decision: str
    model_version: str
    shown: CandidateOut


def _reasons(pair: ScoredPair, visible: bool) -> list[Reason]:
    reasons = []
    for c in pair.explanation:
        if not visible and c.field not in DECIDING_FIELDS:
            continue
        params = dict(c.params) if visible else dict.fromkeys(c.params, "…")
        message = c.message if visible else c.template.format(**params)
        reasons.append(Reason(field=c.field, level=c.level, weight=round(c.weight, 3),
                              message=message, template=c.template, params=params))
    return reasons


def _without_identifiers(record: Mapping[str, str | None]) -> dict[str, str | None]:
    return {k: (None if k in IDENTIFIER_FIELDS else value) for k, value in record.items()}


def score_against(
    *,
    crypto: FieldCrypto,
    actor: Principal,
    record: Mapping[str, str | None],
    registrations: Sequence[RegistrationRow],
    model: MatchModel | None = None,
    keep_non_matches: bool = False,
) -> list[Candidate]:
    """Score a record against registrations, best first. The caller sees a registration at
    another site scored again without identifiers (national ID, phone, passport) and with its
    name and date reasons only, values hidden; the pair keeps the full score."""
    by_id = {str(r.id): r for r in registrations}
    records = {r.id: registry_record(crypto, r, COMPARED_FIELDS) for r in registrations}
    scored = score_candidates(record, list(records.values()), model=model,
                              explain_non_matches=keep_non_matches)
    elsewhere = [r.id for r in registrations if not actor.can_act_for(r.site_code)]
    blind = {pair.record_id_b: pair for pair in score_candidates(
        _without_identifiers(record), [_without_identifiers(records[i]) for i in elsewhere],
        model=model, explain_non_matches=keep_non_matches)} if elsewhere else {}
    out = []
    for pair in scored:
        other = by_id[pair.record_id_b]
        seen = blind.get(pair.record_id_b, pair)
        if "non_match" == pair.decision == seen.decision and not keep_non_matches:
            continue
        visible = seen is pair
        out.append(Candidate(
            registration_id=other.id, person_id=other.person_id, site=other.site_code,
            score=pair.score, decision=pair.decision, model_version=pair.model_version,
            shown=CandidateOut(
                registration_id=other.id, registration_number=other.registration_number,
                person_id=other.person_id, site=other.site_code, score=seen.score,
                decision=seen.decision, model_version=seen.model_version,
                reasons=_reasons(seen, visible), restricted=not visible)))
    return out


def shown(candidates: Iterable[Candidate], *, keep_non_matches: bool = False
          ) -> list[CandidateOut]:
    """What the caller sees of candidates (best first as the caller's scores rank them)."""
    return sorted((c.shown for c in candidates
                   if keep_non_matches or c.shown.decision != "non_match"),
                  key=lambda c: -c.score)


def _cross_site_check(session: Session, actor: Principal, found: Sequence[Candidate],
                      draft_id: uuid.UUID | None, limit: int) -> None:
    """Audit a check that shows registrations of other sites; refuse it (429) when the caller
    made `limit` such checks in the last hour."""
    elsewhere = [str(c.registration_id) for c in found
                 if c.shown.restricted and c.shown.decision != "non_match"]
    if not elsewhere:
        return
    since = utcnow() - timedelta(hours=1)
    made = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == actor.id, AuditEvent.actor_username == actor.username,
        AuditEvent.action == CROSS_SITE_CHECK, col(AuditEvent.at) >= since)).one()
    if made >= limit:
        raise TooManyRequests("too many checks showing other sites' registrations in the last "
                              "hour; try again later")
    record_event(session=session, actor=actor, action=CROSS_SITE_CHECK,
                 object_type="registration_draft",
                 object_id=str(draft_id) if draft_id else None,
                 details={"registrations": elsewhere})


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
    draft_id: uuid.UUID | None = None,
    cross_site_limit: int | None = None,
) -> list[Candidate]:
    """Existing registrations that may be the same person as a draft, best first (nothing is
    saved but the audit events of the read). `digests`: the draft's :func:`block_digests`
    when the caller has them; persons judged different from `exclude_person` are left out.

    A check made while typing (`cross_site_limit` given) that shows registrations of other
    sites counts against the caller's hourly limit; with `draft_id`, each candidate carries a
    token that lets this draft link to its person or open it side by side."""
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
                                 model=model),
                   key=lambda c: -max(c.score, c.shown.score))[:limit]
    if draft_id is not None:
        for candidate in found:
            candidate.shown.link_token = candidate_token(
                crypto, draft_id=draft_id, registration_id=candidate.registration_id,
                actor=actor)
    flag_returned(session, found)
    if cross_site_limit is not None:
        _cross_site_check(session, actor, found, draft_id, cross_site_limit)
    if rows:
        record_event(session=session, actor=actor, action="matching.candidates",
                     object_type="registration",
                     details={"scored": len(rows),
                              "returned": [str(c.registration_id) for c in found
                                           if c.shown.decision != "non_match"]})
    return found


def flag_returned(session: Session, candidates: Sequence[Candidate]) -> None:
    """Mark the candidates whose person was handed over to their country of origin
    (do-not-re-enter)."""
    returned = do_not_reenter(session, {c.person_id for c in candidates
                                        if c.shown.decision != "non_match"})
    for candidate in candidates:
        candidate.shown.do_not_reenter = candidate.person_id in returned


def reveal_reasons(pair: ScoredPair) -> list[Reason]:
    """A scored pair's reasons in full (for reviewers, who see both sides anyway)."""
    return _reasons(pair, True)


def record_pairs(
    *,
    session: Session,
    registration_id: uuid.UUID,
    candidates: Sequence[Candidate],
    source: str,
    urgent: Collection[uuid.UUID] = (),
) -> int:
    """Store the pairs of a registration and its candidates for review, once each (a pair
    the caller was shown as a match or possible is stored even when identifiers it did not
    see pull the full score down); return how many are new. Those with a registration in
    `urgent` go to the top of the queue. Pairs with a person judged different from this
    registration's person are not stored again."""
    kept = [c for c in candidates if not ("non_match" == c.decision == c.shown.decision)]
    return record_pairs_many(session=session, candidates={registration_id: kept},
                             source=source, urgent=urgent)


class _Scored(Protocol):
    """A candidate as a pair records it (a :class:`Candidate` or a bulk check's result)."""

    @property
    def registration_id(self) -> uuid.UUID: ...
    @property
    def person_id(self) -> uuid.UUID: ...
    @property
    def site(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def decision(self) -> str: ...
    @property
    def model_version(self) -> str: ...


_IDS: BindParameter[list[uuid.UUID]] = bindparam("ids", expanding=True)
_REGISTERED = select(Registration.id, Registration.person_id, Registration.site_code).where(
    col(Registration.id).in_(_IDS))
_KNOWN_PAIRS = select(CandidatePair.registration_a_id, CandidatePair.registration_b_id).where(
    or_(col(CandidatePair.registration_a_id).in_(_IDS),
        col(CandidatePair.registration_b_id).in_(_IDS)))
_INSERT_PAIRS = insert(CandidatePair)
"""The statements of :func:`record_pairs_many` (built once: every registration runs them)."""


def record_pairs_many(
    *,
    session: Session,
    candidates: Mapping[uuid.UUID, Sequence[_Scored]],
    source: str,
    urgent: Collection[uuid.UUID] = (),
) -> int:
    """:func:`record_pairs` for many registrations at once (a bulk import's batch), with a
    few set-based queries and one insert; a pair found from both sides is stored once."""
    wanted = [rid for rid, found in candidates.items() if found]
    if not wanted:
        return 0
    registrations = {row.id: row for row in session.execute(_REGISTERED, {"ids": wanted})}
    different = persons_cannot_link(session, list({r.person_id for r in registrations.values()}))
    known = {(a, b) for a, b in session.execute(_KNOWN_PAIRS, {"ids": wanted})}
    added = []
    for registration_id in wanted:
        registration = registrations[registration_id]
        for candidate in candidates[registration_id]:
            if (candidate.person_id in different[registration.person_id]
                    or candidate.person_id == registration.person_id):
                continue
            pair = _pair(registration, candidate, source,
                         URGENT if candidate.registration_id in urgent else 0)
            if (pair["registration_a_id"], pair["registration_b_id"]) not in known:
                known.add((pair["registration_a_id"], pair["registration_b_id"]))
                added.append(pair)
    if added:  # plain rows: nothing reads them back as objects in this unit of work
        session.execute(_INSERT_PAIRS, added)
    return len(added)


class _Registered(Protocol):
    id: uuid.UUID
    site_code: str


def _pair(registration: _Registered, candidate: _Scored, source: str,
          priority: int) -> dict[str, Any]:
    """The row of the pair of a registration and one of its candidates, for review."""
    a, b = ordered(registration.id, candidate.registration_id)
    sites = {registration.id: registration.site_code, candidate.registration_id: candidate.site}
    decision = candidate.decision if candidate.decision != "non_match" else "possible"
    return CandidatePair(  # the model's defaults (id, status, version ...), as a plain row
        registration_a_id=a, registration_b_id=b, score=candidate.score, decision=decision,
        model_version=candidate.model_version, source=source, site_a=sites[a],
        site_b=sites[b], priority=priority).model_dump()


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
