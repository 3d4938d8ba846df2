"""The custody transition table: every move the services make is in it, and final statuses
lead nowhere."""

from __future__ import annotations

import pytest

from app.core.errors import Conflict
from app.weapons.enums import FINAL, TRANSFER_TARGETS, TRANSITIONS, CustodyStatus, check_transition

ALLOWED = [
    ("collected", "in_storage"), ("collected", "in_transit"), ("collected", "in_depot"),
    ("collected", "destroyed"), ("collected", "evidence"),
    ("in_storage", "in_storage"), ("in_storage", "in_transit"), ("in_storage", "in_depot"),
    ("in_storage", "destroyed"), ("in_storage", "transferred"), ("in_storage", "evidence"),
    ("in_transit", "in_storage"), ("in_transit", "in_depot"),
    ("in_depot", "in_transit"), ("in_depot", "in_depot"), ("in_depot", "destroyed"),
    ("in_depot", "transferred"), ("in_depot", "evidence"),
]
REFUSED = [
    ("destroyed", "in_storage", "destroyed item cannot move"),
    ("destroyed", "destroyed", "destroyed item cannot move"),
    ("transferred", "in_depot", "transferred out of the programme"),
    ("evidence", "in_storage", "handed over as evidence"),
    ("in_transit", "destroyed", "cannot go from in_transit to destroyed"),
    ("in_transit", "transferred", "cannot go from in_transit to transferred"),
    ("collected", "transferred", "cannot go from collected to transferred"),
    ("in_storage", "collected", "cannot go from in_storage to collected"),
]


@pytest.mark.parametrize(("before", "after"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_moves(before: str, after: str) -> None:
    assert check_transition("W1", before, after) == CustodyStatus(after)


@pytest.mark.parametrize(("before", "after", "reason"), REFUSED,
                         ids=[f"{a}->{b}" for a, b, _ in REFUSED])
def test_refused_moves_say_why(before: str, after: str, reason: str) -> None:
    with pytest.raises(Conflict, match=reason) as refused:
        check_transition("TRP-2026-000001-W01", before, after)
    assert refused.value.detail.startswith("TRP-2026-000001-W01: ")
    assert refused.value.errors[0].field == "items"


def test_every_status_has_a_row_and_final_statuses_lead_nowhere() -> None:
    assert set(TRANSITIONS) == set(CustodyStatus)
    assert all(TRANSITIONS[s] == frozenset() for s in FINAL)
    assert CustodyStatus.destroyed not in TRANSFER_TARGETS
    assert CustodyStatus.collected not in {t for targets in TRANSITIONS.values()
                                           for t in targets}
