"""The do-not-re-enter flag: a person handed over to their country of origin's authority.

It holds from the handover step of a return case being done, and follows the case (a merge
moves it to the surviving person). The live duplicate check and the import show it on the
candidates of a new registration — in whatever script the new one is written, since the
candidates come from the cross-script matcher.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from reintegration.enums import StepStatus
from reintegration.models import Case, CaseStep

_HANDED_OVER = (
    select(Case.person_id).join(CaseStep, col(CaseStep.case_id) == col(Case.id))
    .where(col(Case.person_id).in_(bindparam("persons", expanding=True)),
           col(Case.pathway) == "return", col(CaseStep.key) == "handover",
           col(CaseStep.status) == StepStatus.done))
"""The persons among those bound as `persons` handed over (built once: every duplicate
check runs it)."""


def do_not_reenter(session: Session, person_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The persons among these who were handed over to their country of origin."""
    ids = sorted(set(person_ids), key=str)
    if not ids:
        return set()
    return set(session.execute(_HANDED_OVER, {"persons": ids}).scalars())
