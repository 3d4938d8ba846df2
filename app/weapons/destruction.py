"""Ammunition handed in, and destruction events: method, place, date, who authorised and
who witnessed the destruction of which weapons and lots (its certificate is
:mod:`app.weapons.certificate`)."""

from __future__ import annotations

import json
import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from app.core.models import utcnow
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.registry.models import Registration, Site
from app.weapons import custody
from app.weapons.certificate import render_certificate
from app.weapons.enums import CustodyStatus, check_transition
from app.weapons.models import AmmunitionLot, DestructionEvent, DestructionItem
from app.weapons.schemas import DestructionIn, DestructionOut, LotIn, LotOut
from app.weapons.service import item_stubs, request_digest


def lot_view(lot: AmmunitionLot) -> LotOut:
    """An ammunition lot and its custody."""
    return LotOut(id=lot.id, handover_site=lot.handover_site,
                  registration_id=lot.registration_id, handed_in_on=lot.handed_in_on,
                  category=lot.category, calibre=lot.calibre, lot_number=lot.lot_number,
                  quantity=lot.quantity, condition=lot.condition, custody_status=lot.status,
                  location=lot.site_code, since=lot.since, version=lot.version)


def record_lot(*, session: Session, crypto: FieldCrypto, actor: Principal,
               body: LotIn) -> tuple[AmmunitionLot, bool]:
    """Record ammunition or explosives handed in at a site (collected there); the lot and
    whether it is new (False: a retry of the same request)."""
    custody.require_reader(actor)
    digest = request_digest(crypto, "ammunition-lot", body)
    earlier = session.get(AmmunitionLot, body.id)
    if earlier is not None:
        if earlier.request_digest != digest or not actor.can_act_for(earlier.handover_site):
            raise Conflict("this id was already used for a different lot",
                           [FieldError("id", "already used with other data")])
        return earlier, False
    site = custody.open_location(session, actor, body.site)
    if body.registration_id is not None:
        registration = session.get(Registration, body.registration_id)
        if registration is None or registration.site_code != site:
            raise ValidationFailed([FieldError("registration_id",
                                               "no such registration at this site")])
    handed_in_on = body.handed_in_on or date.today()
    if handed_in_on > date.today():
        raise ValidationFailed([FieldError("handed_in_on", "is in the future")])
    lot = AmmunitionLot(
        id=body.id, handover_site=site, registration_id=body.registration_id,
        handed_in_on=handed_in_on, category=body.category, calibre=body.calibre,
        lot_number=body.lot_number, quantity=body.quantity, condition=body.condition,
        site_code=site, recorded_by_id=actor.id, request_digest=digest)
    seal(crypto, lot, {"note": body.note})
    session.add(lot)
    record_event(session=session, actor=actor, action="weapons.lot.create",
                 object_type="ammunition_lot", object_id=str(lot.id), site_code=site,
                 details={"category": str(body.category), "quantity": body.quantity,
                          "condition": str(body.condition)})
    session.flush()
    return lot, True


def list_lots(*, session: Session, actor: Principal, site: str | None = None,
              status: str | None = None, limit: int = 200) -> list[LotOut]:
    """Ammunition lots at the caller's sites, newest first."""
    custody.require_reader(actor)
    query = select(AmmunitionLot)
    if not actor.all_sites:
        query = query.where(col(AmmunitionLot.site_code).in_(sorted(actor.sites)))
    if site:
        query = query.where(AmmunitionLot.site_code == site.upper())
    if status:
        query = query.where(AmmunitionLot.status == status)
    lots = session.exec(query.order_by(col(AmmunitionLot.created_at).desc()).limit(limit)).all()
    return [lot_view(lot) for lot in lots]


def _certificate_number(session: Session, site: str, year: int) -> str:
    prefix = f"DES-{site}-{year}-"
    taken = session.exec(select(func.count()).select_from(DestructionEvent).where(
        col(DestructionEvent.certificate_number).startswith(prefix))).one()
    return f"{prefix}{int(taken) + 1:04d}"


def destroy(*, session: Session, crypto: FieldCrypto, actor: Principal,
            body: DestructionIn) -> tuple[DestructionEvent, bool]:
    """Record a destruction event: every weapon and lot named (all at its site) becomes
    destroyed, with its certificate number; the event and whether it is new."""
    custody.require_officer(actor)
    digest = request_digest(crypto, "destruction-event", body)
    earlier = session.get(DestructionEvent, body.id)
    if earlier is not None:
        if earlier.request_digest != digest or not actor.can_act_for(earlier.site_code):
            raise Conflict("this id was already used for a different destruction",
                           [FieldError("id", "already used with other data")])
        return earlier, False
    site = custody.open_location(session, actor, body.site)
    if body.destroyed_on > date.today():
        raise ValidationFailed([FieldError("destroyed_on", "is in the future")])
    items = custody.visible_items(session, actor, body.weapons, body.lots)
    elsewhere = [i.label for i in items if i.site != site]
    if elsewhere:
        message = f"{', '.join(elsewhere[:5])}: not at this site"
        raise ValidationFailed([FieldError("items", message)], message)
    for item in items:
        check_transition(item.label, item.status, CustodyStatus.destroyed)
        if item.unsafe and not body.in_place:
            raise ValidationFailed([FieldError("in_place",
                                               f"{item.label}: unsafe, destroyed in place")])
    custody.refuse_pending(session, items)
    lots = session.exec(select(AmmunitionLot).where(
        col(AmmunitionLot.id).in_([i.id for i in items if i.kind == "lot"]))).all()
    event = DestructionEvent(
        id=body.id, certificate_number=_certificate_number(session, site,
                                                           body.destroyed_on.year),
        site_code=site, destroyed_on=body.destroyed_on, method=body.method,
        in_place=body.in_place, weapons=sum(1 for i in items if i.kind == "weapon"),
        lots=len(lots), rounds=sum(lot.quantity for lot in lots), recorded_by_id=actor.id,
        recorded_by_name=actor.username, request_digest=digest)
    seal(crypto, event, {
        "place": body.place, "authorised_by": body.authorised_by, "note": body.note,
        "witnesses": json.dumps([w.model_dump() for w in body.witnesses], ensure_ascii=False)})
    try:  # two events numbered at once at one site: the second is asked to submit again
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("another destruction was numbered at this moment; submit again") \
            from exc
    session.add_all([DestructionItem(destruction_id=event.id,
                                     weapon_id=i.id if i.kind == "weapon" else None,
                                     lot_id=i.id if i.kind == "lot" else None) for i in items])
    custody.change_custody(session, [(i, i.version) for i in items],
                           to=CustodyStatus.destroyed, site=site, destruction_id=event.id)
    record_event(session=session, actor=actor, action="weapons.destruction.create",
                 object_type="destruction_event", object_id=str(event.id), site_code=site,
                 details={"certificate": event.certificate_number, "method": str(body.method),
                          "in_place": body.in_place,
                          "weapons": [str(i.id) for i in items if i.kind == "weapon"],
                          "lots": [str(i.id) for i in items if i.kind == "lot"]})
    session.flush()
    return event, True


def scoped_destruction(session: Session, actor: Principal,
                       destruction_id: uuid.UUID) -> DestructionEvent:
    """A destruction event at one of the caller's sites; 404 otherwise."""
    custody.require_reader(actor)
    event = session.get(DestructionEvent, destruction_id)
    if event is None or not actor.can_act_for(event.site_code):
        raise NotFound("destruction not found")
    return event


def destruction_view(*, session: Session, crypto: FieldCrypto,
                     event: DestructionEvent) -> DestructionOut:
    """A destruction event with its items, names decrypted (callers audit the read)."""
    rows = session.exec(select(DestructionItem).where(
        DestructionItem.destruction_id == event.id)).all()
    plain = unseal(crypto, event)
    return DestructionOut(
        id=event.id, certificate_number=event.certificate_number, site=event.site_code,
        destroyed_on=event.destroyed_on, method=event.method, in_place=event.in_place,
        place=plain["place"], authorised_by=plain["authorised_by"],
        witnesses=json.loads(plain["witnesses"] or "[]"), recorded_by=event.recorded_by_name,
        created_at=event.created_at, weapons=event.weapons, lots=event.lots,
        rounds=event.rounds, note=plain["note"],
        items=item_stubs(session, [r.weapon_id for r in rows if r.weapon_id],
                         [r.lot_id for r in rows if r.lot_id]))


def read_destruction(*, session: Session, crypto: FieldCrypto, actor: Principal,
                     destruction_id: uuid.UUID, action: str = "read") -> DestructionOut:
    """One destruction event (an audited read: it names people)."""
    event = scoped_destruction(session, actor, destruction_id)
    record_event(session=session, actor=actor, action=f"weapons.destruction.{action}",
                 object_type="destruction_event", object_id=str(event.id),
                 site_code=event.site_code)
    return destruction_view(session=session, crypto=crypto, event=event)


def list_destructions(*, session: Session, actor: Principal,
                      limit: int = 100) -> list[DestructionEvent]:
    """Destruction events at the caller's sites, newest first (no names)."""
    custody.require_reader(actor)
    query = select(DestructionEvent)
    if not actor.all_sites:
        query = query.where(col(DestructionEvent.site_code).in_(sorted(actor.sites)))
    return list(session.exec(query.order_by(col(DestructionEvent.destroyed_on).desc(),
                                            col(DestructionEvent.created_at).desc())
                             .limit(limit)).all())


def certificate(*, session: Session, crypto: FieldCrypto, actor: Principal,
                destruction_id: uuid.UUID) -> tuple[str, bytes]:
    """The certificate of a destruction event (file name, PDF bytes); an audited read."""
    event = read_destruction(session=session, crypto=crypto, actor=actor,
                             destruction_id=destruction_id, action="certificate")
    site = session.get(Site, event.site)
    names = (site.name_en, site.name_ar) if site else (event.site, event.site)
    return (f"{event.certificate_number}.pdf",
            render_certificate(event, names, generated_at=utcnow()))
