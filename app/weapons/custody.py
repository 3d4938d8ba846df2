"""The custody of weapons and lots: who may act, where each item is now, and the one way
custody changes (a versioned conditional update and a ledger row per item, in the caller's
transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, insert, update
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from app.core.models import utcnow
from app.core.roles import RECONCILERS, WEAPONS_OFFICERS, WEAPONS_READERS
from app.core.security import Principal
from app.registry.models import Site, WeaponHandover
from app.weapons.enums import CustodyStatus
from app.weapons.models import (
    AmmunitionLot,
    CustodyEvent,
    CustodyTransfer,
    TransferItem,
    TransferOutcome,
    WeaponCustody,
)


def require_reader(actor: Principal) -> None:
    """Refuse roles that do not see weapons in custody."""
    if actor.role not in WEAPONS_READERS:
        raise Forbidden("your role does not see weapons custody")


def require_officer(actor: Principal) -> None:
    """Refuse roles that do not move weapons or record destruction and counts."""
    if actor.role not in WEAPONS_OFFICERS:
        raise Forbidden("only a weapons officer moves weapons in custody")


def require_reconciler(actor: Principal) -> None:
    """Refuse roles that do not read the reconciliation report."""
    if actor.role not in RECONCILERS:
        raise Forbidden("your role does not read the reconciliation")


def open_location(session: Session, actor: Principal, code: str | None,
                  field: str = "site") -> str:
    """The code of an active site or depot the caller acts for."""
    site = session.get(Site, (code or "").strip().upper())
    if site is None or not site.active:
        raise ValidationFailed([FieldError(field, "unknown site code")])
    if not actor.can_act_for(site.code):
        raise Forbidden("you may not act for this site", [FieldError(field, "not yours")])
    return site.code


@dataclass(frozen=True)
class Held:
    """Where an item is now, and the version a change must name."""

    id: uuid.UUID
    kind: str  # weapon / lot
    label: str
    status: str
    site: str
    version: int  # 0: a weapon with no custody record yet
    unsafe: bool = False


_WEAPONS = (select_columns(col(WeaponHandover.id), col(WeaponHandover.receipt_number),
                           col(WeaponHandover.site_code), col(WeaponCustody.status),
                           col(WeaponCustody.site_code), col(WeaponCustody.version))
            .outerjoin(WeaponCustody, col(WeaponCustody.weapon_id) == WeaponHandover.id))


def weapons_held(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Held]:
    """Where each of the given weapons is (unknown ids are left out)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.execute(_WEAPONS.where(col(WeaponHandover.id).in_(wanted))).all()
    return {row[0]: Held(row[0], "weapon", row[1], row[3] or CustodyStatus.collected,
                         row[4] or row[2], row[5] or 0) for row in rows}


def lots_held(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Held]:
    """Where each of the given ammunition lots is (unknown ids are left out)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    lots = session.exec(select(AmmunitionLot).where(col(AmmunitionLot.id).in_(wanted))
                        .execution_options(populate_existing=True)).all()
    return {lot.id: Held(lot.id, "lot", lot_label(lot), lot.status, lot.site_code,
                         lot.version, unsafe=lot.condition == "unsafe") for lot in lots}


def lot_label(lot: AmmunitionLot) -> str:
    """How a lot is named in lists and messages (no identifying data)."""
    return f"{lot.calibre} × {lot.quantity}" + (f" ({lot.lot_number})" if lot.lot_number else "")


def visible_items(session: Session, actor: Principal, weapons: Sequence[uuid.UUID],
                  lots: Sequence[uuid.UUID]) -> list[Held]:
    """The named weapons and lots, each one the caller may see (404 for any other)."""
    if len(set(weapons)) != len(weapons) or len(set(lots)) != len(lots):
        raise ValidationFailed([FieldError("items", "an item is named twice")])
    if not weapons and not lots:
        raise ValidationFailed([FieldError("items", "choose at least one weapon or lot")])
    held_weapons, held_lots = weapons_held(session, weapons), lots_held(session, lots)
    items = [held_weapons.get(i) for i in weapons] + [held_lots.get(i) for i in lots]
    found = [item for item in items if item is not None and actor.can_act_for(item.site)]
    if len(found) != len(items):
        raise NotFound("weapon or lot not found")
    return found


def pending_transfers(session: Session, items: Sequence[Held]) -> dict[uuid.UUID, uuid.UUID]:
    """Item id → the pending transfer (no outcome yet) it is in."""
    weapon_ids = [i.id for i in items if i.kind == "weapon"]
    lot_ids = [i.id for i in items if i.kind == "lot"]
    pending: dict[uuid.UUID, uuid.UUID] = {}
    open_transfer = select_columns(col(TransferItem.weapon_id), col(TransferItem.lot_id),
                                   col(TransferItem.transfer_id)).outerjoin(
        TransferOutcome, col(TransferOutcome.transfer_id) == TransferItem.transfer_id).where(
        col(TransferOutcome.transfer_id).is_(None))
    for ids, column in ((weapon_ids, TransferItem.weapon_id), (lot_ids, TransferItem.lot_id)):
        if ids:
            for weapon_id, lot_id, transfer_id in session.execute(
                    open_transfer.where(col(column).in_(ids))):
                pending[weapon_id or lot_id] = transfer_id
    return pending


def refuse_pending(session: Session, items: Sequence[Held]) -> None:
    """Refuse to move or destroy items that wait in a pending transfer."""
    pending = pending_transfers(session, items)
    busy = [i.label for i in items if i.id in pending]
    if busy:
        message = f"{', '.join(busy[:5])}: waiting in a transfer not yet confirmed"
        raise Conflict(message, [FieldError("items", message)])


def change_custody(session: Session, items: Sequence[tuple[Held, int]], *, to: CustodyStatus,
                   site: str, transfer_id: uuid.UUID | None = None,
                   destruction_id: uuid.UUID | None = None,
                   at: datetime | None = None) -> None:
    """Move each item (with the version it was seen at) to a status and site, writing its
    ledger row. An item changed by someone else since is a conflict (the caller's
    transaction rolls back whole)."""
    at = at or utcnow()
    ledger = []
    for item, seen in items:
        if item.kind == "weapon":
            _move_weapon(session, item, seen, to, site, at)
        else:
            result = session.execute(
                update(AmmunitionLot).where(col(AmmunitionLot.id) == item.id,
                                            col(AmmunitionLot.version) == seen)
                .values(status=to, site_code=site, since=at, version=seen + 1)
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:  # type: ignore[attr-defined]
                _changed(item)
        ledger.append({"at": at, "weapon_id": item.id if item.kind == "weapon" else None,
                       "lot_id": item.id if item.kind == "lot" else None,
                       "from_status": item.status, "status": to, "site_code": site,
                       "transfer_id": transfer_id, "destruction_id": destruction_id})
    if ledger:
        session.execute(insert(CustodyEvent), ledger)


def _move_weapon(session: Session, item: Held, seen: int, to: CustodyStatus, site: str,
                 at: datetime) -> None:
    if seen == 0:  # the first custody record: a concurrent first record breaks the key
        try:
            with session.begin_nested():
                session.execute(insert(WeaponCustody).values(
                    weapon_id=item.id, status=to, site_code=site, since=at, version=1))
        except IntegrityError:
            _changed(item)
        return
    result = session.execute(
        update(WeaponCustody).where(and_(col(WeaponCustody.weapon_id) == item.id,
                                         col(WeaponCustody.version) == seen))
        .values(status=to, site_code=site, since=at, version=seen + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        _changed(item)


def _changed(item: Held) -> None:
    message = f"{item.label}: its custody changed meanwhile; reload and check it"
    raise Conflict(message, [FieldError("items", message)])


def transfer_status(session: Session, transfer: CustodyTransfer) -> str:
    """pending, or the transfer's outcome."""
    outcome = session.get(TransferOutcome, transfer.id)
    return outcome.outcome if outcome else "pending"
