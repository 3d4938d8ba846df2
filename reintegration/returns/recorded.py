"""What the return pathway keeps beside its steps, in the transaction of each step move:

- the **travel document number**'s blind index (:mod:`reintegration.returns.documents`),
  whenever the travel document step records a number;
- the **case's country**: opened with the nationality the registration claims, it becomes the
  country the *nationality verified* step confirms when that differs — the case moves to
  that country's board and movements (audited). A case on a planned or confirmed movement of
  the other country is refused the change until it is taken off that movement.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from app.core.audit import record_event
from app.core.errors import FieldError, ValidationFailed
from reintegration.engine import StepRecorded
from reintegration.enums import StepStatus
from reintegration.models import Case
from reintegration.returns import documents
from reintegration.returns.models import Movement, MovementReturnee


def recorded(move: StepRecorded) -> None:
    """The return pathway's hook (see :class:`reintegration.engine.Pathway`)."""
    if move.step == "travel_document" and "number" in move.sealed:
        documents.index(move.session, move.crypto, move.case.id, move.sealed["number"])
    if (move.step == "nationality_verified" and move.status == StepStatus.done
            and move.values.get("outcome") == "confirmed" and move.values.get("country")):
        _set_country(move, str(move.values["country"]))


def _set_country(move: StepRecorded, country: str) -> None:
    case, session = move.case, move.session
    before = case.country
    if country == before:
        return
    aboard = session.exec(select(Movement).join(MovementReturnee).where(
        MovementReturnee.case_id == case.id,
        col(Movement.status).in_(("planned", "confirmed")))).first()
    if aboard is not None:
        raise ValidationFailed([FieldError(
            "data.country", "the case is on a movement to another country: take it off that "
                            "movement first")])
    session.execute(update(Case).where(col(Case.id) == case.id).values(country=country)
                    .execution_options(synchronize_session=False))
    set_committed_value(case, "country", country)
    record_event(session=session, actor=move.actor, action="case.country", object_type="case",
                 object_id=str(case.id), site_code=case.site_code,
                 details={"before": before, "after": country, "person": str(case.person_id)})
