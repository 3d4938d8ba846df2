"""The duplicate check of many new registrations at once: a bulk import's batch.

The online check (:func:`app.dedup.service.find_candidates`) looks up one draft's blocks with
one query, ranks the registrations sharing them and scores the best one pair at a time. A
batch of thousands does the same in bulk, after its registrations were inserted (not yet
committed): one query for the members of all the batch's blocks, each new registration's
candidates ranked as online (the sum, over the blocks it shares, of one over the block's
size; the best :data:`~app.dedup.service.MAX_CANDIDATES`), and every pair scored in one
vectorised call of the matching engine (the same rules and model as online, to the last bit).
The batch's own registrations are among the members, so duplicates inside one file are found
by the same query as those in the registry (earlier batches of the file are in it already).

Candidates are decrypted once and kept, as the matcher reads them, in a bounded cache across
batches: most candidates of a large import are rows of the same file, known in clear already.
"""

from __future__ import annotations

import heapq
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import BindParameter, String, bindparam, cast, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.security import Principal
from app.dedup.records import CANDIDATE_COLUMNS, COMPARED_FIELDS, registry_record
from app.dedup.service import MAX_BLOCK, MAX_CANDIDATES
from app.registry.enums import IndexKind
from app.registry.models import Registration, RegistrationIndex
from app.registry.schemas import CandidateOut
from matching import DEFAULT_SETTINGS, MatchModel
from matching.records import compared_values
from matching.scoring import decide, default_model, pair_components

CHUNK = 5_000  # bound values per statement (SQLite allows 32,766)

_IDS: BindParameter[list[uuid.UUID]] = bindparam("ids", expanding=True)
_BLOCK = col(RegistrationIndex.kind) == IndexKind.block.value
_SHARED_BLOCKS = (select_columns(col(RegistrationIndex.digest)).where(
    _BLOCK, col(RegistrationIndex.digest).in_(select_columns(col(RegistrationIndex.digest))
                                              .where(_BLOCK, col(RegistrationIndex.registration_id)
                                                     .in_(_IDS))))
    .group_by(col(RegistrationIndex.digest))
    .having(func.count() > 1, func.count() <= MAX_BLOCK + 1))
_MEMBERS = (select_columns(col(RegistrationIndex.digest),
                           cast(col(RegistrationIndex.registration_id), String))
            .where(_BLOCK, col(RegistrationIndex.digest).in_(_SHARED_BLOCKS)))
"""The members of every block that registrations (bound as `ids`) share with another: most
blocks of a new registration hold it alone, and say nothing about its candidates; a block
holding more than :data:`~app.dedup.service.MAX_BLOCK` others is left out, as online. The
ids come as text (hex, or hyphenated on PostgreSQL), not as a `UUID` object per row."""
_ROWS = select_columns(*CANDIDATE_COLUMNS).where(col(Registration.id).in_(_IDS))
_INTEGERS = {"year": np.int32, "month": np.int8, "day": np.int8}


@dataclass(frozen=True, slots=True)
class Known:
    """A registration as the check compares it: the matcher's values and where it is."""

    values: Mapping[str, Any]
    person_id: uuid.UUID
    site_code: str
    registration_number: str


class KnownCache:
    """Registrations as the check compares them, by the integer of their id (as the ranking
    gives candidates: no `UUID` object per pair): the most recently used `size`."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._items: OrderedDict[int, Known] = OrderedDict()

    def get(self, registration: int) -> Known | None:
        """The registration (the integer of its id), if it is cached."""
        known = self._items.get(registration)
        if known is not None:
            self._items.move_to_end(registration)
        return known

    def put(self, registration: int, known: Known) -> None:
        """Cache a registration (by the integer of its id), forgetting the least recently
        used beyond the size."""
        self._items[registration] = known
        self._items.move_to_end(registration)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


def known_from_record(record: Mapping[str, str | None], *, person_id: uuid.UUID,
                      site_code: str, registration_number: str) -> Known:
    """A new registration as the check compares it, from its values in clear."""
    return Known(compared_values(record), person_id, site_code, registration_number)


def _chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start:start + CHUNK])


def _members(session: Session, ids: Sequence[uuid.UUID]) -> dict[str, list[int]]:
    """Every registration holding each blocking-key digest that the given registrations
    share with another (committed or in this unit of work), as the integer of its id.

    A large import ranks hundreds of members per row: integers are cheap to add up and
    order (an id's integer orders as its hex digits, the online check's tie-break), where
    a `UUID` object per member row costs its construction, a hash and comparisons in
    Python, and work for the garbage collector."""
    members: dict[str, list[int]] = {}
    integers: dict[str, int] = {}
    connection = session.connection()  # rows as the database gives them, no ORM loading
    for chunk in _chunks(ids):
        found: dict[str, list[int]] = defaultdict(list)
        for digest, text in connection.execute(_MEMBERS, {"ids": chunk}):
            integer = integers.get(text)
            if integer is None:
                integer = integers[text] = uuid.UUID(text).int
            found[digest].append(integer)
        members.update(found)  # a block found from two chunks: its members, once
    return members


def _ranked(registration: int, digests: Sequence[str],
            members: Mapping[str, list[int]]) -> list[int]:
    """A new registration's candidates (integers of ids, as :func:`_members` gives them),
    best first: as online, a shared block counts one over its size (the registration itself
    not counted), ties in the order of the ids."""
    rank: dict[int, float] = defaultdict(float)
    for digest in digests:
        block = members.get(digest, ())
        weight = 1.0 / max(len(block) - 1, 1)
        for other in block:
            rank[other] += weight
    rank.pop(registration, None)
    best = heapq.nsmallest(MAX_CANDIDATES, ((-weight, other) for other, weight in rank.items()))
    return [other for _, other in best]


def _load(session: Session, crypto: FieldCrypto, ids: Sequence[uuid.UUID],
          cache: KnownCache) -> dict[int, Known]:
    """Decrypt the compared fields of registrations not cached yet, and cache them (by the
    integer of their id)."""
    loaded = {}
    for chunk in _chunks(ids):
        for row in session.connection().execute(_ROWS, {"ids": chunk}):
            record = registry_record(crypto, row, COMPARED_FIELDS)
            known = loaded[row.id.int] = Known(compared_values(record), row.person_id,
                                               row.site_code, row.registration_number)
            cache.put(row.id.int, known)
    return loaded


def _prepared(values: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Records as the vectorised scorer reads them (a column of each compared value)."""
    return {c: np.array([v[c] for v in values], dtype=_INTEGERS.get(c, object))
            for c in values[0]}


def check_batch(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    new: Mapping[uuid.UUID, Sequence[str]],
    cache: KnownCache,
    model: MatchModel | None = None,
) -> dict[uuid.UUID, list[CandidateOut]]:
    """The match and possible candidates of each new registration (`new`: id → its blocking
    digests; those not in `cache` are read back, as candidates are). Reasons are left out:
    the review queue explains each pair when it is opened."""
    members = _members(session, list(new))
    # registrations as the integers of their ids until a pair is kept (a few in a hundred)
    pairs = [(rid.int, other) for rid, digests in new.items()
             for other in _ranked(rid.int, digests, members)]
    found: dict[uuid.UUID, list[CandidateOut]] = {rid: [] for rid in new}
    if not pairs:
        return found
    # every registration of a pair, from the cache before loading the others: loading puts
    # them in the cache, which may drop some taken from it when a batch needs more than it holds
    known_of: dict[int, Known | None] = {rid: cache.get(rid)
                                         for rid in {i for pair in pairs for i in pair}}
    missing = [uuid.UUID(int=rid) for rid in sorted(known_of) if known_of[rid] is None]
    known_of.update(_load(session, crypto, missing, cache))
    position: dict[int, int] = {}
    records: list[Known] = []
    for rid, known in known_of.items():
        assert known is not None, "every registration of a pair is stored"
        position[rid] = len(records)
        records.append(known)
    model = model or default_model()
    ia = np.array([position[a] for a, _ in pairs], dtype=np.int64)
    ib = np.array([position[b] for _, b in pairs], dtype=np.int64)
    scored = pair_components(_prepared([k.values for k in records]), ia, ib, model)
    decisions = decide(scored.scores, scored.relatives, DEFAULT_SETTINGS, scored.identifiers)
    new_of = {rid.int: rid for rid in new}
    for (rid, other), score, decision in zip(pairs, scored.scores.tolist(), decisions.tolist(),
                                             strict=True):
        if decision == "non_match":
            continue
        known = records[position[other]]
        found[new_of[rid]].append(CandidateOut(
            registration_id=uuid.UUID(int=other), registration_number=known.registration_number,
            person_id=known.person_id, site=known.site_code, score=round(score, 6),
            decision=decision, model_version=model.version))
    record_event(session=session, actor=actor, action="matching.candidates",
                 object_type="registration",
                 details={"registrations": len(new), "scored": len(pairs), "bulk": True})
    return found
