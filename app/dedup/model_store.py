"""Match model versions trained on reviewed decisions, kept in the database; an admin chooses
which one is active. The active model is looked up at most every few seconds per process, so
activating a version reaches every worker without a restart."""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.errors import Forbidden, NotFound
from app.core.models import utcnow
from app.core.recheck import Recheck
from app.core.roles import Role
from app.core.security import Principal
from app.dedup.models import MatchModelVersion
from matching import MatchModel, model_from_json
from matching.training import TrainReport

_active: Recheck[Engine, tuple[str | None, MatchModel | None]] = Recheck(5.0, weak_keys=True)
"""The active version and its model, by engine (re-read at most every 5 s per process)."""


def store(session: Session, report: TrainReport, actor: Principal) -> MatchModelVersion:
    """Keep a newly trained model (inactive) with its before/after figures."""
    row = MatchModelVersion(
        version=report.model.version, body=json.dumps(report.model.to_json(), ensure_ascii=False),
        report=json.dumps({"before": asdict(report.before), "after": asdict(report.after),
                           "train_pairs": report.train_pairs,
                           "holdout_pairs": report.holdout_pairs}),
        created_by_id=actor.id)
    session.add(row)
    session.flush()
    return row


def versions(session: Session) -> list[MatchModelVersion]:
    """Every stored version, newest first."""
    return list(session.exec(select(MatchModelVersion)
                             .order_by(col(MatchModelVersion.created_at).desc())).all())


def activate(session: Session, actor: Principal, version: str | None) -> None:
    """Make one stored version the model in use (None: back to the configured model)."""
    if actor.role != Role.admin:
        raise Forbidden("only an administrator activates a model")
    if version is not None and session.get(MatchModelVersion, version) is None:
        raise NotFound("model version not found")
    session.execute(update(MatchModelVersion).values(active=False)
                    .where(col(MatchModelVersion.active).is_(True)))
    if version is not None:
        session.execute(update(MatchModelVersion).where(col(MatchModelVersion.version) == version)
                        .values(active=True, activated_at=utcnow(), activated_by_id=actor.id))
    record_event(session=session, actor=actor, action="matching.model.activate",
                 object_type="model", object_id=version or "configured")
    _active.forget(session)


def active_model(session: Session, fallback: MatchModel | None) -> MatchModel | None:
    """The activated model version, else `fallback` (checked at most every few seconds, in
    the caller's unit of work)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    fresh = _active.fresh(engine)
    if fresh is not None:
        return fresh[1] or fallback
    row = session.exec(select(MatchModelVersion.version, MatchModelVersion.body)
                       .where(col(MatchModelVersion.active).is_(True))).first()
    if row is None:
        _active.put(engine, (None, None))
        return fallback
    version, body = row
    last = _active.last(engine)
    model = (last[1] if last is not None and last[0] == version
             else model_from_json(json.loads(body)))
    _active.put(engine, (version, model))
    return model or fallback
