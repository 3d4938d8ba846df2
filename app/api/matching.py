"""Duplicate candidates for a draft registration (online matching)."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import CryptoDep, CurrentUser, ModelDep, SessionDep
from app.api.registrations import ERRORS
from app.dedup import service as dedup
from app.registry.schemas import CandidateOut, DraftIn

router = APIRouter(prefix="/matching", tags=["matching"])


@router.post("/candidates", response_model=list[CandidateOut], responses=ERRORS,
             summary="Possible existing registrations of a draft")
def candidates(
    body: DraftIn, session: SessionDep, crypto: CryptoDep, actor: CurrentUser, model: ModelDep
) -> list[CandidateOut]:
    """Score a draft against the registry (blind-indexed blocking, in-memory comparison) and
    return the best candidates with score, decision and reasons. Nothing is saved. Reasons
    name people only for registrations at the caller's sites."""
    draft = body.model_dump(exclude={"limit"})
    return dedup.find_candidates(session=session, crypto=crypto, actor=actor, draft=draft,
                                 limit=body.limit, model=model)
