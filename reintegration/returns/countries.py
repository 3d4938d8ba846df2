"""Countries of origin and their focal points: the receiving DDR authority, agreed border
crossings, embassy and consular contacts, partners. Contacts are people's details: stored
encrypted, their read audited."""

from __future__ import annotations

import json

import pycountry
from babel import Locale
from sqlmodel import Session, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import FieldError, NotFound, ValidationFailed
from app.core.models import utcnow
from app.core.security import Principal
from reintegration.access import require_case_worker
from reintegration.models import Case
from reintegration.returns.models import ReturnCountry
from reintegration.returns.movements import require_coordinator
from reintegration.returns.schemas import Contact, CountryIn, CountryOut


def country_name(code: str, language: str = "en") -> str:
    """The name of an ISO 3166-1 alpha-3 code in English or Arabic: CLDR's territory names
    (Babel), as the statistics pages give them; the code when unknown."""
    found = pycountry.countries.get(alpha_3=code)
    if found is None:
        return code
    return str(Locale.parse(language).territories.get(found.alpha_2, code))


def _known(code: str) -> str:
    code = code.upper()
    if len(code) != 3 or pycountry.countries.get(alpha_3=code) is None or code == "LBY":
        raise ValidationFailed([FieldError("code", "not a country of origin (ISO 3166 "
                                                   "alpha-3)")])
    return code


def _view(crypto: FieldCrypto, code: str, row: ReturnCountry | None) -> CountryOut:
    plain = crypto.decrypt(row.contacts, table=ReturnCountry.__tablename__, column="contacts",
                           row_id=code) if row else None
    contacts = json.loads(plain or "[]")
    return CountryOut(code=code, name=country_name(code),
                      receiving_authority=row.receiving_authority if row else "",
                      border_crossings=[x for x in (row.border_crossings if row else ""
                                                    ).splitlines() if x],
                      contacts=[Contact.model_validate(c) for c in contacts])


def list_countries(*, session: Session, crypto: FieldCrypto,
                   actor: Principal) -> list[CountryOut]:
    """Every country configured or with return cases, by code, without contacts."""
    require_case_worker(actor)
    configured = {c.code: c for c in session.exec(select(ReturnCountry))}
    with_cases = {c for c in session.exec(
        select(Case.country).where(Case.pathway == "return").distinct()).all() if c}
    return [_view(crypto, code, configured.get(code)).model_copy(update={"contacts": []})
            for code in sorted(set(configured) | with_cases)]


def read_country(*, session: Session, crypto: FieldCrypto, actor: Principal,
                 code: str) -> CountryOut:
    """A country with its contacts (an audited read)."""
    require_case_worker(actor)
    code = _known(code)
    row = session.get(ReturnCountry, code)
    if row is None:
        raise NotFound("no coordination details for this country")
    record_event(session=session, actor=actor, action="return_country.read",
                 object_type="return_country", object_id=code)
    return _view(crypto, code, row)


def save_country(*, session: Session, crypto: FieldCrypto, actor: Principal, code: str,
                 body: CountryIn) -> CountryOut:
    """Set a country's coordination details (coordinators and administrators)."""
    require_coordinator(actor)
    code = _known(code)
    row = session.get(ReturnCountry, code) or ReturnCountry(code=code)
    row.receiving_authority = body.receiving_authority
    row.border_crossings = "\n".join(x for x in body.border_crossings if x)
    row.updated_at, row.updated_by_id = utcnow(), actor.id
    row.contacts = crypto.encrypt(
        json.dumps([c.model_dump() for c in body.contacts], ensure_ascii=False)
        if body.contacts else None, table=ReturnCountry.__tablename__, column="contacts",
        row_id=code)
    session.add(row)
    session.flush()
    record_event(session=session, actor=actor, action="return_country.save",
                 object_type="return_country", object_id=code,
                 details={"contacts": len(body.contacts),
                          "border_crossings": len(body.border_crossings)})
    return _view(crypto, code, row)
