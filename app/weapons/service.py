"""Custody transfers: a sender hands a batch to a receiver, who confirms (or refuses) it.

A transfer is written once and never changed; its outcome is a row of its own, so a
transfer has one outcome at most (two receivers confirming at once: one success, one 409).
Custody changes only when the receiver confirms, through the versioned update of
:mod:`app.weapons.custody`, with a ledger row per item and the audit event, in one
transaction. The receiver is a weapons officer of the destination who is not the sender;
a batch leaving the programme (state armoury, evidence) is confirmed by a second weapons
officer of the sending site, who checked the receiving unit's signed receipt.
"""

from __future__ import annotations

import json
import uuid

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from app.core.roles import REGISTRARS, WEAPONS_OFFICERS
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.registry.models import WeaponHandover
from app.weapons import custody
from app.weapons.enums import (
    LEAVING,
    TRANSFER_TARGETS,
    CustodyStatus,
    TransferOutcome,
    check_transition,
)
from app.weapons.models import AmmunitionLot, CustodyTransfer, TransferItem
from app.weapons.models import TransferOutcome as OutcomeRow
from app.weapons.schemas import ItemStub, OutcomeIn, OutcomeOut, TransferIn, TransferOut


def request_digest(crypto: FieldCrypto, purpose: str, body: BaseModel) -> str:
    """A keyed digest of a request body: the same retry matches, another body does not."""
    text = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return crypto.keyed_digest(purpose, text.encode())


def _may_send(actor: Principal, items: list[custody.Held]) -> None:
    """Weapons officers send from any status; registration officers hand collected items
    over to storage."""
    if actor.role in WEAPONS_OFFICERS:
        return
    if actor.role in REGISTRARS and all(i.status == CustodyStatus.collected for i in items):
        return
    raise Forbidden("only a weapons officer moves weapons in custody")


def _destination(session: Session, body: TransferIn, from_site: str) -> str:
    if body.to_status not in TRANSFER_TARGETS:
        raise ValidationFailed([FieldError("to_status", "choose one of the options")])
    if body.to_status in LEAVING:
        if not body.receiving_unit:
            raise ValidationFailed([FieldError("receiving_unit",
                                               "name the unit or authority receiving it")])
        return from_site
    if not body.to_site:
        raise ValidationFailed([FieldError("to_site", "required")])
    return custody.open_location(session, _ANY_SITE, body.to_site, field="to_site")


_ANY_SITE = Principal(id=None, username="destination", role="admin", all_sites=True)
"""A sender names any site as destination: the destination need not be one of theirs."""


def send(*, session: Session, crypto: FieldCrypto, actor: Principal,
         body: TransferIn) -> tuple[CustodyTransfer, bool]:
    """Send a batch (all at one site) to a receiver: a pending transfer that changes no
    custody; the transfer and whether it is new (False: a retry of the same request)."""
    custody.require_reader(actor)
    digest = request_digest(crypto, "custody-transfer", body)
    earlier = session.get(CustodyTransfer, body.id)
    if earlier is not None:
        if earlier.request_digest != digest or not actor.can_act_for(earlier.from_site):
            raise Conflict("this id was already used for a different transfer",
                           [FieldError("id", "already used with other data")])
        return earlier, False
    items = custody.visible_items(session, actor, body.weapons, body.lots)
    _may_send(actor, items)
    sites = {i.site for i in items}
    if len(sites) != 1:
        raise ValidationFailed([FieldError("items", "a transfer takes items from one site")])
    from_site = sites.pop()
    to_site = _destination(session, body, from_site)
    for item in items:
        check_transition(item.label, item.status, body.to_status)
        if item.unsafe:
            raise Conflict(f"{item.label}: unsafe to move; destroy it in place",
                           [FieldError("items", f"{item.label}: unsafe to move")])
        if item.status == body.to_status and item.site == to_site:
            raise ValidationFailed([FieldError("to_site", f"{item.label}: already there")])
    custody.refuse_pending(session, items)
    transfer = CustodyTransfer(
        id=body.id, sender_id=actor.id, sender_name=actor.username, from_site=from_site,
        to_site=to_site, to_status=body.to_status,
        seal_numbers=",".join(s.strip() for s in body.seal_numbers if s.strip()),
        items=len(items), request_digest=digest)
    seal(crypto, transfer, {"receiving_unit": body.receiving_unit,
                            "receiving_person": body.receiving_person,
                            "receipt_reference": body.receipt_reference, "note": body.note})
    session.add(transfer)
    session.flush()
    session.add_all([TransferItem(
        transfer_id=transfer.id, weapon_id=i.id if i.kind == "weapon" else None,
        lot_id=i.id if i.kind == "lot" else None, from_status=i.status, from_version=i.version)
        for i in items])
    record_event(session=session, actor=actor, action="weapons.transfer.send",
                 object_type="custody_transfer", object_id=str(transfer.id),
                 site_code=from_site,
                 details={"to_site": to_site, "to_status": str(body.to_status),
                          "weapons": [str(i.id) for i in items if i.kind == "weapon"],
                          "lots": [str(i.id) for i in items if i.kind == "lot"]})
    session.flush()
    return transfer, True


def scoped_transfer(session: Session, actor: Principal,
                    transfer_id: uuid.UUID) -> CustodyTransfer:
    """A transfer from or to one of the caller's sites; 404 otherwise."""
    custody.require_reader(actor)
    transfer = session.get(CustodyTransfer, transfer_id)
    if transfer is None or not (actor.can_act_for(transfer.from_site)
                                or actor.can_act_for(transfer.to_site)):
        raise NotFound("transfer not found")
    return transfer


def settle(*, session: Session, crypto: FieldCrypto, actor: Principal,
           transfer_id: uuid.UUID, body: OutcomeIn) -> CustodyTransfer:
    """Confirm or refuse a transfer (the receiver), or withdraw it (the sender); confirming
    moves every item into the receiver's custody."""
    transfer = scoped_transfer(session, actor, transfer_id)
    note = (body.note or "").strip() or None
    if body.outcome == TransferOutcome.cancelled:
        if actor.username != transfer.sender_name and actor.role != "admin":
            raise Forbidden("only the sender withdraws a transfer")
    else:
        receiving_site = transfer.from_site if transfer.to_status in LEAVING else transfer.to_site
        if actor.role not in WEAPONS_OFFICERS or not actor.can_act_for(receiving_site):
            raise Forbidden("a weapons officer of the receiving site confirms a transfer")
        if actor.username == transfer.sender_name:
            raise Forbidden("the receiver confirms a transfer, not its sender")
    if body.outcome != TransferOutcome.confirmed and note is None:
        raise ValidationFailed([FieldError("note", "say why")])
    earlier = session.get(OutcomeRow, transfer.id)
    if earlier is not None:
        raise Conflict(f"this transfer was already {earlier.outcome}; reload it")
    outcome = OutcomeRow(transfer_id=transfer.id, outcome=body.outcome, by_id=actor.id,
                         by_name=actor.username, seals_intact=body.seals_intact)
    seal(crypto, outcome, {"note": note})
    try:  # two receivers at once: the second meets the first's outcome
        with session.begin_nested():
            session.add(outcome)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("this transfer was settled by someone else meanwhile; reload it") \
            from exc
    if body.outcome == TransferOutcome.confirmed:
        rows = session.exec(select(TransferItem).where(
            TransferItem.transfer_id == transfer.id)).all()
        held = {**custody.weapons_held(session, [r.weapon_id for r in rows if r.weapon_id]),
                **custody.lots_held(session, [r.lot_id for r in rows if r.lot_id])}
        moves = []
        for row in rows:
            item = held[row.weapon_id or row.lot_id]  # type: ignore[index]
            check_transition(item.label, item.status, transfer.to_status)
            moves.append((item, row.from_version))
        custody.change_custody(session, moves, to=CustodyStatus(transfer.to_status),
                               site=transfer.to_site, transfer_id=transfer.id, at=outcome.at)
    record_event(session=session, actor=actor, action=f"weapons.transfer.{body.outcome}",
                 object_type="custody_transfer", object_id=str(transfer.id),
                 site_code=transfer.to_site,
                 details={"seals_intact": body.seals_intact, "note_given": note is not None})
    session.flush()
    return transfer


def transfer_view(*, session: Session, crypto: FieldCrypto,
                  transfer: CustodyTransfer) -> TransferOut:
    """A transfer with its items and outcome, its free text decrypted (callers audit)."""
    rows = session.exec(select(TransferItem).where(
        TransferItem.transfer_id == transfer.id).order_by(col(TransferItem.id))).all()
    stubs = item_stubs(session, [r.weapon_id for r in rows if r.weapon_id],
                       [r.lot_id for r in rows if r.lot_id])
    outcome = session.get(OutcomeRow, transfer.id)
    plain = unseal(crypto, transfer)
    return TransferOut(
        id=transfer.id, created_at=transfer.created_at, sender=transfer.sender_name,
        from_site=transfer.from_site, to_site=transfer.to_site, to_status=transfer.to_status,
        status=outcome.outcome if outcome else "pending",
        seal_numbers=[s for s in transfer.seal_numbers.split(",") if s],
        receiving_unit=plain["receiving_unit"], receiving_person=plain["receiving_person"],
        receipt_reference=plain["receipt_reference"], note=plain["note"], items=stubs,
        outcome=OutcomeOut(outcome=outcome.outcome, by=outcome.by_name, at=outcome.at,
                           seals_intact=outcome.seals_intact,
                           note=unseal(crypto, outcome)["note"]) if outcome else None)


def read_transfer(*, session: Session, crypto: FieldCrypto, actor: Principal,
                  transfer_id: uuid.UUID) -> TransferOut:
    """One transfer (an audited read: it names people)."""
    transfer = scoped_transfer(session, actor, transfer_id)
    record_event(session=session, actor=actor, action="weapons.transfer.read",
                 object_type="custody_transfer", object_id=str(transfer.id))
    return transfer_view(session=session, crypto=crypto, transfer=transfer)


def list_transfers(*, session: Session, crypto: FieldCrypto, actor: Principal,
                   status: str | None = "pending", limit: int = 100) -> list[TransferOut]:
    """Transfers from or to the caller's sites, newest first (pending ones by default)."""
    custody.require_reader(actor)
    query = select(CustodyTransfer)
    if not actor.all_sites:
        sites = sorted(actor.sites)
        query = query.where(or_(col(CustodyTransfer.from_site).in_(sites),
                                col(CustodyTransfer.to_site).in_(sites)))
    settled = select(OutcomeRow.transfer_id)
    if status == "pending":
        query = query.where(col(CustodyTransfer.id).not_in(settled))
    elif status:
        query = query.where(col(CustodyTransfer.id).in_(
            settled.where(OutcomeRow.outcome == status)))
    transfers = session.exec(query.order_by(col(CustodyTransfer.created_at).desc())
                             .limit(limit)).all()
    record_event(session=session, actor=actor, action="weapons.transfer.list",
                 object_type="custody_transfer",
                 details={"status": status, "returned": [str(t.id) for t in transfers]})
    return [transfer_view(session=session, crypto=crypto, transfer=t) for t in transfers]


def item_stubs(session: Session, weapons: list[uuid.UUID],
               lots: list[uuid.UUID]) -> list[ItemStub]:
    """Weapons and lots as list entries, with where each is now."""
    held = {**custody.weapons_held(session, weapons), **custody.lots_held(session, lots)}
    stubs = []
    if weapons:
        for w in session.exec(select(WeaponHandover).where(
                col(WeaponHandover.id).in_(weapons))).all():
            stubs.append(ItemStub(id=w.id, kind="weapon", label=w.receipt_number,
                                  type=w.weapon_type, calibre=w.calibre,
                                  status=held[w.id].status, site=held[w.id].site))
    if lots:
        for lot in session.exec(select(AmmunitionLot).where(col(AmmunitionLot.id).in_(lots))
                                .execution_options(populate_existing=True)).all():
            stubs.append(ItemStub(id=lot.id, kind="lot", label=custody.lot_label(lot),
                                  type=lot.category, calibre=lot.calibre,
                                  quantity=lot.quantity, status=lot.status, site=lot.site_code))
    return sorted(stubs, key=lambda s: (s.kind != "weapon", s.label))


def selected_items(*, session: Session, actor: Principal, weapons: list[uuid.UUID],
                   lots: list[uuid.UUID]) -> list[ItemStub]:
    """The weapons and lots a caller picked for a batch (each one they may see)."""
    custody.require_reader(actor)
    custody.visible_items(session, actor, weapons, lots)
    return item_stubs(session, weapons, lots)
