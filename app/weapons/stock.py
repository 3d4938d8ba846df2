"""Stock counts: the serials (or receipt numbers) found at a location, scanned or typed,
compared with what the records say it holds. Counted serials are kept as blind indexes only,
and only the differences are stored."""

from __future__ import annotations

import uuid

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict, FieldError, NotFound
from app.core.sealed import seal
from app.core.security import Principal
from app.registry.models import WeaponHandover
from app.weapons import custody
from app.weapons.enums import HELD
from app.weapons.models import StockCount, StockCountItem, WeaponCustody
from app.weapons.schemas import CountDifference, StockCountIn, StockCountOut
from app.weapons.service import request_digest
from app.weapons.tracing import chunks, serial_digest, serial_digests


def _held_at(session: Session, site: str) -> set[uuid.UUID]:
    return set(session.exec(select(WeaponCustody.weapon_id).where(
        WeaponCustody.site_code == site, col(WeaponCustody.status).in_(sorted(HELD)))).all())


def _identify(session: Session, crypto: FieldCrypto, lines: list[str],
              held: set[uuid.UUID]) -> dict[int, uuid.UUID | None]:
    """Line number → the weapon it names (a receipt number, else a serial; a serial on two
    weapons names the one held here), or None when the register knows no such weapon."""
    receipts = {line.strip().upper() for line in lines}
    by_receipt: dict[str, uuid.UUID] = {}
    for part in chunks(sorted(receipts)):
        for receipt_number, weapon_id in session.exec(select(
                WeaponHandover.receipt_number, WeaponHandover.id).where(
                col(WeaponHandover.receipt_number).in_(part))).all():
            by_receipt[receipt_number] = weapon_id
    digests = {i: serial_digests(crypto, line) for i, line in enumerate(lines, start=1)
               if line.strip().upper() not in by_receipt}
    by_serial: dict[str, list[uuid.UUID]] = {}
    for part in chunks(sorted({d for found in digests.values() for d in found})):
        for digest, weapon_id in session.exec(select(
                WeaponHandover.serial_index, WeaponHandover.id).where(
                col(WeaponHandover.serial_index).in_(part))).all():
            by_serial.setdefault(str(digest), []).append(weapon_id)
    found: dict[int, uuid.UUID | None] = {}
    for number, line in enumerate(lines, start=1):
        receipt = by_receipt.get(line.strip().upper())
        if receipt is not None:
            found[number] = receipt
            continue
        candidates = [c for d in digests.get(number, []) for c in by_serial.get(d, [])]
        here = [c for c in candidates if c in held]
        found[number] = (here or candidates)[0] if candidates else None
    return found


def record_count(*, session: Session, crypto: FieldCrypto, actor: Principal,
                 body: StockCountIn) -> tuple[StockCountOut, bool]:
    """Compare a physical count with the weapons the records place at the location (in
    storage or in a depot there); the comparison and whether it is new."""
    custody.require_officer(actor)
    digest = request_digest(crypto, "stock-count", body)
    earlier = session.get(StockCount, body.id)
    if earlier is not None:
        if earlier.request_digest != digest or not actor.can_act_for(earlier.site_code):
            raise Conflict("this id was already used for a different count",
                           [FieldError("id", "already used with other data")])
        return count_view(session=session, count=earlier), False
    site = custody.open_location(session, actor, body.site)
    lines = [line for line in (raw.strip() for raw in body.lines) if line]
    held = _held_at(session, site)
    found = _identify(session, crypto, lines, held)
    counted = {w for w in found.values() if w is not None}
    missing = sorted(held - counted, key=str)
    unexpected: dict[uuid.UUID | str, tuple[int, uuid.UUID | None]] = {}
    for number, weapon_id in found.items():
        if weapon_id is None:
            unexpected[f"line:{number}"] = (number, None)
        elif weapon_id not in held:
            unexpected.setdefault(weapon_id, (number, weapon_id))
    count = StockCount(id=body.id, site_code=site, counted_by_id=actor.id,
                       counted_by_name=actor.username, lines=len(lines),
                       matched=len(counted & held), missing=len(missing),
                       unexpected=len(unexpected), request_digest=digest)
    seal(crypto, count, {"note": body.note})
    session.add(count)
    session.flush()
    rows = [{"count_id": count.id, "result": "missing", "weapon_id": w, "serial_index": None}
            for w in missing]
    rows += [{"count_id": count.id, "result": "unexpected", "weapon_id": weapon_id,
              "serial_index": None if weapon_id else serial_digest(crypto, lines[number - 1])}
             for number, weapon_id in unexpected.values()]
    if rows:
        session.execute(insert(StockCountItem), rows)
    record_event(session=session, actor=actor, action="weapons.count.create",
                 object_type="stock_count", object_id=str(count.id), site_code=site,
                 details={"lines": len(lines), "missing": len(missing),
                          "unexpected": len(unexpected)})
    session.flush()
    lines_of = {weapon_id: number for number, weapon_id in unexpected.values() if weapon_id}
    unknown = [number for number, weapon_id in unexpected.values() if weapon_id is None]
    return count_view(session=session, count=count, lines_of=lines_of, unknown=unknown), True


def count_view(*, session: Session, count: StockCount,
               lines_of: dict[uuid.UUID, int] | None = None,
               unknown: list[int] | None = None) -> StockCountOut:
    """A count and its differences (line numbers only in the answer to the count itself)."""
    items = session.exec(select(StockCountItem).where(
        StockCountItem.count_id == count.id).order_by(col(StockCountItem.id))).all()
    weapons = [i.weapon_id for i in items if i.weapon_id]
    held = custody.weapons_held(session, weapons)
    differences = []
    unknown_lines = iter(unknown or [])
    for item in items:
        where = held.get(item.weapon_id) if item.weapon_id else None
        differences.append(CountDifference(
            result=item.result, weapon_id=item.weapon_id,
            receipt_number=where.label if where else None,
            custody_status=where.status if where else None,
            location=where.site if where else None,
            line=(lines_of or {}).get(item.weapon_id) if item.weapon_id
            else next(unknown_lines, None)))
    return StockCountOut(id=count.id, site=count.site_code, counted_at=count.counted_at,
                         counted_by=count.counted_by_name, lines=count.lines,
                         matched=count.matched, missing=count.missing,
                         unexpected=count.unexpected, differences=differences)


def read_count(*, session: Session, actor: Principal, count_id: uuid.UUID) -> StockCountOut:
    """One stock count at the caller's sites."""
    custody.require_reader(actor)
    count = session.get(StockCount, count_id)
    if count is None or not actor.can_act_for(count.site_code):
        raise NotFound("count not found")
    return count_view(session=session, count=count)
