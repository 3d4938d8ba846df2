"""Reading the registry: registrations and persons, scoped by site and audited."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Forbidden, NotFound
from app.core.roles import PII_READERS
from app.core.sealed import unseal
from app.core.security import Principal
from app.registry.indexes import NAME_FIELDS
from app.registry.models import (
    Correction,
    Dependant,
    Person,
    Registration,
    WeaponHandover,
)
from app.registry.schemas import (
    CorrectionOut,
    DependantOut,
    PersonOut,
    RegistrationOut,
    RegistrationStub,
    SearchHit,
    WeaponOut,
)
from app.registry.service import scoped_registration


def require_pii_reader(actor: Principal) -> None:
    """Refuse roles that never see identifying data (committee, auditor)."""
    if actor.role not in PII_READERS:
        raise Forbidden("your role does not give access to identifying data")


def weapon_view(*, session: Session, crypto: FieldCrypto, weapon: WeaponHandover) -> WeaponOut:
    """Decrypt a weapon handover, noting other handovers of the same serial."""
    others: Sequence[str] = []
    if weapon.serial_index:
        others = session.exec(
            select(WeaponHandover.receipt_number).where(
                WeaponHandover.serial_index == weapon.serial_index,
                WeaponHandover.id != weapon.id,
            )
        ).all()
    plain = unseal(crypto, weapon)
    return WeaponOut(
        id=weapon.id, registration_id=weapon.registration_id, weapon_type=weapon.weapon_type,
        make_model=weapon.make_model, calibre=weapon.calibre,
        serial_number=plain["serial_number"], rounds=weapon.rounds,
        condition=weapon.condition, receipt_number=weapon.receipt_number,
        handed_over_on=weapon.handed_over_on, manufacturer=weapon.manufacturer,
        country_of_manufacture=weapon.country_of_manufacture,
        year_of_manufacture=weapon.year_of_manufacture, import_marking=plain["import_marking"],
        same_serial_elsewhere=list(others),
    )


def registration_view(
    *, session: Session, crypto: FieldCrypto, registration: Registration
) -> RegistrationOut:
    """Decrypt a registration with its weapons, dependants and corrections (no audit here)."""
    weapons = session.exec(select(WeaponHandover)
                           .where(WeaponHandover.registration_id == registration.id)
                           .order_by(col(WeaponHandover.created_at))).all()
    dependants = session.exec(select(Dependant)
                              .where(Dependant.registration_id == registration.id)).all()
    corrections = session.exec(select(Correction)
                               .where(Correction.registration_id == registration.id)
                               .order_by(col(Correction.at))).all()
    history = []
    for c in corrections:
        plain = unseal(crypto, c)
        history.append(CorrectionOut(
            id=c.id, at=c.at, by=c.by_username,
            fields=c.fields.split(","), previous=json.loads(plain["previous_values"] or "{}"),
            new=json.loads(plain["new_values"] or "{}"), reason=plain["reason"]))
    return RegistrationOut(
        id=registration.id, registration_number=registration.registration_number,
        person_id=registration.person_id, site=registration.site_code,
        registered_on=registration.registered_on, category=registration.category,
        declared_category=registration.declared_category, is_child=registration.is_child,
        sex=registration.sex, birth_year=registration.birth_year,
        dob_precision=registration.dob_precision, nationality=registration.nationality,
        membership_verification=registration.membership_verification,
        education=registration.education,
        languages=registration.languages.split(",") if registration.languages else [],
        consent=registration.consent, consent_at=registration.consent_at,
        version=registration.version, fields=unseal(crypto, registration),
        weapons=[weapon_view(session=session, crypto=crypto, weapon=w) for w in weapons],
        dependants=[DependantOut(id=d.id, relationship=d.relationship, sex=d.sex,
                                 year_of_birth=d.year_of_birth,
                                 name=unseal(crypto, d)["name"]) for d in dependants],
        corrections=history,
    )


def get_registration(
    *, session: Session, crypto: FieldCrypto, actor: Principal, registration_id: uuid.UUID
) -> RegistrationOut:
    """Read one registration's identifying data (audited)."""
    require_pii_reader(actor)
    registration = scoped_registration(session=session, actor=actor,
                                       registration_id=registration_id)
    view = registration_view(session=session, crypto=crypto, registration=registration)
    record_event(session=session, actor=actor, action="registration.read",
                 object_type="registration", object_id=str(registration.id),
                 site_code=registration.site_code)
    return view


def get_person(
    *, session: Session, crypto: FieldCrypto, actor: Principal, person_id: uuid.UUID
) -> PersonOut:
    """Read a person with their registrations; those at other sites show no identifying data."""
    require_pii_reader(actor)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person not found")
    if person.status == "merged" and person.merged_into_id is not None:
        return _merged_person(session, actor, person)
    registrations = session.exec(select(Registration)
                                 .where(Registration.person_id == person.id)
                                 .order_by(col(Registration.created_at))).all()
    visible = [r for r in registrations if actor.can_act_for(r.site_code)]
    if not visible:
        raise NotFound("person not found")
    record_event(session=session, actor=actor, action="person.read", object_type="person",
                 object_id=str(person.id),
                 details={"registrations": [str(r.id) for r in visible]})
    return PersonOut(
        id=person.id, status=person.status, merged_into_id=person.merged_into_id,
        is_child=person.is_child, pathway=person.pathway, created_at=person.created_at,
        registrations=[registration_view(session=session, crypto=crypto, registration=r)
                       for r in visible],
        other_registrations=[RegistrationStub(id=r.id, registration_number=r.registration_number,
                                              site=r.site_code, registered_on=r.registered_on)
                             for r in registrations if r not in visible],
    )


def _merged_person(session: Session, actor: Principal, person: Person) -> PersonOut:
    """A person merged into another: where they went (their registrations moved there), for
    callers who may see the surviving person."""
    survivor = person
    for _ in range(50):  # follow a chain of merges to the person now holding the registrations
        if survivor.merged_into_id is None:
            break
        following = session.get(Person, survivor.merged_into_id)
        if following is None:
            break
        survivor = following
    sites = session.exec(select(Registration.site_code)
                         .where(Registration.person_id == survivor.id)).all()
    if not any(actor.can_act_for(site) for site in sites):
        raise NotFound("person not found")
    return PersonOut(id=person.id, status=person.status, merged_into_id=survivor.id,
                     is_child=person.is_child, pathway=person.pathway,
                     created_at=person.created_at, registrations=[], other_registrations=[])


def registrations_on(
    *, session: Session, crypto: FieldCrypto, actor: Principal, day: date, limit: int = 50
) -> list[SearchHit]:
    """List the registrations made on a day at the caller's sites, newest first (audited)."""
    require_pii_reader(actor)
    stmt = select(Registration).where(Registration.registered_on == day)
    if not actor.all_sites:
        stmt = stmt.where(col(Registration.site_code).in_(sorted(actor.sites)))
    rows = session.exec(stmt.order_by(col(Registration.created_at).desc()).limit(limit)).all()
    items = []
    for r in rows:
        names = unseal(crypto, r, NAME_FIELDS)
        items.append(SearchHit(
            id=r.id, registration_number=r.registration_number, person_id=r.person_id,
            site=r.site_code, registered_on=r.registered_on, category=r.category, sex=r.sex,
            birth_year=r.birth_year,
            full_name=" ".join(n for n in (names[f] for f in NAME_FIELDS) if n)))
    record_event(session=session, actor=actor, action="registration.list",
                 object_type="registration",
                 details={"day": day.isoformat(), "returned": [str(r.id) for r in rows]})
    return items
