"""Registry-wide batch duplicate detection: decrypt in memory, run the batch matcher, record
new pairs for review (safe to re-run: pairs already stored are left alone)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.security import Principal
from app.dedup import signals
from app.dedup.enums import CLOSED
from app.dedup.models import CandidatePair, ordered
from app.dedup.records import registry_record
from app.registry.models import Person, Registration
from matching import RECORD_COLUMNS
from matching.batch import dedupe

Progress = Callable[[str, int, int], None]


def registry_frame(session: Session, crypto: FieldCrypto, progress: Progress | None = None
                   ) -> tuple[pd.DataFrame, dict[str, str]]:
    """All registrations of active persons as a record frame, and registration → person."""
    rows = session.exec(select(Registration).join(Person, col(Person.id) == Registration.person_id)
                        .where(Person.status == "active")).all()
    records, person_of = [], {}
    for index, registration in enumerate(rows, 1):
        record = registry_record(crypto, registration)
        records.append({c: record.get(c) or "" for c in RECORD_COLUMNS})
        person_of[str(registration.id)] = str(registration.person_id)
        if progress and index % 1000 == 0:
            progress("decrypt", index, len(rows))
    if progress:
        progress("decrypt", len(rows), len(rows))
    return pd.DataFrame(records, columns=list(RECORD_COLUMNS), dtype=str), person_of


def run_registry_dedupe(
    *, engine: Engine, crypto: FieldCrypto, actor: Principal, progress: Progress | None = None,
    source: str = "batch", jobs: int | None = None,
) -> dict[str, float | int | str]:
    """Run the batch matcher over the whole registry and store new pairs for review (`source`
    says what ran it: a batch run, or an import; `jobs` worker processes score the pairs, the
    number of cores when None)."""
    with Session(engine) as session:
        frame, person_of = registry_frame(session, crypto, progress)
        closed = session.exec(select(CandidatePair).where(
            col(CandidatePair.status).in_(CLOSED))).all()
        cannot = [(str(p.registration_a_id), str(p.registration_b_id)) for p in closed]
        # a `different persons` decision holds for every registration of the two persons
        different = {frozenset((person_of.get(a), person_of.get(b))) for a, b in cannot}
        known = {(str(a), str(b)) for a, b in session.exec(
            select(CandidatePair.registration_a_id, CandidatePair.registration_b_id)).all()}
    if frame.empty:
        return {"records": 0, "new_pairs": 0}
    site_of = dict(zip(frame["record_id"], frame["site"], strict=True))
    result = dedupe(frame, cannot_link=cannot, progress=progress, jobs=jobs)
    new = 0
    with session_scope(engine) as session:
        for row in result.pairs.to_dict("records"):
            a, b = ordered(uuid.UUID(str(row["record_id_a"])), uuid.UUID(str(row["record_id_b"])))
            persons = person_of[str(a)], person_of[str(b)]
            if ((str(a), str(b)) in known or persons[0] == persons[1]
                    or frozenset(persons) in different):
                continue
            session.add(CandidatePair(registration_a_id=a, registration_b_id=b,
                                      score=float(row["score"]), decision=str(row["decision"]),
                                      model_version=str(result.stats["model_version"]),
                                      source=source, site_a=site_of[str(a)],
                                      site_b=site_of[str(b)]))
            known.add((str(a), str(b)))
            new += 1
        session.flush()
        changed = signals.scan(session=session, crypto=crypto, actor=actor)
        stats = {**result.stats, "new_pairs": new, "signals": changed}
        record_event(session=session, actor=actor, action="matching.batch",
                     object_type="registry", details=stats)
    return stats
