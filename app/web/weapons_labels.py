"""Words of the weapons pages: statuses, kinds, methods and the causes of discrepancies,
marked for the catalogue and translated where they are shown."""

from __future__ import annotations

from app.weapons.enums import (
    AmmunitionCategory,
    AmmunitionCondition,
    CustodyStatus,
    DestructionMethod,
    DiscrepancyKind,
)
from app.weapons.reconciliation import DETAILS
from app.web.forms import N_, WEAPON_LABELS

STATUS_LABELS = {
    CustodyStatus.collected: N_("Collected at the site"),
    CustodyStatus.in_storage: N_("In temporary storage"),
    CustodyStatus.in_transit: N_("In transit"),
    CustodyStatus.in_depot: N_("In the central depot"),
    CustodyStatus.destroyed: N_("Destroyed"),
    CustodyStatus.transferred: N_("Transferred to a state armoury"),
    CustodyStatus.evidence: N_("Handed over as evidence"),
}
# what a transfer form offers: where the batch goes
TARGET_LABELS = {
    CustodyStatus.in_storage: N_("Into temporary storage at a site"),
    CustodyStatus.in_transit: N_("To an escort for transport"),
    CustodyStatus.in_depot: N_("Into the central depot"),
    CustodyStatus.transferred: N_("To a state armoury (leaves the programme)"),
    CustodyStatus.evidence: N_("To an investigating authority as evidence"),
}
TRANSFER_STATUS_LABELS = {"pending": N_("Waiting for the receiver"),
                          "confirmed": N_("Confirmed"), "refused": N_("Refused"),
                          "cancelled": N_("Withdrawn")}
EVENT_LABELS = {"handover": N_("Handed in"), "transfer": N_("Transfer confirmed"),
                "destruction": N_("Destroyed"), "pending": N_("Transfer sent, not confirmed"),
                "refused": N_("Transfer refused"), "cancelled": N_("Transfer withdrawn")}
METHOD_LABELS = {
    DestructionMethod.cutting: N_("Cutting"), DestructionMethod.crushing: N_("Crushing"),
    DestructionMethod.shredding: N_("Shredding"), DestructionMethod.burning: N_("Burning"),
    DestructionMethod.open_detonation: N_("Open detonation"),
    DestructionMethod.open_burning: N_("Open burning"),
    DestructionMethod.demilitarisation: N_("Industrial demilitarisation"),
    DestructionMethod.other: N_("Other"),
}
CATEGORY_LABELS = {
    AmmunitionCategory.small_arms: N_("Small-arms ammunition"),
    AmmunitionCategory.grenade: N_("Grenades"), AmmunitionCategory.mortar: N_("Mortar rounds"),
    AmmunitionCategory.rocket: N_("Rockets"), AmmunitionCategory.artillery: N_("Artillery shells"),
    AmmunitionCategory.landmine: N_("Landmines"), AmmunitionCategory.explosive: N_("Explosives"),
    AmmunitionCategory.other: N_("Other"),
}
AMMO_CONDITION_LABELS = {
    AmmunitionCondition.serviceable: N_("Serviceable"),
    AmmunitionCondition.unserviceable: N_("Unserviceable"),
    AmmunitionCondition.unsafe: N_("Unsafe to move"),
}
DISCREPANCY_LABELS = {
    DiscrepancyKind.no_custody: N_("No custody record"),
    DiscrepancyKind.transit_overdue: N_("Too long in transit"),
    DiscrepancyKind.transfer_unconfirmed: N_("Transfer not confirmed"),
    DiscrepancyKind.count_missing: N_("Missing at the count"),
    DiscrepancyKind.count_unexpected: N_("Unexpected at the count"),
    DiscrepancyKind.serial_twice: N_("Serial number seen twice"),
}
TYPE_LABELS = {**{str(k): v for k, v in WEAPON_LABELS.items()},
               **{str(k): v for k, v in CATEGORY_LABELS.items()}}
DETAIL_TEMPLATES = (
    N_("handed in on {day}; no custody record since"),
    N_("in transit since {day} (more than {days} days)"),
    N_("in a transfer sent on {day} and not confirmed (more than {days} days)"),
    N_("held here by the records, not found by the count of {day}"),
    N_("found by the count of {day}, not held here by the records"),
    N_("its serial number is on {count} weapons handed in"),
)
assert set(DETAIL_TEMPLATES) == set(DETAILS.values()), "the catalogue must hold every cause"

# what the weapons services say, for the catalogue (messages naming an item are
# "<receipt>: <reason>"; the reason is translated)
MESSAGES = (
    N_("your role does not see weapons custody"),
    N_("only a weapons officer moves weapons in custody"),
    N_("your role does not read the reconciliation"),
    N_("you may not act for this site"),
    N_("unknown site code"),
    N_("an item is named twice"),
    N_("choose at least one weapon or lot"),
    N_("weapon or lot not found"),
    N_("weapon not found"),
    N_("transfer not found"),
    N_("destruction not found"),
    N_("count not found"),
    N_("waiting in a transfer not yet confirmed"),
    N_("its custody changed meanwhile; reload and check it"),
    N_("it was destroyed: a destroyed item cannot move"),
    N_("it was transferred out of the programme"),
    N_("it was handed over as evidence"),
    N_("a transfer takes items from one site"),
    N_("name the unit or authority receiving it"),
    N_("unsafe to move; destroy it in place"),
    N_("unsafe to move"),
    N_("already there"),
    N_("not at this site"),
    N_("unsafe, destroyed in place"),
    N_("only the sender withdraws a transfer"),
    N_("a weapons officer of the receiving site confirms a transfer"),
    N_("the receiver confirms a transfer, not its sender"),
    N_("say why"),
    N_("this transfer was settled by someone else meanwhile; reload it"),
    N_("another destruction was numbered at this moment; submit again"),
    N_("this id was already used for a different transfer"),
    N_("this id was already used for a different destruction"),
    N_("this id was already used for a different lot"),
    N_("this id was already used for a different count"),
    N_("this id was already used for a different list"),
    N_("no such registration at this site"),
    N_("only an administrator uploads tracing lists"),
    N_("no serial number in the list"),
    N_("required"),
    N_("is in the future"),
    N_("this transfer was already confirmed; reload it"),
    N_("this transfer was already refused; reload it"),
    N_("this transfer was already cancelled; reload it"),
)
