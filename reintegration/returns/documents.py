"""Travel document numbers of return cases: encrypted with the step's values, and kept as a
blind index (kind `travel_document`, keyed per key version like the registry's) so that a
case is found by its number and the same number recorded on two persons shows.

Lookups use the number's index under every active key version (as the registry's do), so
nothing goes missing between `ddr keys add` and the end of `ddr keys rotate`, which rebuilds
each index under the primary version with the step it re-encrypts.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, delete
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.security import Principal
from app.registry.models import Registration
from reintegration.access import can_see, require_case_worker
from reintegration.models import Case
from reintegration.returns.models import TravelDocumentIndex
from reintegration.returns.schemas import DocumentHolderOut

KIND = "travel_document"


def normalise(number: str) -> str:
    """A document number as it is indexed: letters and digits only, upper case ("lp-tcd
    0042" and "LP-TCD-0042" are the same number)."""
    return "".join(ch for ch in number.upper() if ch.isalnum())


def index(session: Session, crypto: FieldCrypto, case_id: uuid.UUID, number: str | None
          ) -> None:
    """Store (or replace, or remove when the number is empty) a case's document index."""
    session.execute(delete(TravelDocumentIndex).where(
        col(TravelDocumentIndex.case_id) == case_id))
    normalised = normalise(number or "")
    if normalised:
        session.add(TravelDocumentIndex(case_id=case_id,
                                        digest=crypto.blind_index(KIND, normalised)))


def _holders(session: Session, where: ColumnElement[bool]) -> list[DocumentHolderOut]:
    rows = session.execute(
        select_columns(col(Case.id).label("case_id"), col(Case.person_id),
                       col(Registration.registration_number), col(Case.country),
                       col(Case.site_code).label("site"), col(Case.status),
                       col(Case.current_step))
        .select_from(TravelDocumentIndex)
        .join(Case, col(Case.id) == col(TravelDocumentIndex.case_id))
        .join(Registration, col(Registration.id) == col(Case.registration_id), isouter=True)
        .where(where).order_by(col(Case.opened_on), col(Case.id))).all()
    return [DocumentHolderOut(**row._mapping) for row in rows]


def shared_with(session: Session, case: Case) -> list[DocumentHolderOut]:
    """Other persons' return cases recorded with the same travel document number as this
    case (ids and registration numbers only)."""
    mine = select_columns(col(TravelDocumentIndex.digest)).where(
        col(TravelDocumentIndex.case_id) == case.id).scalar_subquery()
    return _holders(session, and_(col(TravelDocumentIndex.digest) == mine,
                                  col(Case.person_id) != case.person_id))


def find(*, session: Session, crypto: FieldCrypto, actor: Principal, number: str
         ) -> list[DocumentHolderOut]:
    """The return cases the caller may see recorded with this travel document number (the
    search is audited, without the number)."""
    require_case_worker(actor)
    normalised = normalise(number)
    found = [h for h in _holders(session, col(TravelDocumentIndex.digest).in_(
        crypto.blind_indexes(KIND, normalised)))
        if can_see(actor, "return", h.site)] if normalised else []
    record_event(session=session, actor=actor, action="returns.document.search",
                 object_type="case", details={"found": [str(h.case_id) for h in found]})
    return found

