"""Data-subject rights: everything the register holds about one person (administrators)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from app.deps import CryptoDep, CurrentUser, SessionDep
from app.safeguards.subject import subject_access

router = APIRouter(tags=["data protection"])

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "not authenticated"},
    403: {"description": "only administrators"},
    404: {"description": "no such person"},
}


@router.get("/persons/{person_id}/subject-access", responses=ERRORS,
            summary="Everything held about one person")
def read_subject_access(person_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                        actor: CurrentUser) -> dict[str, Any]:
    """Every registration (decrypted), dependant, weapon, correction with the values it
    replaced, case, payment, possible duplicate and audit event about a person and those
    merged into them; administrators only, audited. Corrections are recorded with
    `POST /registrations/{id}/corrections`."""
    return subject_access(session=session, crypto=crypto, actor=actor, person_id=person_id)
