"""Custody statuses of weapons and ammunition, and the moves allowed between them (a table,
checked wherever custody changes), with the other closed vocabularies of the domain."""

from __future__ import annotations

from enum import StrEnum

from app.core.errors import Conflict, FieldError


class CustodyStatus(StrEnum):
    """Where a weapon or an ammunition lot stands in the chain of custody."""

    collected = "collected"
    """Handed in at a site's collection point; no custody record yet."""
    in_storage = "in_storage"
    """In temporary storage at a site."""
    in_transit = "in_transit"
    """Taken over by an escort for transport (its site is the destination)."""
    in_depot = "in_depot"
    """In a central depot."""
    destroyed = "destroyed"
    transferred = "transferred"
    """Handed to a state armoury (the receiving unit recorded): out of the programme."""
    evidence = "evidence"
    """Handed to an investigating authority as evidence: out of the programme."""


FINAL = frozenset({CustodyStatus.destroyed, CustodyStatus.transferred, CustodyStatus.evidence})
HELD = frozenset({CustodyStatus.in_storage, CustodyStatus.in_depot})
"""Statuses in which a location holds the item: what a stock count should find there."""
LEAVING = frozenset({CustodyStatus.transferred, CustodyStatus.evidence})
"""Transfers out of the programme: the receiving unit is named, a second officer confirms."""

_STORED = frozenset({CustodyStatus.in_storage, CustodyStatus.in_depot})
TRANSITIONS: dict[CustodyStatus, frozenset[CustodyStatus]] = {
    CustodyStatus.collected: frozenset({*_STORED, CustodyStatus.in_transit,
                                        CustodyStatus.destroyed, CustodyStatus.evidence}),
    CustodyStatus.in_storage: frozenset({*_STORED, CustodyStatus.in_transit, *FINAL}),
    CustodyStatus.in_transit: _STORED,
    CustodyStatus.in_depot: frozenset({*_STORED, CustodyStatus.in_transit, *FINAL}),
    CustodyStatus.destroyed: frozenset(),
    CustodyStatus.transferred: frozenset(),
    CustodyStatus.evidence: frozenset(),
}
"""From each status, the statuses an item may move to (destroyed: by a destruction event;
the others: by a confirmed transfer)."""

TRANSFER_TARGETS = frozenset(TRANSITIONS) - {CustodyStatus.collected, CustodyStatus.destroyed}
"""Statuses a transfer can lead to (destruction is an event of its own)."""

REFUSALS = {
    CustodyStatus.destroyed: "it was destroyed: a destroyed item cannot move",
    CustodyStatus.transferred: "it was transferred out of the programme",
    CustodyStatus.evidence: "it was handed over as evidence",
}


def check_transition(label: str, before: str, after: str) -> CustodyStatus:
    """The status `after`, if an item (named by `label`, e.g. its receipt number) may move
    to it from `before`; a conflict saying why otherwise."""
    target = CustodyStatus(after)
    current = CustodyStatus(before)
    if target not in TRANSITIONS[current]:
        reason = REFUSALS.get(current, f"it cannot go from {current} to {target}")
        raise Conflict(f"{label}: {reason}", [FieldError("items", f"{label}: {reason}")])
    return target


class TransferOutcome(StrEnum):
    """How a transfer ended: the receiver confirmed or refused it, or the sender withdrew it."""

    confirmed = "confirmed"
    refused = "refused"
    cancelled = "cancelled"


class AmmunitionCategory(StrEnum):
    """Kinds of ammunition and explosives handed in."""

    small_arms = "small_arms"
    grenade = "grenade"
    mortar = "mortar"
    rocket = "rocket"
    artillery = "artillery"
    landmine = "landmine"
    explosive = "explosive"
    other = "other"


class AmmunitionCondition(StrEnum):
    """State of ammunition when handed in; `unsafe` items are not to be moved."""

    serviceable = "serviceable"
    unserviceable = "unserviceable"
    unsafe = "unsafe"


class DestructionMethod(StrEnum):
    """How weapons and ammunition were destroyed (MOSAIC 05.50)."""

    cutting = "cutting"
    crushing = "crushing"
    shredding = "shredding"
    burning = "burning"
    open_detonation = "open_detonation"
    open_burning = "open_burning"
    demilitarisation = "demilitarisation"
    other = "other"


class DiscrepancyKind(StrEnum):
    """What the reconciliation report lists, each with its cause."""

    no_custody = "no_custody"
    """Handed in, and no custody record after the handover day (counted unaccounted)."""
    transit_overdue = "transit_overdue"
    """In transit for longer than the allowed days."""
    transfer_unconfirmed = "transfer_unconfirmed"
    """A transfer waiting for the receiver's confirmation for longer than the allowed days."""
    count_missing = "count_missing"
    """Held here by the records, not found by the latest stock count."""
    count_unexpected = "count_unexpected"
    """Found by the latest stock count, not held here by the records."""
    serial_twice = "serial_twice"
    """One serial number on two or more weapons handed in."""
