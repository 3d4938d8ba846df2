"""What the review pages call things, and the side-by-side rows built from a pair's detail."""

from __future__ import annotations

from dataclasses import dataclass

from app.dedup.schemas import PairDetail
from app.registry.schemas import Reason
from app.web.forms import FIELD_LABELS, N_

FIELD_NAMES = {**FIELD_LABELS, "site": N_("Site"), "registered_on": N_("Registered")}
# Where and when each registration was made: context, not evidence of one person.
CONTEXT_FIELDS = frozenset({"site", "registered_on"})
# Values written left to right whatever the page's direction (digits, codes, dates).
LTR_FIELDS = frozenset({"date_of_birth", "phone", "national_id", "passport_no", "nationality",
                        "site", "registered_on", "armed_group"})

BAND_LABELS = {"match": N_("Likely the same person"),
               "possible": N_("Possibly the same person")}
STATUS_LABELS = {
    "open": N_("Open"),
    "escalated": N_("Not sure: waits for a supervisor"),
    "awaiting_supervisor": N_("Merge waits for a supervisor's confirmation"),
    "same_person": N_("Decided: same person"),
    "different_persons": N_("Decided: different persons"),
    "superseded": N_("Settled by a decision on another pair"),
}
STATUS_FILTERS = {"open": N_("Open"), "escalated": N_("Not sure (escalated)"),
                  "awaiting_supervisor": N_("Awaiting a supervisor"), "decided": N_("Decided")}
ORDER_LABELS = {"score": N_("Highest score first"), "age": N_("Oldest first"),
                "uncertain": N_("Least sure first (the model learns most)")}
SOURCE_LABELS = {"registration": N_("Found at registration"), "batch": N_("Found by a batch run"),
                 "import": N_("Found at import"), "signal": N_("Raised by an integrity signal")}
DECISION_LABELS = {
    "same_person": N_("Same person"),
    "different_persons": N_("Different persons"),
    "not_sure": N_("Not sure"),
    "undo": N_("Merge undone"),
    "superseded": N_("Settled by a decision on another pair"),
}
SIGNAL_LABELS = {"weapon_serial": N_("Same weapon serial"),
                 "shared_document": N_("Shared document number"),
                 "shared_phone": N_("Shared phone number"),
                 "paid_again": N_("Paid, registering again"),
                 "traced_weapon": N_("Weapon on a tracing list")}
# The services' own messages for each outcome of a decision (translated by the catalogue).
OUTCOME_MESSAGES = {
    "merged": N_("merged: the registrations now belong to one person"),
    "same_person": N_("already the same person"),
    "different_persons": N_("recorded as two different persons; they will not be proposed "
                            "again"),
    "escalated": N_("sent to a supervisor"),
    "awaiting_supervisor": N_("both persons have cases under way or paid benefits: a "
                              "supervisor must confirm this merge"),
    "undone": N_("merge undone: both persons are as they were"),
}
SIGNAL_STATUS_LABELS = {"open": N_("Open"), "cleared": N_("Cleared: explained"),
                        "confirmed": N_("Confirmed: referred as fraud")}
AGREEMENT_LABELS = {"same": N_("Same"), "similar": N_("Close"), "differ": N_("Differs"),
                    "missing": N_("Missing on one side"), "empty": N_("Neither has it")}


@dataclass(frozen=True)
class CompareRow:
    """One field of the side-by-side table."""

    field: str
    a: str | None
    b: str | None
    agreement: str  # same / similar / differ / missing / empty
    reasons: list[Reason]
    ltr: bool


def compare_rows(detail: PairDetail) -> list[CompareRow]:
    """The compared fields with their agreement and the score's reasons about each.

    A field the matcher scored positively although the texts differ (another script, a
    spelling) is "close", not "differs".
    """
    by_field: dict[str, list[Reason]] = {}
    for reason in detail.reasons:
        by_field.setdefault(reason.field, []).append(reason)
    rows = []
    for row in detail.rows:
        if row.field in CONTEXT_FIELDS:  # shown with each registration, not compared
            continue
        reasons = by_field.get(row.field, [])
        if not row.a and not row.b:
            agreement = "empty"
        elif not row.a or not row.b:
            agreement = "missing"
        elif row.same:
            agreement = "same"
        else:
            agreement = "similar" if sum(r.weight for r in reasons) > 0 else "differ"
        rows.append(CompareRow(row.field, row.a, row.b, agreement, reasons,
                               row.field in LTR_FIELDS))
    return rows


def other_reasons(detail: PairDetail) -> list[Reason]:
    """Reasons about no single compared field (e.g. the full names taken together)."""
    fields = {row.field for row in detail.rows}
    return [r for r in detail.reasons if r.field not in fields]
