"""Online duplicate detection: blind-indexed blocking, in-memory scoring, recorded pairs."""

from __future__ import annotations

import contextvars
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol, cast

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, or_, select

from app.core.audit import event_row, record_event, record_events, request_id_var
from app.core.crypto import FieldCrypto
from app.core.db import read_scope
from app.core.direct import DirectInsertMany, DirectQuery, column_values
from app.core.group_commit import FALLBACK
from app.core.models import new_row
from app.core.security import Principal
from app.dedup import signals
from app.dedup.models import CandidatePair, ordered
from app.registry.enums import IndexKind
from app.registry.models import Registration, RegistrationIndex
from app.registry.queries import require_pii_reader
from app.registry.schemas import CandidateOut, Reason, RegistrationIn
from app.registry.service import (
    CheckedRegistration,
    Enrolment,
    NewRegistration,
    check,
    insert_new,
    register,
)
from matching import RECORD_COLUMNS, MatchModel, ScoredPair, blocking_keys, score_candidates
from matching.records import COMPARED_COLUMNS

MAX_CANDIDATES = 100  # registrations decrypted and scored per lookup, at most (best ranked)
CLOSED = ("different_persons",)


_RECORD_FIELDS = tuple(c for c in RECORD_COLUMNS if c in Registration.ENCRYPTED_FIELDS)
_COMPARED_FIELDS = tuple(c for c in _RECORD_FIELDS if c in COMPARED_COLUMNS)
"""The encrypted fields the matcher reads: only these are decrypted to score a candidate."""


_TABLE = Registration.__tablename__
_CANDIDATE_COLUMNS = (
    Registration.id, Registration.registration_number, Registration.person_id,
    Registration.site_code, Registration.registered_on, Registration.category, Registration.sex,
    Registration.nationality, Registration.version,
    *(getattr(Registration, f) for f in _COMPARED_FIELDS),
)
"""What scoring a candidate reads: its row without the fields the matcher does not compare."""


class RegistrationRow(Protocol):
    """A registration as scoring reads it: a :class:`Registration`, or a row of
    :data:`_CANDIDATE_COLUMNS` (lighter to load by the hundred)."""

    id: uuid.UUID
    registration_number: str
    person_id: uuid.UUID
    site_code: str
    registered_on: date
    category: str
    sex: str
    nationality: str
    version: int


def registry_record(crypto: FieldCrypto, registration: RegistrationRow,
                    fields: Sequence[str] = _RECORD_FIELDS) -> dict[str, str | None]:
    """A registration as a record for the matcher (decrypted; record CSV columns)."""
    row_id = str(registration.id)
    record = {f: crypto.decrypt(getattr(registration, f), table=_TABLE, column=f, row_id=row_id)
              for f in fields}
    record.update(record_id=str(registration.id), site=registration.site_code,
                  registered_on=registration.registered_on.isoformat(),
                  category=registration.category, sex=registration.sex,
                  nationality=registration.nationality)
    return record


def draft_record(data: RegistrationIn, checked: CheckedRegistration) -> dict[str, str | None]:
    """The record :func:`registry_record` will give once `data` is registered, from its
    checked values (nothing to decrypt)."""
    sealed, clear = checked.validated.sealed, checked.validated.clear
    record: dict[str, str | None] = {c: sealed.get(c) or None for c in _RECORD_FIELDS}
    record.update(record_id=str(data.id), site=data.site.upper(),
                  registered_on=checked.registration.registered_on.isoformat(),
                  category=clear["category"], sex=clear["sex"],
                  nationality=clear["nationality"])
    return record


def block_digests(crypto: FieldCrypto, record: Mapping[str, str | None]) -> list[str]:
    """The blind indexes of a record's blocking keys."""
    return [crypto.blind_index(IndexKind.block.value, key) for key in blocking_keys(record)]


def checked_block_digests(checked: CheckedRegistration) -> list[str]:
    """The blind indexes of a checked registration's blocking keys: those
    :func:`block_digests` gives for its :func:`draft_record`, taken from its index entries."""
    return sorted(digest for kind, digest in checked.indexes if kind == IndexKind.block.value)


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


_CANDIDATE_ROWS = DirectQuery(
    select(*_CANDIDATE_COLUMNS).where(col(Registration.id).in_(_candidate_ids())))
"""The rows of a draft's candidates (built once: statement construction costs more than the
execution of a cached statement; run on the driver's cursor, see :class:`DirectQuery`)."""
_CANDIDATE_STATES = DirectQuery(
    select(Registration.id, Registration.version, Registration.person_id).where(
        col(Registration.id).in_(_candidate_ids())))
"""The version and person of each of a draft's candidates."""
_ROWS_OF = DirectQuery(select(*_CANDIDATE_COLUMNS).where(
    col(Registration.id).in_(bindparam("ids", expanding=True))))
"""The rows of the given registrations, as scoring reads them."""
_TAKEN_IDS = DirectQuery(select(Registration.id).where(
    col(Registration.id).in_(bindparam("ids", expanding=True))))
"""Which of the given registration ids are taken."""


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
        record, [registry_record(crypto, r, _COMPARED_FIELDS) for r in registrations],
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
    limit: int = 10,
    exclude: Iterable[uuid.UUID] = (),
    exclude_person: uuid.UUID | None = None,
    model: MatchModel | None = None,
) -> list[CandidateOut]:
    """Existing registrations that may be the same person as a draft (nothing is saved but
    the audit event of the read)."""
    require_pii_reader(actor)
    lookup = Lookup(draft=draft, digests=block_digests(crypto, draft),
                    exclude_person=exclude_person)
    lookup.score(session=session, crypto=crypto, actor=actor, exclude=exclude, model=model)
    return lookup.finish(session=session, actor=actor, limit=limit)


@dataclass
class Lookup:
    """The candidates of a draft, scored in one snapshot and brought up to date in another.

    Scoring (decrypting candidates, comparing them) may run in a read-only unit of work, before
    the writer is taken; :meth:`score` again in the writing unit of work then scores only the
    candidates that appeared or changed (a correction, a merge) in between, so the result is
    what scoring everything under the writer would give.
    """

    draft: Mapping[str, str | None]
    digests: list[str]
    exclude_person: uuid.UUID | None = None
    seen: dict[uuid.UUID, tuple[int, uuid.UUID]] = field(default_factory=dict)
    """Each candidate scored, with the (version, person) it was scored at."""
    found: dict[uuid.UUID, CandidateOut] = field(default_factory=dict)
    """The match and possible ones among them."""
    order: list[uuid.UUID] = field(default_factory=list)
    """The current candidates in the order scoring considers them."""
    looked_up: bool = False
    """Whether the last :meth:`score` found any registration sharing a blocking key."""

    def score(self, *, session: Session, crypto: FieldCrypto, actor: Principal,
              exclude: Iterable[uuid.UUID] = (), model: MatchModel | None = None) -> None:
        """Score the current candidates not yet scored in their current state."""
        skip = set(exclude)
        rows: dict[uuid.UUID, RegistrationRow] = {}
        # plain statements on the unit of work's connection: rows, not ORM entities
        connection = session.connection()
        if not self.digests:
            current = {}
        elif not self.seen:  # nothing scored yet: read the candidates' rows at once
            rows = {row.id: cast(RegistrationRow, row) for row in _CANDIDATE_ROWS.all(
                connection, {"digests": self.digests}) if row.id not in skip}
            current = {rid: (row.version, row.person_id) for rid, row in rows.items()}
        else:
            current = {rid: (version, person) for rid, version, person in _CANDIDATE_STATES.all(
                connection, {"digests": self.digests}) if rid not in skip}
        self.looked_up = bool(current)
        if not current:
            self.order = []
            return
        # a person judged different from this one is never proposed again
        different = (person_cannot_link(session, self.exclude_person)
                     if self.exclude_person else set())
        self.order = [i for i, (_, person) in current.items()
                      if person != self.exclude_person and person not in different]
        stale = [i for i in self.order if self.seen.get(i) != current[i]]
        if not stale:
            return
        for rid in stale:
            self.found.pop(rid, None)
        registrations = [rows[rid] for rid in stale] if rows else cast(
            Sequence[RegistrationRow], _ROWS_OF.all(connection, {"ids": stale}))
        for candidate in score_against(crypto=crypto, actor=actor, record=self.draft,
                                       registrations=registrations, model=model):
            self.found[candidate.registration_id] = candidate
        self.seen.update((r.id, current[r.id]) for r in registrations)

    def finish(self, *, session: Session, actor: Principal, limit: int = 10,
               events: list[dict[str, Any]] | None = None) -> list[CandidateOut]:
        """The best `limit` candidates, with the audit event of the read (added to `events`
        for the caller to insert, when given)."""
        if not self.looked_up:
            return []
        ranked = [self.found[i] for i in self.order if i in self.found]
        found = sorted(ranked, key=lambda c: -c.score)[:limit]
        event: dict[str, Any] = {"action": "matching.candidates", "object_type": "registration",
                 "details": {"scored": len(self.order),
                             "returned": [str(c.registration_id) for c in found]}}
        if events is None:
            record_event(session=session, actor=actor, **event)
        else:
            events.append(event_row(actor=actor, **event))
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
    new: bool = False,
    registration: Registration | None = None,
) -> int:
    """Store match/possible pairs for review, once each; return how many were new. Pairs with
    a person judged different from this registration's person are not stored again.

    `new` says the registration and its person were both created in this unit of work, so
    neither has a pair or a decision yet (nothing to look up); `registration` is the
    registration itself when the caller holds it."""
    added = 0
    registration = registration or session.get(Registration, registration_id)
    assert registration is not None
    different: set[uuid.UUID] = set()
    known: set[tuple[uuid.UUID, uuid.UUID]] = set()
    if candidates and not new:
        different = person_cannot_link(session, registration.person_id)
        known = {(a, b) for a, b in session.exec(
            select(CandidatePair.registration_a_id, CandidatePair.registration_b_id).where(or_(
                CandidatePair.registration_a_id == registration_id,
                CandidatePair.registration_b_id == registration_id))).all()}
    for candidate in candidates:
        if candidate.person_id in different or candidate.person_id == registration.person_id:
            continue
        pair = _pair(registration, candidate, source)
        if (pair.registration_a_id, pair.registration_b_id) not in known:
            known.add((pair.registration_a_id, pair.registration_b_id))
            session.add(pair)
            added += 1
    if added:
        session.flush()
    return added


def _pair(registration: Registration, candidate: CandidateOut, source: str,
          for_statement: bool = False) -> CandidatePair:
    """The pair of a registration and one of its candidates, for review (`for_statement`:
    to be inserted by a plain statement, not added to the session; see :func:`new_row`)."""
    a, b = ordered(registration.id, candidate.registration_id)
    sites = {registration.id: registration.site_code, candidate.registration_id: candidate.site}
    values: dict[str, Any] = {
        "registration_a_id": a, "registration_b_id": b, "score": candidate.score,
        "decision": candidate.decision, "model_version": candidate.model_version,
        "source": source, "site_a": sites[a], "site_b": sites[b]}
    return new_row(CandidatePair, **values) if for_statement else CandidatePair(**values)


_INSERT_PAIRS = DirectInsertMany(
    CandidatePair, [c.key for c in CandidatePair.__table__.columns])  # type: ignore[attr-defined]


@dataclass
class PreparedRegistration:
    """What :func:`prepare_registration` found before the writer is taken: the request's
    checks (None when its id is already taken: a replay) and its candidates, scored."""

    checked: CheckedRegistration | None = None
    lookup: Lookup | None = None


def prepare_registration(
    *,
    engine: Engine,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    model: MatchModel | None = None,
    pause: Callable[[], None] = lambda: None,
) -> PreparedRegistration:
    """Check a registration request and score its candidates (decrypting them, comparing
    them) in a read-only unit of work: the part of :func:`register_and_match` that needs no
    writer. Raises what the checks raise (a field error, a role or site refused).

    `pause` is called before each step (see :meth:`app.core.group_commit.GroupCommit.pause`)."""
    pause()
    with read_scope(engine) as reading:
        checked = check(session=reading, crypto=crypto, actor=actor, data=data)
        if checked is None:
            return PreparedRegistration()
        require_pii_reader(actor)
        pause()
        draft = draft_record(data, checked)
        # the blocking keys' blind indexes were computed with the registration's own (the
        # same keys of the same values): not again
        lookup = Lookup(draft=draft, digests=checked_block_digests(checked),
                        exclude_person=data.person_id)
        lookup.score(session=reading, crypto=crypto, actor=actor, model=model)
        return PreparedRegistration(checked, lookup)


def register_and_match(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    data: RegistrationIn,
    model: MatchModel | None = None,
    prepared: PreparedRegistration | None = None,
) -> tuple[Enrolment, list[CandidateOut]]:
    """Register, then find and record possible duplicates of the new registration.
    A replay returns the pairs recorded the first time, scored again.

    The checks and the scoring of candidates run first, in a read-only unit of work
    (:func:`prepare_registration`; `prepared` when the caller ran it already); `session` —
    on SQLite, the single writer — then only inserts, scores the candidates that appeared or
    changed meanwhile and records the pairs."""
    if prepared is None:
        engine = session.get_bind()
        prepared = (prepare_registration(engine=engine, crypto=crypto, actor=actor, data=data,
                                         model=model)
                    if isinstance(engine, Engine) else PreparedRegistration())
    checked, lookup = prepared.checked, prepared.lookup
    if lookup is not None:
        lock_blocks(session, lookup.digests)
    enrolment = register(session=session, crypto=crypto, actor=actor, data=data,
                         checked=checked)
    registration = enrolment.registration
    if not enrolment.created or lookup is None:
        record = registry_record(crypto, registration)
        if not enrolment.created:
            partners = _recorded_partners(session, registration.id)
            if not partners:
                return enrolment, []
            return enrolment, score_against(crypto=crypto, actor=actor, record=record,
                                            registrations=partners, model=model,
                                            keep_non_matches=True)
        candidates = find_candidates(session=session, crypto=crypto, actor=actor, draft=record,
                                     exclude={registration.id},
                                     exclude_person=registration.person_id, model=model)
    else:
        candidates = _finish_lookup(session=session, crypto=crypto, actor=actor, data=data,
                                    model=model, lookup=lookup, exclude={registration.id})
    _record_matches(session=session, crypto=crypto, actor=actor, data=data, model=model,
                    enrolment=enrolment, candidates=candidates)
    return enrolment, candidates


def _finish_lookup(*, session: Session, crypto: FieldCrypto, actor: Principal,
                   data: RegistrationIn, model: MatchModel | None, lookup: Lookup,
                   exclude: set[uuid.UUID], events: list[dict[str, Any]] | None = None
                   ) -> list[CandidateOut]:
    """Bring a registration's scored candidates up to date under the writer (the candidates
    that appeared or changed since they were scored), with the audit event of the read."""
    # a new person has no other registration and no decision yet: nothing more to exclude
    lookup.exclude_person = data.person_id
    lookup.score(session=session, crypto=crypto, actor=actor, exclude=exclude, model=model)
    return lookup.finish(session=session, actor=actor, events=events)


def _record_matches(*, session: Session, crypto: FieldCrypto, actor: Principal,
                    data: RegistrationIn, model: MatchModel | None, enrolment: Enrolment,
                    candidates: list[CandidateOut]) -> None:
    """Record a new registration's pairs for review and look for the signals it raises."""
    registration = enrolment.registration
    new_person = enrolment.created and data.person_id is None
    record_pairs(session=session, registration_id=registration.id, candidates=candidates,
                 source="registration", new=new_person, registration=registration)
    signals.scan(session=session, crypto=crypto, actor=actor, registration_ids=[registration.id],
                 model=model, weapons=bool(data.weapons),
                 payments=not (new_person and not candidates))


@dataclass
class GroupedRegistration:
    """A registration request, checked and scored (:func:`prepare_registration`), in the form
    a group commit writes together with others (:func:`write_registrations`)."""

    crypto: FieldCrypto
    actor: Principal
    data: RegistrationIn
    model: MatchModel | None
    prepared: PreparedRegistration

    @property
    def plain(self) -> bool:
        """Whether it can be written with others: it passed its checks (its id was free) and
        creates a person, with no weapon or dependant."""
        checked = self.prepared.checked
        return (checked is not None and self.prepared.lookup is not None
                and NewRegistration(self.actor, self.data, checked, None).plain)


def write_registrations(session: Session,
                        entries: list[tuple[contextvars.Context, GroupedRegistration]]
                        ) -> list[Any]:
    """:func:`register_and_match` for several registrations at once, under SQLite's writer
    (the batch writer of :class:`~app.core.group_commit.GroupCommit`), in a few statements
    for all of them instead of a dozen each.

    The registrations are inserted with one statement per table
    (:func:`~app.registry.service.insert_new`). Then each one's candidates are brought up to
    date, in order, as if it had been registered on its own after the ones before it (the ones
    after it are not among its candidates; they find it among theirs); their pairs and the
    audit events of the reads go in with one statement each. Signals are looked for only
    where they can be: for a registration with candidates (a payment to one of them), or one
    sharing a document or phone with another registration (one statement finds those) that is
    not written after it here. (Where three or more share one document within the group, the
    signal is raised with all of them by the first, where one by one it would be raised by the
    second and grow with the third: the same signal in the end.)
    Those whose id is already taken, by an earlier request or by one before it here, are
    left to :func:`register_and_match` (:data:`~app.core.group_commit.FALLBACK`): they are
    replays."""
    results: list[Any] = [FALLBACK] * len(entries)
    taken = {row.id for row in _TAKEN_IDS.all(
        session.connection(), {"ids": [item.data.id for _, item in entries]})}
    chosen: list[int] = []
    for i, (_, item) in enumerate(entries):
        if item.plain and item.data.id not in taken:
            taken.add(item.data.id)
            chosen.append(i)
    if not chosen:
        return results
    enrolments = insert_new(session=session, entries=[
        NewRegistration(item.actor, item.data, cast(CheckedRegistration, item.prepared.checked),
                        context.run(request_id_var.get))
        for context, item in (entries[i] for i in chosen)])
    ids = [entries[i][1].data.id for i in chosen]
    events: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    found: list[list[CandidateOut]] = []
    for position, (i, enrolment) in enumerate(zip(chosen, enrolments, strict=True)):
        context, item = entries[i]
        lookup = cast(Lookup, item.prepared.lookup)
        # a copy: if the batch is rolled back, the request's own write phase starts afresh
        lookup = replace(lookup, seen=dict(lookup.seen), found=dict(lookup.found),
                         order=list(lookup.order))
        candidates = context.run(
            _finish_lookup, session=session, crypto=item.crypto, actor=item.actor,
            data=item.data, model=item.model, lookup=lookup, exclude=set(ids[position:]),
            events=events)
        for candidate in candidates:
            pair = _pair(enrolment.registration, candidate, "registration", for_statement=True)
            pairs.append(column_values(pair))
        found.append(candidates)
        results[i] = (enrolment, candidates)
    _INSERT_PAIRS.execute(session.connection(), pairs)
    record_events(session=session, rows=events)
    sharing = signals.sharing_documents(session, ids)
    for position, (i, candidates) in enumerate(zip(chosen, found, strict=True)):
        registration_id = ids[position]
        # as on its own: a registration written after it here is not yet there to share with
        if candidates or sharing.get(registration_id, set()) - set(ids[position + 1:]):
            context, item = entries[i]
            context.run(signals.scan, session=session, crypto=item.crypto, actor=item.actor,
                        registration_ids=[registration_id], model=item.model, weapons=False,
                        payments=bool(candidates))
    return results


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


def _recorded_partners(session: Session, registration_id: uuid.UUID) -> list[Registration]:
    pairs = session.exec(select(CandidatePair).where(or_(
        CandidatePair.registration_a_id == registration_id,
        CandidatePair.registration_b_id == registration_id))).all()
    ids = [p.registration_b_id if p.registration_a_id == registration_id
           else p.registration_a_id for p in pairs]
    if not ids:
        return []
    return list(session.exec(select(Registration).where(col(Registration.id).in_(ids))).all())
