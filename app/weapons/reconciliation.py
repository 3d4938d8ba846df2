"""Reconciliation: per site and depot, where the weapons handed in are (as of any moment,
from the custody ledger), what each location holds, and every discrepancy with its cause.

All figures come from grouped SQL over clear columns (site, status, dates); no ciphertext is
read. A weapon's custody at a moment is its last ledger row before it; a weapon with none is
collected at its handover site, and unaccounted once its handover day has passed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col

from app.core.models import utcnow
from app.core.security import Principal
from app.registry.models import WeaponHandover
from app.weapons import custody
from app.weapons.enums import HELD, CustodyStatus, DiscrepancyKind
from app.weapons.models import (
    CustodyEvent,
    CustodyTransfer,
    StockCount,
    StockCountItem,
    TransferItem,
    TransferOutcome,
    WeaponCustody,
)
from app.weapons.schemas import (
    CountSummary,
    Discrepancy,
    ReconciliationOut,
    SiteReconciliation,
)

TRANSIT_DAYS = 7  # longer in transit is a discrepancy
CONFIRM_DAYS = 3  # longer waiting for the receiver's confirmation is a discrepancy

DETAILS = {
    DiscrepancyKind.no_custody: "handed in on {day}; no custody record since",
    DiscrepancyKind.transit_overdue: "in transit since {day} (more than {days} days)",
    DiscrepancyKind.transfer_unconfirmed: "in a transfer sent on {day} and not confirmed "
                                          "(more than {days} days)",
    DiscrepancyKind.count_missing: "held here by the records, not found by the count of {day}",
    DiscrepancyKind.count_unexpected: "found by the count of {day}, not held here by the "
                                      "records",
    DiscrepancyKind.serial_twice: "its serial number is on {count} weapons handed in",
}
"""Each kind's cause in words (the web translates the template, then fills it)."""


def moment(as_of: date | None) -> datetime:
    """The end of a day (UTC), or now."""
    return datetime.combine(as_of, time.max, UTC) if as_of else utcnow()


@dataclass(frozen=True)
class _State:
    """Where each weapon's custody is read from: what to join to a handover, on what, and
    its status, site and time columns."""

    table: Any
    on: ColumnElement[bool]
    status: Any
    site: Any
    at: Any


def _custody(session: Session, as_of: date | None, at: datetime) -> _State:
    """Each weapon's custody: the current custody, or its last ledger row up to the end of a
    past day (the two agree by construction). The last row is read the way each database
    reads it fastest, with the same result: SQLite looks it up through the ledger's
    `(weapon_id, at)` index weapon by weapon; PostgreSQL ranks the ledger in one pass."""
    if as_of is None:
        return _State(WeaponCustody, col(WeaponCustody.weapon_id) == WeaponHandover.id,
                      col(WeaponCustody.status), col(WeaponCustody.site_code),
                      col(WeaponCustody.since))
    newest_first = (col(CustodyEvent.at).desc(), col(CustodyEvent.id).desc())
    if session.get_bind().dialect.name == "sqlite":
        last, event = aliased(CustodyEvent), aliased(CustodyEvent)
        latest = (select_columns(col(last.id))
                  .where(col(last.weapon_id) == WeaponHandover.id, col(last.at) <= at)
                  .order_by(col(last.at).desc(), col(last.id).desc()).limit(1)
                  .correlate(WeaponHandover).scalar_subquery())
        return _State(event, col(event.id) == latest, col(event.status),
                      col(event.site_code), col(event.at))
    ranked = select_columns(
        col(CustodyEvent.weapon_id), col(CustodyEvent.status), col(CustodyEvent.site_code),
        col(CustodyEvent.at), func.row_number().over(
            partition_by=col(CustodyEvent.weapon_id), order_by=newest_first).label("rank")
    ).where(col(CustodyEvent.weapon_id).is_not(None), col(CustodyEvent.at) <= at).subquery()
    return _State(ranked, and_(ranked.c.weapon_id == WeaponHandover.id, ranked.c.rank == 1),
                  ranked.c.status, ranked.c.site_code, ranked.c.at)


@dataclass
class _Row:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    held: int = 0
    count: CountSummary | None = None
    discrepancies: list[Discrepancy] = field(default_factory=list)


def _say(kind: DiscrepancyKind, weapon_id: uuid.UUID | None, receipt: str | None,
         **params: object) -> Discrepancy:
    values = {k: str(v) for k, v in params.items()}
    return Discrepancy(weapon_id=weapon_id, kind=kind, receipt_number=receipt,
                       detail=DETAILS[kind].format(**values), params=values)


def reconcile(*, session: Session, actor: Principal, as_of: date | None = None,
              site: str | None = None) -> ReconciliationOut:
    """The reconciliation report (contract 9) of the caller's sites, now or at the end of a
    past day: grouped counts, then the weapons that are a discrepancy."""
    custody.require_reconciler(actor)
    at = moment(as_of)
    day = at.date()
    rows: dict[str, _Row] = defaultdict(_Row)
    state = _custody(session, as_of, at)
    status, location = state.status, state.site
    handed = col(WeaponHandover.handed_over_on) <= day
    today = col(WeaponHandover.handed_over_on) == day
    for origin, current, handed_today, held_at, n in session.execute(
            select_columns(col(WeaponHandover.site_code), status, today, location, func.count())
            .select_from(WeaponHandover).outerjoin(state.table, state.on).where(handed)
            .group_by(col(WeaponHandover.site_code), status, today, location)):
        key = current or ("collected" if handed_today else "unaccounted")
        rows[origin].counts[key] += int(n)
        if current in HELD:
            rows[held_at].held += int(n)

    late = at - timedelta(days=TRANSIT_DAYS)
    twice = select_columns(col(WeaponHandover.serial_index), func.count().label("n")).where(
        col(WeaponHandover.serial_index).is_not(None), handed).group_by(
        col(WeaponHandover.serial_index)).having(func.count() > 1).subquery()
    unaccounted = and_(status.is_(None), col(WeaponHandover.handed_over_on) < day)
    overdue = and_(status == CustodyStatus.in_transit, state.at < late)
    for weapon_id, receipt, origin, handed_on, where, since, copies, lost, slow in (
            session.execute(
                select_columns(col(WeaponHandover.id), col(WeaponHandover.receipt_number),
                               col(WeaponHandover.site_code),
                               col(WeaponHandover.handed_over_on), location, state.at,
                               twice.c.n, unaccounted, overdue)
                .select_from(WeaponHandover).outerjoin(state.table, state.on)
                .outerjoin(twice, twice.c.serial_index == WeaponHandover.serial_index)
                .where(handed, or_(unaccounted, overdue, twice.c.n.is_not(None)))
                .order_by(col(WeaponHandover.handed_over_on),
                          col(WeaponHandover.receipt_number)))):
        if lost:
            rows[origin].discrepancies.append(_say(
                DiscrepancyKind.no_custody, weapon_id, receipt, day=handed_on.isoformat()))
        if slow:
            rows[where].discrepancies.append(_say(
                DiscrepancyKind.transit_overdue, weapon_id, receipt,
                day=since.date().isoformat(), days=TRANSIT_DAYS))
        if copies:
            rows[where or origin].discrepancies.append(_say(
                DiscrepancyKind.serial_twice, weapon_id, receipt, count=copies))
    _unconfirmed(session, at, rows)
    _counts(session, at, rows)

    visible = sorted(s for s in rows if actor.can_act_for(s) and (site is None or s == site))
    return ReconciliationOut(as_of=at, sites=[_site(s, rows[s]) for s in visible])


def _unconfirmed(session: Session, at: datetime, rows: dict[str, _Row]) -> None:
    """Weapons in transfers sent more than CONFIRM_DAYS before `at` and not settled by then."""
    settled = select_columns(col(TransferOutcome.transfer_id)).where(
        col(TransferOutcome.at) <= at)
    for weapon_id, receipt, from_site, sent in session.execute(
            select_columns(col(WeaponHandover.id), col(WeaponHandover.receipt_number),
                           col(CustodyTransfer.from_site), col(CustodyTransfer.created_at))
            .join(TransferItem, col(TransferItem.weapon_id) == WeaponHandover.id)
            .join(CustodyTransfer, col(CustodyTransfer.id) == TransferItem.transfer_id)
            .where(col(CustodyTransfer.created_at) < at - timedelta(days=CONFIRM_DAYS),
                   col(CustodyTransfer.id).not_in(settled))
            .order_by(col(CustodyTransfer.created_at))):
        rows[from_site].discrepancies.append(_say(
            DiscrepancyKind.transfer_unconfirmed, weapon_id, receipt,
            day=sent.date().isoformat(), days=CONFIRM_DAYS))


def _counts(session: Session, at: datetime, rows: dict[str, _Row]) -> None:
    """The latest stock count of each location up to `at`, and its differences."""
    latest = select_columns(col(StockCount.site_code),
                            func.max(StockCount.counted_at).label("at")).where(
        col(StockCount.counted_at) <= at).group_by(col(StockCount.site_code)).subquery()
    counts = session.execute(select_columns(StockCount).join(latest, and_(
        latest.c.site_code == StockCount.site_code,
        latest.c.at == StockCount.counted_at))).scalars().all()
    for count in counts:
        rows[count.site_code].count = CountSummary(
            id=count.id, counted_at=count.counted_at, lines=count.lines,
            matched=count.matched, missing=count.missing, unexpected=count.unexpected)
    if not counts:
        return
    by_id = {c.id: c for c in counts}
    for count_id, result, weapon_id, receipt in session.execute(
            select_columns(col(StockCountItem.count_id), col(StockCountItem.result),
                           col(StockCountItem.weapon_id), col(WeaponHandover.receipt_number))
            .outerjoin(WeaponHandover, col(WeaponHandover.id) == StockCountItem.weapon_id)
            .where(col(StockCountItem.count_id).in_(list(by_id)))
            .order_by(col(StockCountItem.id))):
        count = by_id[count_id]
        kind = (DiscrepancyKind.count_missing if result == "missing"
                else DiscrepancyKind.count_unexpected)
        rows[count.site_code].discrepancies.append(_say(
            kind, weapon_id, receipt, day=count.counted_at.date().isoformat()))


def _site(code: str, row: _Row) -> SiteReconciliation:
    c = row.counts
    return SiteReconciliation(
        site=code, handed_in=sum(c.values()),
        in_storage=c[CustodyStatus.in_storage] + c[CustodyStatus.in_depot],
        in_transit=c[CustodyStatus.in_transit], destroyed=c[CustodyStatus.destroyed],
        transferred=c[CustodyStatus.transferred], unaccounted=c["unaccounted"],
        collected=c[CustodyStatus.collected], evidence=c[CustodyStatus.evidence],
        held=row.held, last_count=row.count, discrepancies=row.discrepancies)
