"""What a printed registration card or weapon handover receipt says (each print an audited
read of identifying data; the web layer lays the PDF out)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import NotFound
from app.core.sealed import unseal
from app.core.security import Principal
from app.registry.indexes import NAME_FIELDS
from app.registry.models import Registration, Site, WeaponHandover
from app.registry.queries import require_pii_reader
from app.registry.service import scoped_registration
from matching import detect_script


@dataclass(frozen=True)
class CardFacts:
    """A registration card's content: number, name in Arabic script and in Latin letters
    (either may be unknown), site, date. No photo, no document numbers."""

    registration_number: str
    name_arabic: str | None
    name_latin: str | None
    site_code: str
    site_en: str
    site_ar: str
    registered_on: date


@dataclass(frozen=True)
class ReceiptFacts:
    """A weapon handover receipt's content."""

    card: CardFacts
    receipt_number: str
    handed_over_on: date
    weapon_type: str
    make_model: str | None
    calibre: str | None
    serial_number: str | None
    rounds: int
    condition: str


def _names(crypto: FieldCrypto, registrations: list[Registration]) -> tuple[str | None,
                                                                            str | None]:
    """The full name in Arabic script and in Latin letters, from the registration printed
    first, then the person's other registrations the caller may read."""
    found: dict[str, str] = {}
    for registration in registrations:
        values = unseal(crypto, registration, (*NAME_FIELDS, "name_other_script"))
        full = " ".join(v for v in (values[f] for f in NAME_FIELDS) if v)
        for name in (full, values["name_other_script"]):
            if name:
                script = "arabic" if detect_script(name) == "arabic" else "latin"
                found.setdefault(script, name)
    return found.get("arabic"), found.get("latin")


def _card(session: Session, crypto: FieldCrypto, actor: Principal,
          registration: Registration) -> CardFacts:
    others = [r for r in session.exec(select(Registration).where(
        Registration.person_id == registration.person_id, Registration.id != registration.id)
        .order_by(col(Registration.created_at))).all() if actor.can_act_for(r.site_code)]
    arabic, latin = _names(crypto, [registration, *others])
    site = session.get(Site, registration.site_code)
    assert site is not None
    return CardFacts(registration_number=registration.registration_number,
                     name_arabic=arabic, name_latin=latin, site_code=site.code,
                     site_en=site.name_en, site_ar=site.name_ar,
                     registered_on=registration.registered_on)


def card_facts(*, session: Session, crypto: FieldCrypto, actor: Principal,
               registration_id: uuid.UUID) -> CardFacts:
    """What a registration's card shows (printing it is audited)."""
    require_pii_reader(actor)
    registration = scoped_registration(session=session, actor=actor,
                                       registration_id=registration_id)
    facts = _card(session, crypto, actor, registration)
    record_event(session=session, actor=actor, action="registration.card",
                 object_type="registration", object_id=str(registration.id),
                 site_code=registration.site_code)
    return facts


def receipt_facts(*, session: Session, crypto: FieldCrypto, actor: Principal,
                  registration_id: uuid.UUID, weapon_id: uuid.UUID) -> ReceiptFacts:
    """What a weapon handover receipt shows (printing it is audited)."""
    require_pii_reader(actor)
    registration = scoped_registration(session=session, actor=actor,
                                       registration_id=registration_id)
    weapon = session.get(WeaponHandover, weapon_id)
    if weapon is None or weapon.registration_id != registration.id:
        raise NotFound("weapon not found")
    facts = ReceiptFacts(
        card=_card(session, crypto, actor, registration), receipt_number=weapon.receipt_number,
        handed_over_on=weapon.handed_over_on, weapon_type=weapon.weapon_type,
        make_model=weapon.make_model, calibre=weapon.calibre,
        serial_number=unseal(crypto, weapon)["serial_number"], rounds=weapon.rounds,
        condition=weapon.condition)
    record_event(session=session, actor=actor, action="weapon.receipt",
                 object_type="weapon_handover", object_id=str(weapon.id),
                 site_code=registration.site_code,
                 details={"registration_id": str(registration.id)})
    return facts
