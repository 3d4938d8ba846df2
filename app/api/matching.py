"""Online matching (candidates for a draft), the duplicate review queue, integrity signals
and match model versions."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app.api.registrations import ERRORS
from app.core.errors import Forbidden
from app.dedup import links, model_store, review, signals
from app.dedup import service as dedup
from app.dedup.permissions import require_reviewer
from app.dedup.schemas import (
    CandidateView,
    CandidateViewIn,
    DecisionIn,
    DecisionOut,
    PairDetail,
    QueueFilters,
    QueueOut,
    SignalDecisionIn,
    SignalOut,
    UndoIn,
)
from app.deps import CryptoDep, CurrentUser, ModelDep, SessionDep, SettingsDep
from app.registry.schemas import CandidateOut, DraftIn

router = APIRouter(prefix="/matching", tags=["matching"])


class ModelVersionOut(BaseModel):
    """A stored match model version."""

    version: str
    created_at: datetime
    active: bool
    report: dict[str, Any]


@router.post("/candidates", response_model=list[CandidateOut], responses={
    **ERRORS, 429: {"description": "too many checks showing other sites' registrations in "
                    "the last hour"}}, summary="Possible existing registrations of a draft")
def candidates(
    body: DraftIn, session: SessionDep, crypto: CryptoDep, actor: CurrentUser, model: ModelDep,
    settings: SettingsDep,
) -> list[CandidateOut]:
    """Score a draft against the registry (blind-indexed blocking, in-memory comparison) and
    return the best candidates with score, decision and reasons. Nothing is saved. Reasons
    name people only for registrations at the caller's sites; one registered elsewhere is
    judged on names and dates alone (identifiers typed are never compared with it), and
    checks that show such registrations are limited per hour. With the draft's `id`, each
    candidate carries a `link_token` for linking to it or viewing it."""
    draft = body.model_dump(exclude={"limit", "id"})
    found = dedup.find_candidates(session=session, crypto=crypto, actor=actor, draft=draft,
                                  limit=body.limit, model=model, draft_id=body.id,
                                  cross_site_limit=settings.cross_site_checks_per_hour)
    return dedup.shown(found)


@router.post("/candidates/{registration_id}/view", response_model=CandidateView,
             responses=ERRORS, summary="A candidate of a draft side by side")
def candidate_view(registration_id: uuid.UUID, body: CandidateViewIn, session: SessionDep,
                   crypto: CryptoDep, actor: CurrentUser) -> CandidateView:
    """The names and dates of a candidate the duplicate check returned for a draft, to decide
    whether it is the same person (audited). A registration at another site needs the
    candidate's `link_token` issued for this draft."""
    return links.candidate_view(session=session, crypto=crypto, actor=actor,
                                registration_id=registration_id, draft_id=body.draft_id,
                                token=body.token)


# -- review queue ----------------------------------------------------------------------------


@router.get("/pairs", response_model=QueueOut, responses=ERRORS,
            summary="The duplicate review queue")
def pairs(filters: Annotated[QueueFilters, Query()], session: SessionDep,
          actor: CurrentUser) -> QueueOut:
    """Candidate pairs at the caller's sites (a pair spanning two sites: reviewers of either),
    filtered and ordered, with open counts per site, the oldest open pair's age and the open
    fraud/integrity signals. No identifying data: open a pair for the side-by-side view."""
    return review.queue(session=session, actor=actor, filters=filters)


@router.get("/pairs/{pair_id}", response_model=PairDetail, responses=ERRORS,
            summary="A pair side by side")
def pair(pair_id: uuid.UUID, session: SessionDep, crypto: CryptoDep, actor: CurrentUser,
         model: ModelDep) -> PairDetail:
    """Both registrations field by field, the score's reasons, both persons and what else is
    linked to them, signals, what a merge would keep, and the pair's decisions (audited)."""
    return review.pair_detail(session=session, crypto=crypto, actor=actor, pair_id=pair_id,
                              model=model)


@router.post("/pairs/{pair_id}/decision", response_model=DecisionOut, responses={
    **ERRORS, 409: {"description": "already decided, or changed since the version you saw"}},
    summary="Decide a pair")
def decide(pair_id: uuid.UUID, body: DecisionIn, session: SessionDep, crypto: CryptoDep,
           actor: CurrentUser) -> DecisionOut:
    """`same_person` merges the two persons (or waits for a supervisor when both have open
    cases or paid benefits); `different_persons` is a cannot-link respected from then on;
    `not_sure` sends the pair to a supervisor. `version` is the pair version you saw."""
    return review.decide(session=session, crypto=crypto, actor=actor, pair_id=pair_id, body=body)


@router.post("/pairs/{pair_id}/undo", response_model=DecisionOut, responses={
    **ERRORS, 409: {"description": "nothing to undo, or the persons changed since"}},
    summary="Undo a merge")
def undo(pair_id: uuid.UUID, body: UndoIn, session: SessionDep, crypto: CryptoDep,
         actor: CurrentUser) -> DecisionOut:
    """Restore both persons, their registrations, cases and payments as before the merge this
    pair's decision made; the pair is open again."""
    return review.undo(session=session, crypto=crypto, actor=actor, pair_id=pair_id,
                       reason=body.reason)


@router.get("/signals", response_model=list[SignalOut], responses=ERRORS,
            summary="Fraud and integrity signals")
def signal_list(session: SessionDep, actor: CurrentUser,
                status: Annotated[Literal["open", "cleared", "confirmed"] | None,
                                  Query()] = "open") -> list[SignalOut]:
    """Signals with a registration at the caller's sites (no shared value is shown)."""
    require_reviewer(actor)
    return signals.signals_for(session=session, actor=actor, status=status)


@router.post("/signals/{signal_id}/decision", response_model=SignalOut, responses=ERRORS,
             summary="Clear or confirm a signal")
def signal_decision(signal_id: uuid.UUID, body: SignalDecisionIn, session: SessionDep,
                    crypto: CryptoDep, actor: CurrentUser) -> SignalOut:
    """`cleared`: explained (e.g. a family phone); `confirmed`: referred as fraud."""
    return signals.decide_signal(session=session, crypto=crypto, actor=actor,
                                 signal_id=signal_id, body=body)


@router.get("/models", response_model=list[ModelVersionOut], responses=ERRORS,
            summary="Match model versions")
def model_versions(session: SessionDep, actor: CurrentUser) -> list[ModelVersionOut]:
    """Versions trained on reviewed decisions (`ddr matching train`), with their before/after
    figures on held-back decisions, and which one is active (admins)."""
    if actor.role != "admin":
        raise Forbidden("only an administrator manages models")
    return [ModelVersionOut(version=v.version, created_at=v.created_at, active=v.active,
                            report=json.loads(v.report)) for v in model_store.versions(session)]


@router.post("/models/{version}/activate", status_code=204, responses=ERRORS,
             summary="Activate a match model version")
def activate_model(version: str, session: SessionDep, actor: CurrentUser) -> Response:
    """Score from now on with this version (`configured` goes back to the shipped or
    configured model). Every pair records the version that scored it."""
    model_store.activate(session, actor, None if version == "configured" else version)
    return Response(status_code=204)
