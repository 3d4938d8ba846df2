"""The page that follows a background job (refreshed by htmx every second while it runs)."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.jobs import get_job, interrupted
from app.deps import SessionDep
from app.web import deps
from app.web.forms import N_
from app.web.rendering import render

router = APIRouter(prefix="/jobs", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)

KIND_LABELS = {"matching.train": N_("Training a match model on reviewers' decisions")}
STAGE_LABELS = {"": N_("Waiting to start"), "decisions": N_("Reading reviewed decisions"),
                "training": N_("Training"), "storing": N_("Storing the new version")}
STATUS_LABELS = {"queued": N_("Waiting to start"), "running": N_("Running"),
                 "done": N_("Finished"), "failed": N_("Failed")}


@router.get("/{job_id}")
def job_page(request: Request, job_id: uuid.UUID, session: SessionDep,
             actor: deps.WebUser) -> Response:
    """A job's stage, progress and, once finished, its result."""
    job = get_job(session=session, actor=actor, job_id=job_id)
    context = {"job": job, "result": json.loads(job.result), "stale": interrupted(job),
               "kinds": KIND_LABELS, "stages": STAGE_LABELS, "statuses": STATUS_LABELS}
    template = "_job.html" if deps.is_htmx(request) else "job.html"
    return render(request, template, context, actor=actor)
