"""Request and response bodies of the weapons API (contract 9 in DESIGN.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from app.core.strict import Flag, Strict
from app.registry.schemas import Name, Short, Text
from app.weapons.enums import (
    AmmunitionCategory,
    AmmunitionCondition,
    CustodyStatus,
    DestructionMethod,
    TransferOutcome,
)

MAX_BATCH = 2000


class TransferIn(Strict):
    """A batch sent to another custodian; it changes nothing until the receiver confirms."""

    id: uuid.UUID = Field(description="client-generated UUID; a retry with it is idempotent")
    weapons: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_BATCH)
    lots: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_BATCH)
    to_status: CustodyStatus = Field(description="in_storage, in_transit, in_depot, "
                                                 "transferred or evidence")
    to_site: Short | None = Field(default=None, description="where the batch goes (site or "
                                  "depot code); for transferred/evidence the sending site")
    seal_numbers: list[Short] = Field(default_factory=list, max_length=50)
    receiving_unit: Name | None = Field(default=None, description="the armoury or authority "
                                        "receiving a batch that leaves the programme")
    receiving_person: Name | None = None
    receipt_reference: Short | None = None
    note: Text | None = None


class OutcomeIn(Strict):
    """The receiver confirms or refuses a transfer; the sender may withdraw it."""

    outcome: TransferOutcome
    seals_intact: Flag | None = Field(default=None, description="seals checked on receipt")
    note: Text | None = Field(default=None, description="required to refuse or withdraw")


class ItemStub(BaseModel):
    """A weapon or lot in a list, without serial numbers."""

    id: uuid.UUID
    kind: str  # weapon / lot
    label: str  # receipt number, or calibre and lot number
    type: str  # weapon type or ammunition category
    calibre: str | None = None
    quantity: int = 1
    status: str | None = None
    site: str | None = None


class OutcomeOut(BaseModel):
    """How a transfer ended."""

    outcome: str
    by: str
    at: datetime
    seals_intact: bool | None
    note: str | None


class TransferOut(BaseModel):
    """A transfer with its items and outcome (pending while it has none)."""

    id: uuid.UUID
    created_at: datetime
    sender: str
    from_site: str
    to_site: str
    to_status: str
    status: str  # pending / confirmed / refused / cancelled
    seal_numbers: list[str]
    receiving_unit: str | None
    receiving_person: str | None
    receipt_reference: str | None
    note: str | None
    items: list[ItemStub]
    outcome: OutcomeOut | None


class TransferListOut(BaseModel):
    """Transfers touching the caller's sites."""

    items: list[TransferOut]


class HistoryEntry(BaseModel):
    """One step of a weapon's chain of custody."""

    at: datetime
    event: str  # handover / transfer / destruction / pending / refused / cancelled
    from_status: str | None
    status: str
    from_site: str | None
    site: str
    by: str | None
    confirmed_by: str | None = None
    seal_numbers: list[str] = []
    transfer_id: uuid.UUID | None = None
    destruction_id: uuid.UUID | None = None
    certificate_number: str | None = None


class WeaponItem(BaseModel):
    """A weapon in the custody list."""

    id: uuid.UUID
    receipt_number: str
    handover_site: str
    handed_over_on: date
    weapon_type: str
    make_model: str | None
    calibre: str | None
    condition: str
    custody_status: str
    location: str
    since: datetime | None
    pending_transfer: uuid.UUID | None = None


class WeaponListOut(BaseModel):
    """A page of the custody list."""

    total: int
    page: int
    page_size: int
    items: list[WeaponItem]


class WeaponDetail(WeaponItem):
    """A weapon with its markings, custody status and history (contract 9); reading it is
    audited."""

    registration_id: uuid.UUID
    serial_number: str | None
    manufacturer: str | None
    country_of_manufacture: str | None
    year_of_manufacture: int | None
    import_marking: str | None
    rounds: int
    version: int
    on_tracing_list: bool
    history: list[HistoryEntry]


class Discrepancy(BaseModel):
    """Something the records and the ground disagree on, with its cause."""

    weapon_id: uuid.UUID | None
    kind: str
    detail: str
    receipt_number: str | None = None
    params: dict[str, str] = {}


class CountSummary(BaseModel):
    """The latest stock count of a location."""

    id: uuid.UUID
    counted_at: datetime
    lines: int
    matched: int
    missing: int
    unexpected: int


class SiteReconciliation(BaseModel):
    """Where the weapons handed in at a site are now (each counted once: handed_in is the sum
    of collected, in_storage, in_transit, destroyed, transferred, evidence and unaccounted),
    what the location holds now, and every discrepancy."""

    site: str
    handed_in: int
    in_storage: int
    in_transit: int
    destroyed: int
    transferred: int
    unaccounted: int
    collected: int
    evidence: int
    held: int
    last_count: CountSummary | None
    discrepancies: list[Discrepancy]


class ReconciliationOut(BaseModel):
    """Contract 9: per site and depot."""

    as_of: datetime
    sites: list[SiteReconciliation]


class LotIn(Strict):
    """Ammunition or explosives handed in."""

    id: uuid.UUID
    site: Short
    registration_id: uuid.UUID | None = None
    category: AmmunitionCategory
    calibre: Short = Field(min_length=1, description="calibre or type, e.g. 7.62x39 mm")
    lot_number: Short | None = None
    quantity: int = Field(ge=1, le=1_000_000)
    condition: AmmunitionCondition = AmmunitionCondition.serviceable
    handed_in_on: date | None = None
    note: Text | None = None


class LotOut(BaseModel):
    """An ammunition lot and its custody."""

    id: uuid.UUID
    handover_site: str
    registration_id: uuid.UUID | None
    handed_in_on: date
    category: str
    calibre: str
    lot_number: str | None
    quantity: int
    condition: str
    custody_status: str
    location: str
    since: datetime
    version: int


class WitnessIn(Strict):
    """Someone who witnessed a destruction."""

    name: Name = Field(min_length=2)
    role: Name | None = None


class DestructionIn(Strict):
    """Weapons and ammunition destroyed together."""

    id: uuid.UUID
    site: Short
    destroyed_on: date
    method: DestructionMethod
    place: Text = Field(min_length=2)
    authorised_by: Name = Field(min_length=2)
    witnesses: list[WitnessIn] = Field(min_length=1, max_length=20)
    weapons: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_BATCH)
    lots: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_BATCH)
    in_place: Flag = Field(default=False, description="destroyed where found (items unsafe "
                                                      "to move)")
    note: Text | None = None


class DestructionOut(BaseModel):
    """A destruction event with what was destroyed."""

    id: uuid.UUID
    certificate_number: str
    site: str
    destroyed_on: date
    method: str
    in_place: bool
    place: str | None
    authorised_by: str | None
    witnesses: list[dict[str, str | None]]
    recorded_by: str
    created_at: datetime
    weapons: int
    lots: int
    rounds: int
    note: str | None
    items: list[ItemStub]


class StockCountIn(Strict):
    """A physical count: one serial number or receipt number per line, as scanned or typed."""

    id: uuid.UUID
    site: Short
    lines: list[Short] = Field(min_length=1, max_length=20_000)
    note: Text | None = None


class CountDifference(BaseModel):
    """A weapon held by the records but not counted, or counted but not held here."""

    result: str  # missing / unexpected
    weapon_id: uuid.UUID | None
    receipt_number: str | None
    custody_status: str | None
    location: str | None
    line: int | None = None


class StockCountOut(BaseModel):
    """A stock count compared with the records."""

    id: uuid.UUID
    site: str
    counted_at: datetime
    counted_by: str
    lines: int
    matched: int
    missing: int
    unexpected: int
    differences: list[CountDifference]


class TracingListIn(Strict):
    """Serials of weapons reported lost or stolen, or sought (stored as blind indexes only)."""

    id: uuid.UUID
    name: Name = Field(min_length=2)
    source: Text | None = None
    serials: list[Short] = Field(min_length=1, max_length=100_000)


class TracingListOut(BaseModel):
    """A tracing list: how many serials it holds and how many weapons handed in match."""

    id: uuid.UUID
    created_at: datetime
    name: str | None
    source: str | None
    entries: int
    hits: int
