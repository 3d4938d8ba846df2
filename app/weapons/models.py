"""Tables of weapons custody: the current custody of each weapon, the append-only ledger of
custody changes, transfers with their outcome, ammunition lots, destruction events, stock
counts and tracing lists.

What statistics aggregate (type, calibre, site, status, dates) is in clear columns; names of
people, places, units and notes are AES-GCM ciphertext; serial numbers appear only as blind
indexes here (their ciphertext lives on the handover).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models import utcnow
from app.registry.models import encrypted

ONE_ITEM = "(weapon_id IS NULL) <> (lot_id IS NULL)"
"""A transfer, ledger or destruction item is a weapon or an ammunition lot, never both."""


class WeaponCustody(SQLModel, table=True):
    """The current custody of a weapon (none yet: collected at its handover site). Changed
    only together with a ledger row, by a versioned conditional update."""

    __tablename__ = "weapon_custody"

    weapon_id: uuid.UUID = Field(foreign_key="weapon_handover.id", primary_key=True)
    status: str = Field(max_length=16, index=True)
    site_code: str = Field(foreign_key="site.code", max_length=8, index=True)
    since: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)


class AmmunitionLot(SQLModel, table=True):
    """Ammunition or explosives handed in: by calibre or type, lot, quantity and condition,
    with its custody (status, site, version) on the row itself."""

    __tablename__ = "ammunition_lot"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("note",)

    id: uuid.UUID = Field(primary_key=True)
    handover_site: str = Field(foreign_key="site.code", max_length=8, index=True)
    registration_id: uuid.UUID | None = Field(default=None, foreign_key="registration.id",
                                              index=True)
    handed_in_on: date = Field(index=True)
    category: str = Field(max_length=16)
    calibre: str = Field(max_length=60)
    lot_number: str | None = Field(default=None, max_length=60)
    quantity: int
    condition: str = Field(max_length=16)
    status: str = Field(default="collected", max_length=16, index=True)
    site_code: str = Field(foreign_key="site.code", max_length=8, index=True)
    since: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    request_digest: str = Field(max_length=64)
    note: bytes | None = encrypted()


class CustodyTransfer(SQLModel, table=True):
    """A batch moved from one custodian to another: sent by one officer, confirmed (or
    refused) by the receiver. Never changed once written; its outcome is a row of its own."""

    __tablename__ = "custody_transfer"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = (
        "receiving_unit", "receiving_person", "receipt_reference", "note")

    id: uuid.UUID = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sender_id: int | None = Field(default=None, foreign_key="app_user.id")
    sender_name: str = Field(max_length=80)
    from_site: str = Field(foreign_key="site.code", max_length=8, index=True)
    to_site: str = Field(foreign_key="site.code", max_length=8, index=True)
    to_status: str = Field(max_length=16)
    seal_numbers: str = Field(default="", max_length=400)  # comma-separated, clear
    items: int
    request_digest: str = Field(max_length=64)
    receiving_unit: bytes | None = encrypted()
    receiving_person: bytes | None = encrypted()
    receipt_reference: bytes | None = encrypted()
    note: bytes | None = encrypted()


class TransferItem(SQLModel, table=True):
    """A weapon or lot in a transfer, with the custody it had when the transfer was sent."""

    __tablename__ = "transfer_item"
    __table_args__ = (CheckConstraint(ONE_ITEM, name="ck_transfer_item_one"),)

    id: int | None = Field(default=None, primary_key=True)
    transfer_id: uuid.UUID = Field(foreign_key="custody_transfer.id", index=True)
    weapon_id: uuid.UUID | None = Field(default=None, foreign_key="weapon_handover.id",
                                        index=True)
    lot_id: uuid.UUID | None = Field(default=None, foreign_key="ammunition_lot.id", index=True)
    from_status: str = Field(max_length=16)
    from_version: int


class TransferOutcome(SQLModel, table=True):
    """How a transfer ended (one row per transfer): confirmed or refused by the receiver,
    or withdrawn by the sender."""

    __tablename__ = "transfer_outcome"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("note",)

    transfer_id: uuid.UUID = Field(foreign_key="custody_transfer.id", primary_key=True)
    outcome: str = Field(max_length=16)
    by_id: int | None = Field(default=None, foreign_key="app_user.id")
    by_name: str = Field(max_length=80)
    at: datetime = Field(default_factory=utcnow)
    seals_intact: bool | None = None
    note: bytes | None = encrypted()

    @property
    def id(self) -> uuid.UUID:
        """The transfer's id: what the note's ciphertext is bound to."""
        return self.transfer_id


class DestructionEvent(SQLModel, table=True):
    """Weapons and ammunition destroyed together: method, place, date, who authorised it and
    who witnessed it; its certificate number is printed on the certificate."""

    __tablename__ = "destruction_event"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("place", "authorised_by", "witnesses", "note")

    id: uuid.UUID = Field(primary_key=True)
    certificate_number: str = Field(max_length=24, unique=True)
    site_code: str = Field(foreign_key="site.code", max_length=8, index=True)
    destroyed_on: date = Field(index=True)
    method: str = Field(max_length=24)
    in_place: bool = Field(default=False)
    weapons: int
    lots: int
    rounds: int
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_by_name: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    request_digest: str = Field(max_length=64)
    place: bytes | None = encrypted()
    authorised_by: bytes | None = encrypted()
    witnesses: bytes | None = encrypted()  # JSON list of {name, role}
    note: bytes | None = encrypted()


class DestructionItem(SQLModel, table=True):
    """A weapon or lot destroyed in an event."""

    __tablename__ = "destruction_item"
    __table_args__ = (CheckConstraint(ONE_ITEM, name="ck_destruction_item_one"),)

    id: int | None = Field(default=None, primary_key=True)
    destruction_id: uuid.UUID = Field(foreign_key="destruction_event.id", index=True)
    weapon_id: uuid.UUID | None = Field(default=None, foreign_key="weapon_handover.id",
                                        index=True)
    lot_id: uuid.UUID | None = Field(default=None, foreign_key="ammunition_lot.id", index=True)


class CustodyEvent(SQLModel, table=True):
    """The ledger: one row per item per custody change (a confirmed transfer or a
    destruction). Append-only; the custody of any item on any day is its last row before."""

    __tablename__ = "custody_event"
    __table_args__ = (
        CheckConstraint(ONE_ITEM, name="ck_custody_event_one"),
        Index("ix_custody_event_weapon_at", "weapon_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    weapon_id: uuid.UUID | None = Field(default=None, foreign_key="weapon_handover.id")
    lot_id: uuid.UUID | None = Field(default=None, foreign_key="ammunition_lot.id", index=True)
    from_status: str = Field(max_length=16)
    status: str = Field(max_length=16)
    site_code: str = Field(foreign_key="site.code", max_length=8)
    transfer_id: uuid.UUID | None = Field(default=None, foreign_key="custody_transfer.id")
    destruction_id: uuid.UUID | None = Field(default=None, foreign_key="destruction_event.id")


class StockCount(SQLModel, table=True):
    """A physical count of the weapons a location holds, compared with the records then."""

    __tablename__ = "stock_count"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("note",)

    id: uuid.UUID = Field(primary_key=True)
    site_code: str = Field(foreign_key="site.code", max_length=8, index=True)
    counted_at: datetime = Field(default_factory=utcnow, index=True)
    counted_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    counted_by_name: str = Field(max_length=80)
    lines: int
    matched: int
    missing: int
    unexpected: int
    request_digest: str = Field(max_length=64)
    note: bytes | None = encrypted()


class StockCountItem(SQLModel, table=True):
    """One difference a count found: a weapon held by the records and not counted
    (`missing`), or a counted serial the records do not place here (`unexpected`; the weapon
    when the register knows the serial)."""

    __tablename__ = "stock_count_item"

    id: int | None = Field(default=None, primary_key=True)
    count_id: uuid.UUID = Field(foreign_key="stock_count.id", index=True)
    result: str = Field(max_length=16)
    weapon_id: uuid.UUID | None = Field(default=None, foreign_key="weapon_handover.id")
    serial_index: str | None = Field(default=None, max_length=32)


class TracingList(SQLModel, table=True):
    """Serials of weapons reported lost or stolen, or sought by an investigation; the
    entries are blind indexes, and the serials are kept encrypted (a JSON list) so that a key
    rotation can rebuild the entries."""

    __tablename__ = "tracing_list"

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("name", "source", "serials")

    id: uuid.UUID = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    uploaded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    entries: int
    request_digest: str = Field(max_length=64)
    name: bytes | None = encrypted()
    source: bytes | None = encrypted()
    serials: bytes | None = encrypted()  # JSON list of normalised serials (none before 0021)


class TracingEntry(SQLModel, table=True):
    """The blind index of one serial on a tracing list."""

    __tablename__ = "tracing_entry"
    __table_args__ = (UniqueConstraint("list_id", "serial_index", name="uq_tracing_entry"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: uuid.UUID = Field(foreign_key="tracing_list.id")
    serial_index: str = Field(max_length=32, index=True)
