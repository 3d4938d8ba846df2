"""The person page (audited read) and the correction form."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.errors import DomainError, FieldError
from app.core.security import Principal
from app.deps import CryptoDep, SessionDep
from app.enrolment import service as enrolment
from app.registry import queries, reference, service
from app.safeguards.subject import subject_access
from app.web import deps
from app.web.auth import redirect
from app.web.case_labels import CASE_STATUS_LABELS
from app.web.form_input import errors_by_field
from app.web.forms import CORRECTABLE_FIELDS, record_labels
from app.web.rendering import render
from reintegration.pathways import all_pathways
from reintegration.service import person_cases

router = APIRouter(dependencies=[Depends(deps.csrf_protect)], include_in_schema=False)

def _page(request: Request, session: SessionDep, crypto: CryptoDep, actor: Principal,
          person_id: uuid.UUID, extra: dict[str, Any] | None = None,
          status_code: int = 200) -> Response:
    person = queries.get_person(session=session, crypto=crypto, actor=actor, person_id=person_id)
    if person.status == "merged" and person.merged_into_id is not None:
        # merged into another person: the registrations are there now
        return redirect(request, f"/persons/{person.merged_into_id}?merged_from={person.id}")
    context = {
        "person": person, **record_labels(),
        "groups": reference.armed_groups_by_code(session=session),
        "correctable": CORRECTABLE_FIELDS, "registered": request.query_params.get("registered"),
        "child_message": service.CHILD_MESSAGE,
        "cases": person_cases(session=session, actor=actor, person_id=person.id),
        "case_statuses": CASE_STATUS_LABELS,
        "case_pathways": {p.key: p.title for p in all_pathways()}, **(extra or {}),
    }
    return render(request, "person.html", context, actor=actor, status_code=status_code)


@router.get("/persons/{person_id}")
def person(request: Request, person_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
           actor: deps.Officer) -> Response:
    """Show a person: identity, registrations across sites, weapons, dependants, history."""
    return _page(request, session, crypto, actor, person_id)


@router.get("/persons/{person_id}/subject-access.json")
def subject_access_file(person_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                        actor: deps.WebAdmin) -> Response:
    """Everything held about a person, as a JSON file to give them (administrators,
    audited)."""
    held = subject_access(session=session, crypto=crypto, actor=actor, person_id=person_id)
    return Response(json.dumps(held, ensure_ascii=False, indent=2),
                    media_type="application/json", headers={
                        "Content-Disposition": f'attachment; filename="person-{person_id}.json"',
                        "Cache-Control": "no-store"})


def _value(field: str, value: str | None) -> object:
    """A corrected value as the registration holds it (languages: a list)."""
    if field == "languages" and value:
        return [part.strip() for part in re.split(r"[,،;]", value) if part.strip()]
    return value


@router.post("/registrations/{registration_id}/corrections")
def correct(request: Request, registration_id: uuid.UUID, session: SessionDep,
            crypto: CryptoDep, actor: deps.Officer, form: deps.FormDep) -> Response:
    """Correct one field of a registration, keeping the previous value (audited)."""
    field = str(form.get("field") or "")
    value = str(form.get("value") or "").strip() or None
    reason = str(form.get("reason") or "").strip()
    person_id = uuid.UUID(str(form.get("person_id") or uuid.UUID(int=0)))
    errors: list[FieldError] = []
    if len(reason) < 3:
        errors.append(FieldError("reason", "give the reason for the correction"))
    if not errors:
        try:
            corrected = enrolment.correct(session=session, crypto=crypto, actor=actor,
                                          registration_id=registration_id,
                                          changes={field: _value(field, value)}, reason=reason)
            return redirect(request, f"/persons/{corrected.person_id}")
        except DomainError as exc:
            errors = exc.errors or [FieldError("value", exc.detail)]
    correction = {"registration_id": str(registration_id), "field": field,
                  "value": value or "", "reason": reason,
                  "errors": errors_by_field(errors)}
    return _page(request, session, crypto, actor, person_id, {"correction": correction},
                 status_code=422)
