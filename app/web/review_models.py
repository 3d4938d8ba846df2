"""Match model versions trained on reviewed decisions: figures, and which one is active."""

from __future__ import annotations

import json

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import Response

from app.core.jobs import Progress, create_job, run_job
from app.dedup import model_store
from app.dedup.training import train_version
from app.deps import CryptoDep, ModelDep, SessionDep
from app.web import deps
from app.web.auth import redirect
from app.web.rendering import render

router = APIRouter(prefix="/review/models", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)


@router.get("")
def models_page(request: Request, session: SessionDep, actor: deps.WebAdmin) -> Response:
    """Stored versions with precision, recall and F1 before and after, on held-back pairs."""
    versions = [{"version": v.version, "created_at": v.created_at, "active": v.active,
                 "activated_at": v.activated_at, "report": json.loads(v.report)}
                for v in model_store.versions(session)]
    return render(request, "review_models.html",
                  {"versions": versions, "any_active": any(v["active"] for v in versions),
                   "activated": request.query_params.get("activated")}, actor=actor)


@router.post("/train")
def train(request: Request, session: SessionDep, crypto: CryptoDep, actor: deps.WebAdmin,
          model: ModelDep, background: BackgroundTasks) -> Response:
    """Train a new version on reviewers' decisions in the background; follow it on its page."""
    job = create_job(session=session, actor=actor, kind="matching.train")
    engine = request.app.state.engine

    def work(progress: Progress) -> dict[str, object]:
        return train_version(engine=engine, crypto=crypto, actor=actor, base=model,
                             progress=progress)

    background.add_task(run_job, engine=engine, job_id=job.id, work=work)
    return redirect(request, f"/jobs/{job.id}")


@router.post("/{version}/activate")
def activate(request: Request, version: str, session: SessionDep,
             actor: deps.WebAdmin) -> Response:
    """Score with this version from now on (`configured`: back to the shipped model); audited."""
    model_store.activate(session, actor, None if version == "configured" else version)
    return redirect(request, "/review/models?activated=1")
