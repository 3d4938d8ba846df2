"""Who is ready to travel: verified, consenting, documented (a travel document valid on the
day of travel) and medically cleared — with the reason each one is not.

The check reads the clear columns of the case steps (status, outcome, the expiry date among
the step's clear values), never decrypted fields.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from reintegration.enums import StepStatus
from reintegration.models import Case, CaseStep

READINESS_STEPS = ("nationality_verified", "consent", "travel_document", "medical_clearance")
FIT = ("fit", "fit_with_escort")


def N_(message: str) -> str:
    """Mark a text for the translation catalogue."""
    return message


REASONS = {
    "case_not_open": N_("The case is not open"),
    "not_verified": N_("Nationality not verified yet"),
    "nationality_not_confirmed": N_("Nationality could not be confirmed"),
    "no_consent": N_("No informed consent recorded yet"),
    "declines": N_("Does not consent to return"),
    "no_document": N_("No travel document yet"),
    "document_expires": N_("The travel document expires before the day of travel"),
    "not_cleared": N_("Not medically cleared yet"),
    "not_fit": N_("Not fit to travel"),
}
"""Each reason a returnee is not ready, by code."""


@dataclass(frozen=True)
class StepFacts:
    """What the check needs of one step."""

    status: str
    outcome: str | None
    expires_on: date | None = None


def reasons(steps: Mapping[str, StepFacts], *, case_status: str = "open",
            travel_on: date | None = None) -> list[str]:
    """The codes of what stops a returnee travelling (empty: ready)."""
    found = [] if case_status == "open" else ["case_not_open"]
    missing = StepFacts(StepStatus.pending, None)
    verified = steps.get("nationality_verified", missing)
    if verified.status != StepStatus.done:
        found.append("not_verified")
    elif verified.outcome != "confirmed":
        found.append("nationality_not_confirmed")
    consent = steps.get("consent", missing)
    if consent.status != StepStatus.done:
        found.append("no_consent")
    elif consent.outcome != "consents":
        found.append("declines")
    document = steps.get("travel_document", missing)
    if document.status != StepStatus.done:
        found.append("no_document")
    elif travel_on and document.expires_on and document.expires_on < travel_on:
        found.append("document_expires")
    medical = steps.get("medical_clearance", missing)
    if medical.status != StepStatus.done:
        found.append("not_cleared")
    elif medical.outcome not in FIT:
        found.append("not_fit")
    return found


def step_facts(session: Session, case_ids: Iterable[uuid.UUID]
               ) -> dict[uuid.UUID, dict[str, StepFacts]]:
    """The readiness steps of these cases."""
    ids = list(case_ids)
    found: dict[uuid.UUID, dict[str, StepFacts]] = {i: {} for i in ids}
    if not ids:
        return found
    rows = session.execute(select_columns(
        col(CaseStep.case_id), col(CaseStep.key), col(CaseStep.status), col(CaseStep.outcome),
        col(CaseStep.facts)).where(col(CaseStep.case_id).in_(ids),
                                   col(CaseStep.key).in_(READINESS_STEPS))).all()
    for case_id, key, status, outcome, facts in rows:
        expires = json.loads(facts).get("expires_on") if key == "travel_document" else None
        found[case_id][key] = StepFacts(status, outcome,
                                        date.fromisoformat(expires) if expires else None)
    return found


def check(session: Session, cases: Iterable[Case], travel_on: date | None = None
          ) -> dict[uuid.UUID, list[str]]:
    """The reasons each case is not ready (empty list: ready)."""
    listed = list(cases)
    facts = step_facts(session, [c.id for c in listed])
    return {c.id: reasons(facts[c.id], case_status=c.status, travel_on=travel_on)
            for c in listed}
