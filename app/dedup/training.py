"""Retrain the match model from the registry's own reviewed duplicate decisions."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.jobs import Progress
from app.core.security import Principal
from app.dedup.model_store import store
from app.dedup.models import CandidatePair
from app.dedup.records import registry_record
from app.registry.models import Registration
from matching import MatchModel
from matching.training import TrainReport, train_model

SAME, DIFFERENT = "same_person", "different_persons"


def decided_pairs(session: Session) -> list[tuple[Registration, Registration, bool]]:
    """Every decided pair's two registrations and whether they are one person."""
    pairs = session.exec(select(CandidatePair).where(
        col(CandidatePair.status).in_((SAME, DIFFERENT)))).all()
    ids = {p.registration_a_id for p in pairs} | {p.registration_b_id for p in pairs}
    registrations = {r.id: r for r in session.exec(
        select(Registration).where(col(Registration.id).in_(ids))).all()} if ids else {}
    return [(registrations[p.registration_a_id], registrations[p.registration_b_id],
             p.status == SAME) for p in pairs]


def reviewed_pairs(crypto: FieldCrypto, decided: list[tuple[Registration, Registration, bool]],
                   progress: Progress | None = None
                   ) -> list[tuple[dict[str, str | None], dict[str, str | None], bool]]:
    """Decided pairs as (record a, record b, same person), decrypted in memory."""
    labelled = []
    for index, (a, b, same) in enumerate(decided, 1):
        labelled.append((registry_record(crypto, a), registry_record(crypto, b), same))
        if progress and (index % 200 == 0 or index == len(decided)):
            progress("decisions", index, len(decided))
    return labelled


def retrain(
    *, engine: Engine, crypto: FieldCrypto, actor: Principal, base: MatchModel | None,
    holdout: float = 0.2, seed: int = 0, progress: Progress | None = None,
) -> TrainReport:
    """Train a new model version on reviewed decisions; report before/after on a held-back
    share. Raises ValueError when there are too few decisions."""
    with Session(engine) as session:  # read, then decrypt with the transaction closed
        decided = decided_pairs(session)
    labelled = reviewed_pairs(crypto, decided, progress)
    if progress:
        progress("training", 0, 1)
    report = train_model(labelled, base=base, holdout=holdout, seed=seed)
    with session_scope(engine) as session:
        record_event(session=session, actor=actor, action="matching.train", object_type="model",
                     object_id=report.model.version,
                     details={"train_pairs": report.train_pairs,
                              "holdout_pairs": report.holdout_pairs,
                              "before_f1": round(report.before.f1, 4),
                              "after_f1": round(report.after.f1, 4)})
    return report


def train_version(*, engine: Engine, crypto: FieldCrypto, actor: Principal,
                  base: MatchModel | None, progress: Progress | None = None
                  ) -> dict[str, object]:
    """Retrain on reviewed decisions and store the new version, inactive (the work of the
    Models page's background job); its figures."""
    report = retrain(engine=engine, crypto=crypto, actor=actor, base=base, progress=progress)
    if progress:
        progress("storing", 1, 1)
    with session_scope(engine) as session:
        store(session, report, actor)
    return {"version": report.model.version, "train_pairs": report.train_pairs,
            "holdout_pairs": report.holdout_pairs, "before_f1": round(report.before.f1, 4),
            "after_f1": round(report.after.f1, 4)}
