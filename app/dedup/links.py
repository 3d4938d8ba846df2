"""Linking a new registration to an existing person, and opening a candidate side by side.

A person registered at one of the caller's sites may be linked to by its id. A person known
only at other sites may be linked to, or one of its registrations opened side by side (names
and dates only), solely through a candidate token: an HMAC, with a key derived for this
purpose, of the draft being typed, the candidate registration and the caller, issued by the
duplicate check that returned that candidate for that draft and valid for a working day. An
arbitrary person id of another site is refused exactly like one that does not exist.
"""

from __future__ import annotations

import hmac
import time
import uuid

from sqlmodel import Session, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import FieldError, NotFound, ValidationFailed
from app.core.sealed import unseal
from app.core.security import Principal
from app.dedup.schemas import CandidateView
from app.registry.enums import PersonStatus
from app.registry.models import Person, Registration
from app.registry.queries import require_pii_reader

TOKEN_SECONDS = 12 * 3600
_PURPOSE = "candidate-link"
_VIEWED = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name",
           "alias", "date_of_birth")


def _mac(crypto: FieldCrypto, draft_id: uuid.UUID, registration_id: uuid.UUID,
         actor: Principal, expires: int) -> str:
    data = f"{draft_id}|{registration_id}|{actor.id}:{actor.username}|{expires}"
    return crypto.keyed_digest(_PURPOSE, data.encode())[:32]


def candidate_token(crypto: FieldCrypto, *, draft_id: uuid.UUID, registration_id: uuid.UUID,
                    actor: Principal, now: float | None = None) -> str:
    """A token letting this caller's draft link to a candidate's person or open it."""
    expires = int(now if now is not None else time.time()) + TOKEN_SECONDS
    return f"{registration_id}.{expires}.{_mac(crypto, draft_id, registration_id, actor, expires)}"


def token_registration(crypto: FieldCrypto, *, token: str | None, draft_id: uuid.UUID,
                       actor: Principal, now: float | None = None) -> uuid.UUID | None:
    """The candidate registration a token names, if it was issued to this caller for this
    draft and has not expired (None otherwise)."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    try:
        registration_id = uuid.UUID(parts[0])
    except ValueError:
        return None
    expires = int(parts[1])
    if expires < (now if now is not None else time.time()):
        return None
    expected = _mac(crypto, draft_id, registration_id, actor, expires)
    return registration_id if hmac.compare_digest(expected, parts[2]) else None


def linked_person(*, session: Session, crypto: FieldCrypto, actor: Principal,
                  person_id: uuid.UUID, draft_id: uuid.UUID, token: str | None
                  ) -> tuple[Person, uuid.UUID | None]:
    """The active person a registration may be linked to, and the candidate registration of
    another site the link goes through (None: the person is registered at one of the
    caller's sites). Anything else is refused as a person that does not exist."""
    refused = ValidationFailed([FieldError("person_id", "no such active person")])
    person = session.get(Person, person_id)
    if person is None or person.status != PersonStatus.active:
        raise refused
    sites = set(session.exec(select(Registration.site_code)
                             .where(Registration.person_id == person.id)).all())
    if any(actor.can_act_for(site) for site in sites):
        return person, None
    via = token_registration(crypto, token=token, draft_id=draft_id, actor=actor)
    registration = session.get(Registration, via) if via else None
    if registration is None or registration.person_id != person.id:
        raise refused
    return person, registration.id


def candidate_view(*, session: Session, crypto: FieldCrypto, actor: Principal,
                   registration_id: uuid.UUID, draft_id: uuid.UUID, token: str | None
                   ) -> CandidateView:
    """A candidate of a draft side by side: its names and dates (an audited read). One at
    another site needs the token the check gave this draft for it."""
    require_pii_reader(actor)
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise NotFound("registration not found")
    own = actor.can_act_for(registration.site_code)
    if not own and token_registration(crypto, token=token, draft_id=draft_id,
                                      actor=actor) != registration.id:
        raise NotFound("registration not found")
    values = unseal(crypto, registration, _VIEWED)
    record_event(session=session, actor=actor, action="registration.read.candidate",
                 object_type="registration", object_id=str(registration.id),
                 site_code=registration.site_code,
                 details={"draft": str(draft_id), "other_site": not own})
    return CandidateView(
        registration_id=registration.id, registration_number=registration.registration_number,
        person_id=registration.person_id, site=registration.site_code,
        registered_on=registration.registered_on, sex=registration.sex,
        nationality=registration.nationality, dob_precision=registration.dob_precision,
        restricted=not own, **values)


def chosen_candidate(*, session: Session, crypto: FieldCrypto, actor: Principal,
                     registration_id: uuid.UUID, draft_id: uuid.UUID, token: str | None
                     ) -> Registration:
    """The candidate an officer chose to link a draft to: one at the caller's sites, or one
    the check returned for this draft (its token); anything else is not found."""
    require_pii_reader(actor)
    registration = session.get(Registration, registration_id)
    if registration is None or not (
            actor.can_act_for(registration.site_code)
            or token_registration(crypto, token=token, draft_id=draft_id,
                                  actor=actor) == registration.id):
        raise NotFound("registration not found")
    return registration
