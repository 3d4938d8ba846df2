"""Reading custody: the custody list with its filters, and one weapon with its markings and
its whole chain of custody (an audited read: it shows the serial number)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, literal_column, or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import NotFound
from app.core.sealed import unseal
from app.core.security import Principal
from app.registry.models import WeaponHandover
from app.users.models import User
from app.weapons import custody
from app.weapons.models import (
    CustodyEvent,
    CustodyTransfer,
    DestructionEvent,
    TransferItem,
    TransferOutcome,
    WeaponCustody,
)
from app.weapons.schemas import HistoryEntry, WeaponDetail, WeaponItem, WeaponListOut
from app.weapons.tracing import on_a_list

_STATUS = func.coalesce(col(WeaponCustody.status), literal_column("'collected'"))
_LOCATION = func.coalesce(col(WeaponCustody.site_code), col(WeaponHandover.site_code))


@dataclass(frozen=True)
class WeaponFilters:
    """What the custody list shows: where the weapons are now, their status, type, calibre,
    where and when they were handed in."""

    site: str | None = None
    status: str | None = None
    weapon_type: str | None = None
    calibre: str | None = None
    handover_site: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    page_size: int = 50


def _item(row: tuple[Any, ...], pending: dict[uuid.UUID, uuid.UUID]) -> WeaponItem:
    weapon, status, location, since = row
    return WeaponItem(
        id=weapon.id, receipt_number=weapon.receipt_number, handover_site=weapon.site_code,
        handed_over_on=weapon.handed_over_on, weapon_type=weapon.weapon_type,
        make_model=weapon.make_model, calibre=weapon.calibre, condition=weapon.condition,
        custody_status=status, location=location, since=since,
        pending_transfer=pending.get(weapon.id))


def list_weapons(*, session: Session, actor: Principal, filters: WeaponFilters) -> WeaponListOut:
    """A page of weapons at (or handed in at) the caller's sites, newest handovers first."""
    custody.require_reader(actor)
    query = (select_columns(WeaponHandover, _STATUS, _LOCATION, col(WeaponCustody.since))
             .outerjoin(WeaponCustody, col(WeaponCustody.weapon_id) == WeaponHandover.id))
    if not actor.all_sites:
        sites = sorted(actor.sites)
        query = query.where(or_(_LOCATION.in_(sites), col(WeaponHandover.site_code).in_(sites)))
    if filters.site:
        query = query.where(_LOCATION == filters.site.upper())
    if filters.handover_site:
        query = query.where(col(WeaponHandover.site_code) == filters.handover_site.upper())
    if filters.status:
        query = query.where(_STATUS == filters.status)
    if filters.weapon_type:
        query = query.where(col(WeaponHandover.weapon_type) == filters.weapon_type)
    if filters.calibre:
        query = query.where(func.lower(col(WeaponHandover.calibre))
                            == filters.calibre.strip().lower())
    if filters.since:
        query = query.where(col(WeaponHandover.handed_over_on) >= filters.since)
    if filters.until:
        query = query.where(col(WeaponHandover.handed_over_on) <= filters.until)
    total = session.execute(select_columns(func.count()).select_from(query.subquery())).scalar()
    rows = session.execute(query.order_by(col(WeaponHandover.handed_over_on).desc(),
                                          col(WeaponHandover.receipt_number))
                           .offset((filters.page - 1) * filters.page_size)
                           .limit(filters.page_size)).all()
    held = [custody.Held(r[0].id, "weapon", r[0].receipt_number, r[1], r[2], 0) for r in rows]
    pending = custody.pending_transfers(session, held)
    return WeaponListOut(total=int(total or 0), page=filters.page, page_size=filters.page_size,
                         items=[_item(tuple(r), pending) for r in rows])


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    known = {i for i in ids if i is not None}
    if not known:
        return {}
    return {u.id: u.username for u in session.exec(select(User).where(  # type: ignore[misc]
        col(User.id).in_(known))).all()}


def _history(session: Session, weapon: WeaponHandover) -> list[HistoryEntry]:
    """The handover, every custody change and every transfer of the weapon, oldest first."""
    entries = [HistoryEntry(
        at=weapon.created_at, event="handover", from_status=None, status="collected",
        from_site=None, site=weapon.site_code,
        by=_names(session, {weapon.recorded_by_id}).get(weapon.recorded_by_id or 0))]
    changes = session.exec(select(CustodyEvent).where(CustodyEvent.weapon_id == weapon.id)
                           .order_by(col(CustodyEvent.at), col(CustodyEvent.id))).all()
    transfers = {t.id: t for t in session.exec(select(CustodyTransfer).join(
        TransferItem, col(TransferItem.transfer_id) == CustodyTransfer.id).where(
        TransferItem.weapon_id == weapon.id)).all()}
    outcomes = {o.transfer_id: o for o in session.exec(select(TransferOutcome).where(
        col(TransferOutcome.transfer_id).in_(list(transfers)))).all()} if transfers else {}
    destructions = {d.id: d for d in session.exec(select(DestructionEvent).where(
        col(DestructionEvent.id).in_([c.destruction_id for c in changes
                                      if c.destruction_id]))).all()}
    for change in changes:
        transfer = transfers.get(change.transfer_id) if change.transfer_id else None
        destruction = destructions.get(change.destruction_id) if change.destruction_id else None
        outcome = outcomes.get(transfer.id) if transfer else None
        entries.append(HistoryEntry(
            at=change.at, event="transfer" if transfer else "destruction",
            from_status=change.from_status, status=change.status,
            from_site=transfer.from_site if transfer else None, site=change.site_code,
            by=transfer.sender_name if transfer else (
                destruction.recorded_by_name if destruction else None),
            confirmed_by=outcome.by_name if outcome else None,
            seal_numbers=[s for s in transfer.seal_numbers.split(",") if s] if transfer else [],
            transfer_id=transfer.id if transfer else None,
            destruction_id=destruction.id if destruction else None,
            certificate_number=destruction.certificate_number if destruction else None))
    for transfer in transfers.values():
        outcome = outcomes.get(transfer.id)
        if outcome is not None and outcome.outcome == "confirmed":
            continue  # shown as the custody change it made
        entries.append(HistoryEntry(
            at=outcome.at if outcome else transfer.created_at,
            event=outcome.outcome if outcome else "pending", from_status=None,
            status=transfer.to_status, from_site=transfer.from_site, site=transfer.to_site,
            by=transfer.sender_name, confirmed_by=outcome.by_name if outcome else None,
            seal_numbers=[s for s in transfer.seal_numbers.split(",") if s],
            transfer_id=transfer.id))
    return sorted(entries, key=lambda e: e.at)


def read_weapon(*, session: Session, crypto: FieldCrypto, actor: Principal,
                weapon_id: uuid.UUID) -> WeaponDetail:
    """One weapon with its serial, markings, custody status and history (audited)."""
    custody.require_reader(actor)
    weapon = session.get(WeaponHandover, weapon_id)
    held = custody.weapons_held(session, [weapon_id]).get(weapon_id)
    if weapon is None or held is None or not (actor.can_act_for(held.site)
                                              or actor.can_act_for(weapon.site_code)):
        raise NotFound("weapon not found")
    state = session.get(WeaponCustody, weapon_id)
    pending = custody.pending_transfers(session, [held])
    plain = unseal(crypto, weapon)
    record_event(session=session, actor=actor, action="weapons.weapon.read",
                 object_type="weapon_handover", object_id=str(weapon.id),
                 site_code=held.site)
    return WeaponDetail(
        id=weapon.id, receipt_number=weapon.receipt_number, handover_site=weapon.site_code,
        handed_over_on=weapon.handed_over_on, weapon_type=weapon.weapon_type,
        make_model=weapon.make_model, calibre=weapon.calibre, condition=weapon.condition,
        custody_status=held.status, location=held.site, since=state.since if state else None,
        pending_transfer=pending.get(weapon.id), registration_id=weapon.registration_id,
        serial_number=plain["serial_number"], manufacturer=weapon.manufacturer,
        country_of_manufacture=weapon.country_of_manufacture,
        year_of_manufacture=weapon.year_of_manufacture, import_marking=plain["import_marking"],
        rounds=weapon.rounds, version=held.version,
        on_tracing_list=on_a_list(session, weapon.serial_index),
        history=_history(session, weapon))
