"""The pair status table: every move a decision, a merge or an undo makes is in it, and
nothing else is."""

from __future__ import annotations

import pytest

from app.core.errors import Conflict
from app.dedup.enums import OPEN_STATUSES, TRANSITIONS, PairStatus, check_transition

ALLOWED = [
    ("open", "escalated"), ("open", "awaiting_supervisor"), ("open", "same_person"),
    ("open", "different_persons"), ("open", "superseded"),
    ("escalated", "escalated"), ("escalated", "same_person"),
    ("awaiting_supervisor", "same_person"), ("awaiting_supervisor", "different_persons"),
    ("same_person", "open"), ("superseded", "open"), ("superseded", "awaiting_supervisor"),
]
REFUSED = [
    ("different_persons", "open"), ("different_persons", "same_person"),
    ("same_person", "different_persons"), ("same_person", "superseded"),
    ("awaiting_supervisor", "awaiting_supervisor"), ("superseded", "same_person"),
    ("open", "open"),
]


@pytest.mark.parametrize(("before", "after"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_moves(before: str, after: str) -> None:
    assert check_transition(before, after) == PairStatus(after)


@pytest.mark.parametrize(("before", "after"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_refused_moves_are_conflicts(before: str, after: str) -> None:
    with pytest.raises(Conflict, match="cannot go from"):
        check_transition(before, after)


def test_every_status_has_a_row_and_decided_pairs_leave_the_open_set() -> None:
    assert set(TRANSITIONS) == set(PairStatus)
    assert OPEN_STATUSES.isdisjoint({PairStatus.same_person, PairStatus.different_persons,
                                     PairStatus.superseded})
    assert TRANSITIONS[PairStatus.different_persons] == frozenset()
