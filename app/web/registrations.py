"""The registration form: enrol, live duplicate panel, side-by-side view, link, child hint."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.audit import record_event
from app.core.errors import DomainError, FieldError
from app.core.security import Principal
from app.dedup import service as dedup
from app.deps import CryptoDep, ModelDep, SessionDep
from app.enrolment.service import enrol
from app.registry import queries, reference, service
from app.registry import validation as rules
from app.web import deps
from app.web.auth import redirect
from app.web.forms import (
    CATEGORY_LABELS,
    DEPENDANT_FIELDS,
    DEPENDANT_ROWS,
    FIELD_LABELS,
    SECTIONS,
    WEAPON_FIELDS,
    WEAPON_ROWS,
    draft_of,
    errors_by_field,
    form_values,
    registration_input,
)
from app.web.rendering import render

router = APIRouter(prefix="/registrations", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)


def _form_page(
    request: Request,
    session: SessionDep,
    actor: Principal,
    values: dict[str, Any],
    errors: list[FieldError] | None = None,
    status_code: int = 200,
    problem: str | None = None,
) -> Response:
    sites = [s for s in reference.list_sites(session=session, active_only=True)
             if actor.can_act_for(s.code)]
    context = {
        "sections": SECTIONS, "weapon_fields": WEAPON_FIELDS, "weapon_rows": range(WEAPON_ROWS),
        "dependant_fields": DEPENDANT_FIELDS, "dependant_rows": range(DEPENDANT_ROWS),
        "sites": sites, "values": values, "errors": errors_by_field(errors or []),
        "problem": problem, "child": _child_state(values.get("date_of_birth")),
        "linked": _linked_state(session, actor, values),
    }
    return render(request, "register.html", context, actor=actor, status_code=status_code)


def _child_state(date_of_birth: object) -> dict[str, Any] | None:
    """Whether a typed date of birth makes the participant a child today (None: unknown)."""
    if not isinstance(date_of_birth, str) or not date_of_birth.strip():
        return None
    birth = rules.parse_birth_date(date_of_birth, None, [])
    if birth is None or birth.year > date.today().year:
        return None
    age = birth.age_on(date.today())
    return {"is_child": age < rules.ADULT_AGE, "age": age}


def _linked_state(session: SessionDep, actor: Principal,
                  values: dict[str, Any]) -> dict[str, str] | None:
    """The person chosen in the duplicate panel, carried through a re-rendered form."""
    person_id = values.get("person_id")
    number = values.get("linked_number")
    if person_id and number:
        return {"person_id": str(person_id), "registration_number": str(number)}
    return None


@router.get("/new")
def new_registration(request: Request, session: SessionDep, actor: deps.Officer) -> Response:
    """Show an empty registration form carrying a fresh client UUID."""
    sites = [s.code for s in reference.list_sites(session=session, active_only=True)
             if actor.can_act_for(s.code)]
    values = {"id": str(uuid.uuid4()), "site": sites[0] if sites else "", "nationality": "LBY",
              "consent": False}
    return _form_page(request, session, actor, values)


@router.post("")
def create_registration(request: Request, session: SessionDep, crypto: CryptoDep,
                        actor: deps.Officer, form: deps.FormDep, model: ModelDep) -> Response:
    """Enrol the participant; a repeated submit of the same form replays, never duplicates."""
    values = form_values(form)
    data, errors = registration_input(form)
    if data is None:
        return _form_page(request, session, actor, values, errors, status_code=422)
    try:
        enrolment = enrol(session=session, crypto=crypto, actor=actor, data=data, model=model)
    except DomainError as exc:
        return _form_page(request, session, actor, values, exc.errors, status_code=exc.status_code,
                          problem=None if exc.errors else exc.detail)
    registration = enrolment.registration
    return redirect(request, f"/persons/{registration.person_id}?registered={registration.id}")


@router.post("/check")
def duplicate_panel(request: Request, session: SessionDep, crypto: CryptoDep,
                    actor: deps.Officer, form: deps.FormDep, model: ModelDep) -> Response:
    """Render the live duplicate panel for the form as typed so far."""
    candidates = dedup.find_candidates(session=session, crypto=crypto, actor=actor,
                                       draft=draft_of(form), model=model)
    return render(request, "_duplicates.html",
                  {"candidates": candidates, "chosen": str(form.get("person_id") or "")},
                  actor=actor)


@router.post("/child-hint")
def child_hint(request: Request, actor: deps.Officer, form: deps.FormDep) -> Response:
    """Say at once whether the child pathway applies to the date of birth typed."""
    return render(request, "_child_hint.html",
                  {"child": _child_state(form.get("date_of_birth"))}, actor=actor)


@router.get("/{registration_id}/compare")
def compare(request: Request, registration_id: uuid.UUID, session: SessionDep,
            crypto: CryptoDep, actor: deps.Officer) -> Response:
    """Show an existing registration beside the form (an audited read)."""
    candidate = queries.get_registration(session=session, crypto=crypto, actor=actor,
                                         registration_id=registration_id)
    template = "_compare.html" if deps.is_htmx(request) else "compare.html"
    return render(request, template, {"candidate": candidate, "labels": FIELD_LABELS,
                                      "categories": CATEGORY_LABELS}, actor=actor)


@router.post("/link")
def choose_link(request: Request, session: SessionDep, actor: deps.Officer,
                form: deps.FormDep) -> Response:
    """Record the officer's choice: link to a candidate's person, or continue as a new person."""
    draft_id = str(form.get("id") or "")
    choice = str(form.get("choice") or "new")
    linked: dict[str, str] | None = None
    details: dict[str, str] = {"choice": choice}
    candidate_id = str(form.get("candidate") or "")
    if candidate_id:
        candidate = service.scoped_registration(session=session, actor=actor,
                                                registration_id=uuid.UUID(candidate_id))
        details["candidate_registration_id"] = candidate_id
        if choice == "link":
            linked = {"person_id": str(candidate.person_id),
                      "registration_number": candidate.registration_number}
            details["person_id"] = str(candidate.person_id)
    record_event(session=session, actor=actor,
                 action="duplicate.link" if linked else "duplicate.continue_new",
                 object_type="registration_draft", object_id=draft_id, details=details)
    return render(request, "_link_choice.html", {"linked": linked, "decided": True}, actor=actor)
