"""Registrations and persons: enrol, read, search, correct, record weapons."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.deps import CryptoDep, CurrentUser, ModelDep, SessionDep
from app.enrolment import service as enrolment_service
from app.enrolment.service import Enrolment, enrol
from app.registry import queries, service
from app.registry import search as registry_search
from app.registry.schemas import (
    CaseRef,
    CorrectionIn,
    PersonOut,
    RegistrationCreated,
    RegistrationIn,
    RegistrationOut,
    SearchIn,
    SearchOut,
    WeaponIn,
    WeaponOut,
)
from reintegration.service import person_cases

router = APIRouter(tags=["registrations"])

LIKELY_MESSAGE = ("registered; a likely duplicate was found: the pair waits first in the "
                  "review queue")

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "not authenticated"},
    403: {"description": "role or site not allowed"},
    404: {"description": "not found, or outside your sites"},
    409: {"description": "conflict (e.g. id reused with different data)"},
    422: {"description": "invalid input; `errors` names each field"},
}


def created_body(enrolment: Enrolment) -> RegistrationCreated:
    """The response to a registration request (also for its replays)."""
    registration = enrolment.registration
    return RegistrationCreated(
        id=registration.id,
        person_id=registration.person_id,
        registration_number=registration.registration_number,
        category=registration.category,
        is_child=registration.is_child,
        pathway=enrolment.pathway,
        child_pathway_applies=registration.is_child,
        message=service.CHILD_MESSAGE if registration.is_child else (
            LIKELY_MESSAGE if enrolment.likely_duplicate else "registered"),
        possible_duplicates=enrolment.candidates,
        likely_duplicate=enrolment.likely_duplicate,
        do_not_reenter=any(c.do_not_reenter for c in enrolment.candidates),
    )


@router.post(
    "/registrations",
    status_code=201,
    response_model=RegistrationCreated,
    responses={200: {"description": "replay of an earlier request with the same id and body"},
               **ERRORS},
    summary="Register a participant",
)
def create_registration(
    body: RegistrationIn,
    response: Response,
    session: SessionDep,
    crypto: CryptoDep,
    actor: CurrentUser,
    model: ModelDep,
) -> RegistrationCreated:
    """Enrol a participant. Retrying with the same `id` and body returns 200 and the same
    result; the same `id` with a different body is a 409."""
    enrolment = enrol(session=session, crypto=crypto, actor=actor, data=body, model=model)
    if not enrolment.created:
        response.status_code = 200
    return created_body(enrolment)


@router.get("/registrations/{registration_id}", response_model=RegistrationOut,
            responses=ERRORS, summary="Read a registration")
def read_registration(
    registration_id: uuid.UUID, session: SessionDep, crypto: CryptoDep, actor: CurrentUser
) -> RegistrationOut:
    """Return a registration's decrypted fields, weapons, dependants and corrections (audited)."""
    return queries.get_registration(session=session, crypto=crypto, actor=actor,
                                    registration_id=registration_id)


@router.post("/registrations/search", response_model=SearchOut, responses=ERRORS,
             summary="Search registrations")
def search_registrations(
    body: SearchIn, session: SessionDep, crypto: CryptoDep, actor: CurrentUser
) -> SearchOut:
    """Search by registration number, national ID, phone, passport or name (any script).
    Criteria travel in the body so that no identifying value appears in a URL."""
    return registry_search.search(session=session, crypto=crypto, actor=actor, query=body)


@router.post("/registrations/{registration_id}/corrections", response_model=RegistrationOut,
             responses=ERRORS, summary="Correct a registration")
def correct_registration(
    registration_id: uuid.UUID,
    body: CorrectionIn,
    session: SessionDep,
    crypto: CryptoDep,
    actor: CurrentUser,
) -> RegistrationOut:
    """Change fields; the previous values are kept (encrypted) and the change is audited."""
    registration = enrolment_service.correct(session=session, crypto=crypto, actor=actor,
                                             registration_id=registration_id,
                                             changes=body.changes, reason=body.reason)
    return queries.registration_view(session=session, crypto=crypto, registration=registration)


@router.post("/registrations/{registration_id}/weapons", status_code=201,
             response_model=WeaponOut, responses=ERRORS, summary="Record a weapon handover")
def add_weapon(
    registration_id: uuid.UUID,
    body: WeaponIn,
    session: SessionDep,
    crypto: CryptoDep,
    actor: CurrentUser,
    model: ModelDep,
) -> WeaponOut:
    """Record a weapon handed in; `same_serial_elsewhere` lists other receipts of its serial
    (and a serial seen before raises an integrity signal for the review queue)."""
    weapon = enrolment_service.add_weapon(session=session, crypto=crypto, actor=actor,
                                          registration_id=registration_id, weapon=body,
                                          model=model)
    return queries.weapon_view(session=session, crypto=crypto, weapon=weapon)


@router.get("/persons/{person_id}", response_model=PersonOut, responses=ERRORS,
            summary="Read a person")
def read_person(
    person_id: uuid.UUID, session: SessionDep, crypto: CryptoDep, actor: CurrentUser
) -> PersonOut:
    """Return a person with their registrations, weapons and dependants (audited), and their
    cases you may see; registrations at sites outside yours appear without identifying
    data."""
    person = queries.get_person(session=session, crypto=crypto, actor=actor,
                                person_id=person_id)
    cases = person_cases(session=session, actor=actor, person_id=person.id)
    return person.model_copy(update={"cases": [CaseRef(**c) for c in cases]})
