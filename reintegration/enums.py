"""Closed vocabularies of case work: statuses of steps, cases, referrals and instalments, the
kinds of timeline events. All stored in clear (codes), so statistics can count them."""

from __future__ import annotations

from enum import StrEnum


class StepStatus(StrEnum):
    """Where one step of a case stands."""

    pending = "pending"
    in_progress = "in_progress"
    done = "done"
    blocked = "blocked"
    skipped = "skipped"
    not_applicable = "not_applicable"


OPEN_STEP_STATUSES = frozenset({StepStatus.pending, StepStatus.in_progress, StepStatus.blocked})
"""Steps still to do: these have due dates that can pass."""
SETTLED_STEP_STATUSES = frozenset({StepStatus.done, StepStatus.skipped,
                                   StepStatus.not_applicable})
"""Steps nothing more is expected of (a later step anchored on one can fall due)."""


class CaseStatus(StrEnum):
    """A case as a whole."""

    open = "open"
    suspended = "suspended"
    closed = "closed"


ACTIVE_CASE_STATUSES = frozenset({CaseStatus.open, CaseStatus.suspended})


class CloseReason(StrEnum):
    """Why a case was closed."""

    completed = "completed"
    not_eligible = "not_eligible"
    withdrew = "withdrew"
    lost_contact = "lost_contact"
    relocated = "relocated"
    deceased = "deceased"
    duplicate = "duplicate"
    other = "other"


class EventKind(StrEnum):
    """What a timeline event records."""

    opened = "opened"
    step = "step"
    assigned = "assigned"
    note = "note"
    status = "status"
    referral = "referral"
    instalments = "instalments"
    payment = "payment"


class ReferralStatus(StrEnum):
    """Where a referral to a service provider stands."""

    sent = "sent"
    accepted = "accepted"
    rejected = "rejected"
    completed = "completed"
    completed_unsuccessfully = "completed_unsuccessfully"


REFERRAL_TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.sent: frozenset({ReferralStatus.accepted, ReferralStatus.rejected}),
    ReferralStatus.accepted: frozenset({ReferralStatus.completed,
                                        ReferralStatus.completed_unsuccessfully}),
    ReferralStatus.rejected: frozenset(),
    ReferralStatus.completed: frozenset(),
    ReferralStatus.completed_unsuccessfully: frozenset(),
}
"""From each referral status, the statuses it may move to."""


class InstalmentStatus(StrEnum):
    """A planned payment."""

    planned = "planned"
    paid = "paid"
    cancelled = "cancelled"


class PaymentMethod(StrEnum):
    """How a payment was made."""

    cash = "cash"
    bank_transfer = "bank_transfer"
    mobile_money = "mobile_money"
    cheque = "cheque"


class Service(StrEnum):
    """Services a provider offers and a referral asks for."""

    vocational_training = "vocational_training"
    education = "education"
    employment = "employment"
    small_business = "small_business"
    security_integration = "security_integration"
    agriculture = "agriculture"
    psychosocial = "psychosocial"
    medical = "medical"
    gender_based_violence = "gender_based_violence"
    legal = "legal"
    child_protection = "child_protection"
    family_tracing = "family_tracing"
    interim_care = "interim_care"
