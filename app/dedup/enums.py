"""The states of a candidate pair and the moves allowed between them (a table, checked
wherever a pair changes)."""

from __future__ import annotations

from enum import StrEnum

from app.core.errors import Conflict


class PairStatus(StrEnum):
    """Where a candidate pair stands in review."""

    open = "open"
    escalated = "escalated"
    """A reviewer was not sure: waits for a supervisor."""
    awaiting_supervisor = "awaiting_supervisor"
    """Judged the same person, but the merge touches cases or payments: a supervisor confirms."""
    same_person = "same_person"
    different_persons = "different_persons"
    superseded = "superseded"
    """Settled by a decision on another pair of the same two persons."""


OPEN_STATUSES = frozenset({PairStatus.open, PairStatus.escalated,
                           PairStatus.awaiting_supervisor})
SUPERVISOR_STATUSES = frozenset({PairStatus.escalated, PairStatus.awaiting_supervisor})
CLOSED = (PairStatus.different_persons,)
"""Pairs whose persons are never proposed together again."""

_DECIDED = frozenset({PairStatus.same_person, PairStatus.different_persons,
                      PairStatus.superseded})

TRANSITIONS: dict[PairStatus, frozenset[PairStatus]] = {
    PairStatus.open: frozenset({PairStatus.escalated, PairStatus.awaiting_supervisor,
                                *_DECIDED}),
    PairStatus.escalated: frozenset({PairStatus.escalated, PairStatus.awaiting_supervisor,
                                     *_DECIDED}),
    PairStatus.awaiting_supervisor: frozenset({PairStatus.escalated, *_DECIDED}),
    # undoing the merge a `same person` decision made opens the pair again
    PairStatus.same_person: frozenset({PairStatus.open}),
    PairStatus.different_persons: frozenset(),
    # undoing the merge that settled it restores the status it had
    PairStatus.superseded: OPEN_STATUSES,
}
"""From each status, the statuses a pair may move to."""


def check_transition(before: str, after: str) -> PairStatus:
    """The status `after`, if a pair may move to it from `before`; a conflict otherwise."""
    target = PairStatus(after)
    if target not in TRANSITIONS[PairStatus(before)]:
        raise Conflict(f"a pair cannot go from {before} to {after}; reload it")
    return target
