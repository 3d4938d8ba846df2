"""The registration form: enrol, rows of weapons and dependants, the live duplicate panel,
candidates side by side, linking, the save-time decision on likely duplicates, child hint.

Every page here is for roles that register participants: others are refused (403) before any
form is shown.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.core.audit import record_event
from app.core.errors import DomainError, FieldError
from app.core.security import Principal
from app.dedup import links
from app.dedup import service as dedup
from app.deps import CryptoDep, ModelDep, SessionDep, SettingsDep
from app.enrolment.service import DeskDecisions, LikelyDuplicates, enrol
from app.registry import queries, reference
from app.registry import service as registry
from app.registry import validation as rules
from app.registry.schemas import CandidateOut
from app.web import deps
from app.web.auth import redirect
from app.web.form_input import (
    ParsedForm,
    desk_choices,
    draft_id,
    draft_of,
    errors_by_field,
    posted_rows,
    read_form,
    row_action,
)
from app.web.forms import ROW_KINDS, SECTIONS, record_labels
from app.web.rendering import render

router = APIRouter(prefix="/registrations", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)


def _form_page(
    request: Request,
    session: Session,
    actor: Principal,
    parsed: ParsedForm,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
    problem: str | None = None,
    likely: list[CandidateOut] | None = None,
) -> Response:
    sites = [s for s in reference.list_sites(session=session, active_only=True)
             if actor.can_act_for(s.code)]
    values = parsed.values
    context = {
        "sections": SECTIONS, "row_kinds": ROW_KINDS, "rows": parsed.rows, "sites": sites,
        "values": values, "errors": errors_by_field(errors or []), "error_list": errors or [],
        "problem": problem, "child": _child_state(values.get("date_of_birth")),
        "linked": _linked_state(values), "likely": likely or [],
        "category": values.get("category") or "",
        "groups": reference.list_armed_groups(session=session, active_only=True),
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


def _linked_state(values: dict[str, Any]) -> dict[str, str] | None:
    """The person chosen in the duplicate panel, carried through a re-rendered form."""
    person_id, number = values.get("person_id"), values.get("linked_number")
    if person_id and number:
        return {"person_id": str(person_id), "registration_number": str(number),
                "link_token": str(values.get("link_token") or "")}
    return None


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@router.get("/new")
def new_registration(request: Request, session: SessionDep,
                     actor: deps.Registrar) -> Response:
    """Show an empty registration form carrying a fresh client UUID."""
    sites = [s.code for s in reference.list_sites(session=session, active_only=True)
             if actor.can_act_for(s.code)]
    values = {"id": str(uuid.uuid4()), "site": sites[0] if sites else "", "nationality": "LBY",
              "consent": False}
    rows = dict.fromkeys(ROW_KINDS, 1)
    return _form_page(request, session, actor, ParsedForm(values, rows, None, {}))


@router.post("")
def create_registration(request: Request, session: SessionDep, crypto: CryptoDep,
                        actor: deps.Registrar, form: deps.FormDep, model: ModelDep) -> Response:
    """Enrol the participant; every problem is reported at once, a likely duplicate asks the
    officer to decide, and a repeated submit of the same form replays, never duplicates."""
    rows = posted_rows(form)
    if row_action(form, rows):  # add or remove a row without script: show the form again
        return _form_page(request, session, actor, read_form(form, rows))
    parsed = read_form(form, rows)
    choices = desk_choices(form)
    if parsed.data is None:
        errors = parsed.errors + registry.check_rules(session=session, body=parsed.body,
                                                      unreadable=parsed.unreadable)
        return _form_page(request, session, actor, parsed, errors, status_code=422)
    data = parsed.data
    if choices.link is not None:
        data = data.model_copy(update={"person_id": choices.link[0],
                                       "link_token": choices.link[1] or None})
    try:
        # an answer left incomplete counts as none: asked again while still needed
        enrolment = enrol(session=session, crypto=crypto, actor=actor, data=data, model=model,
                          desk=DeskDecisions(different=choices.different))
    except LikelyDuplicates as exc:
        return _form_page(request, session, actor, parsed, choices.errors,
                          status_code=422 if choices.errors else exc.status_code,
                          likely=exc.candidates)
    except DomainError as exc:
        return _form_page(request, session, actor, parsed, exc.errors,
                          status_code=exc.status_code, problem=None if exc.errors else exc.detail)
    registration = enrolment.registration
    return redirect(request, f"/persons/{registration.person_id}?registered={registration.id}")


@router.get("/row")
def new_row(request: Request, actor: deps.Registrar, kind: str, index: int) -> Response:
    """One more empty weapon or dependant row (and the add button for the next one)."""
    if kind not in ROW_KINDS or not 0 <= index < 100:
        raise DomainError("no such row")
    return render(request, "_form_row.html",
                  {"kind": kind, "index": index, "row_kinds": ROW_KINDS, "values": {},
                   "errors": {}, "oob": True}, actor=actor)


@router.get("/row/removed")
def removed_row(request: Request, actor: deps.Registrar) -> Response:
    """Answer a row's remove button (htmx deletes the row it belongs to)."""
    return Response(status_code=200)


@router.post("/check")
def duplicate_panel(request: Request, session: SessionDep, crypto: CryptoDep,
                    actor: deps.Registrar, form: deps.FormDep, model: ModelDep,
                    settings: SettingsDep) -> Response:
    """Render the live duplicate panel for the form as typed so far."""
    found = dedup.find_candidates(session=session, crypto=crypto, actor=actor,
                                  draft=draft_of(form), model=model, draft_id=draft_id(form),
                                  cross_site_limit=settings.cross_site_checks_per_hour)
    return render(request, "_duplicates.html",
                  {"candidates": dedup.shown(found), "draft_id": draft_id(form),
                   "chosen": str(form.get("person_id") or "")}, actor=actor)


@router.post("/child-hint")
def child_hint(request: Request, actor: deps.Registrar, form: deps.FormDep) -> Response:
    """Say at once whether the child pathway applies to the date of birth typed."""
    return render(request, "_child_hint.html",
                  {"child": _child_state(form.get("date_of_birth"))}, actor=actor)


@router.post("/{registration_id}/compare")
def compare(request: Request, registration_id: uuid.UUID, session: SessionDep,
            crypto: CryptoDep, actor: deps.Registrar, form: deps.FormDep) -> Response:
    """Show a candidate beside the form (an audited read): all of a registration at the
    officer's sites; names and dates of one at another site, with the draft's token."""
    registration = links.chosen_candidate(
        session=session, crypto=crypto, actor=actor, registration_id=registration_id,
        draft_id=draft_id(form) or uuid.UUID(int=0), token=str(form.get("token") or ""))
    if actor.can_act_for(registration.site_code):
        context: dict[str, Any] = {"candidate": queries.get_registration(
            session=session, crypto=crypto, actor=actor, registration_id=registration_id)}
    else:
        context = {"restricted": links.candidate_view(
            session=session, crypto=crypto, actor=actor, registration_id=registration_id,
            draft_id=draft_id(form) or uuid.UUID(int=0), token=str(form.get("token") or ""))}
    template = "_compare.html" if deps.is_htmx(request) else "compare.html"
    return render(request, template, {
        **context, **record_labels(), "groups": reference.armed_groups_by_code(session=session),
    }, actor=actor)


@router.post("/link")
def choose_link(request: Request, session: SessionDep, crypto: CryptoDep,
                actor: deps.Registrar, form: deps.FormDep) -> Response:
    """Record the officer's choice: link to a candidate's person, or continue as a new person."""
    draft = draft_id(form) or uuid.UUID(int=0)
    choice = str(form.get("choice") or "new")
    linked: dict[str, str] | None = None
    details: dict[str, str] = {"choice": choice}
    candidate_id = _uuid(form.get("candidate"))
    if candidate_id is not None:
        token = str(form.get("token") or "")
        candidate = links.chosen_candidate(session=session, crypto=crypto, actor=actor,
                                           registration_id=candidate_id, draft_id=draft,
                                           token=token)
        details["candidate_registration_id"] = str(candidate_id)
        if choice == "link":
            linked = {"person_id": str(candidate.person_id),
                      "registration_number": candidate.registration_number,
                      "link_token": token}
            details["person_id"] = str(candidate.person_id)
    record_event(session=session, actor=actor,
                 action="duplicate.link" if linked else "duplicate.continue_new",
                 object_type="registration_draft", object_id=str(draft), details=details)
    return render(request, "_link_choice.html", {"linked": linked, "decided": True}, actor=actor)
