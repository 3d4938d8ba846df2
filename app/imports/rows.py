"""One batch of an import's rows: read, checked, stored and checked for duplicates, in one
transaction (a batch is all stored or not at all; a crash loses at most the batch in
flight, which the next run of the file stores).

A row's registration id derives from the row: its submission UUID, else its `record_id`,
else a keyed fingerprint of its cells. A row whose registration exists with the same content
was imported before and is skipped; with other content it is rejected (the id is taken).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.core.crypto import FieldCrypto
from app.core.errors import DomainError, FieldError
from app.core.security import Principal
from app.dedup import bulk, signals
from app.dedup.records import draft_record
from app.dedup.service import record_pairs_many
from app.imports.mapping import RowValues
from app.registry import service as registry
from app.registry.models import Registration
from app.registry.schemas import CandidateOut, RegistrationIn
from app.registry.validation import ascii_digits
from matching import MatchModel
from reintegration.returns.flags import do_not_reenter
from reintegration.service import open_cases_for

NAMESPACE = uuid.UUID("0f3b2c1e-9d4a-4c7b-8e21-5a6b7c8d9e0f")
"""Registration ids of imported rows are UUIDv5 in this namespace (a record CSV row's id is
that of its `record_id`, as the registry's earlier bulk import made it)."""

_PYDANTIC = {
    "missing": "required", "enum": "not one of the allowed values",
    "literal_error": "not one of the allowed values", "string_too_long": "too long",
    "too_long": "too many values", "date_from_datetime_parsing": "not a date (YYYY-MM-DD)",
    "date_parsing": "not a date (YYYY-MM-DD)", "date_type": "not a date (YYYY-MM-DD)",
}
NOT_VALID = "not a valid value"


@dataclass
class Row:
    """A row of the file as read: its number (the header is row 1), cells and fields."""

    number: int
    cells: list[str]
    values: RowValues | None
    errors: list[FieldError] = field(default_factory=list)


@dataclass
class Options:
    """How an import treats its rows."""

    site: str | None = None  # for rows that do not name one
    consent_attested: bool = False  # consent was collected for every row of the file
    dry_run: bool = False


@dataclass
class Outcome:
    """What became of a batch's rows."""

    accepted: int = 0
    skipped: int = 0
    rejected: list[Row] = field(default_factory=list)
    findings: dict[int, tuple[uuid.UUID | None, list[dict[str, Any]]]] = field(
        default_factory=dict)  # row number → (registration, findings)

    @property
    def duplicates(self) -> int:
        """Stored rows with a likely duplicate (a match)."""
        return sum(1 for _, found in self.findings.values()
                   if any(f["kind"] == "match" for f in found))

    @property
    def do_not_reenter(self) -> int:
        """Stored rows that may be a person handed over to their country of origin."""
        return sum(1 for _, found in self.findings.values()
                   if any(f["kind"] == "do_not_reenter" for f in found))

    @property
    def flagged(self) -> int:
        """Stored rows with something else to review (a possible duplicate, a signal)."""
        return len(self.findings) - self.duplicates


def registration_id(crypto: FieldCrypto, row: Row) -> uuid.UUID:
    """The registration id a row gets, the same each time the file is imported."""
    assert row.values is not None
    if row.values.row_key:
        return uuid.uuid5(NAMESPACE, f"uuid:{row.values.row_key}")
    if row.values.fields.get("record_id"):
        return uuid.uuid5(NAMESPACE, str(row.values.fields["record_id"]))
    cells = "\x1f".join(c.strip() for c in row.cells)
    return uuid.uuid5(NAMESPACE, "row:" + crypto.keyed_digest("import-row", cells.encode()))


def request(session: Session, row: Row, registration: uuid.UUID, options: Options
            ) -> tuple[RegistrationIn | None, date | None, list[FieldError]]:
    """A row as the registration request it stands for, its registration date and its
    problems (every one found, not only the first: when a value cannot be read, the field
    rules still run on the others)."""
    assert row.values is not None
    fields = dict(row.values.fields)
    errors: list[FieldError] = []
    consent = row.values.consent
    if consent is False:
        errors.append(FieldError("consent", "the participant did not consent"))
    elif consent is None and not options.consent_attested:
        errors.append(FieldError("consent", "consent is not recorded for this row"))
    registered_on = _day(fields.pop("registered_on", None), errors)
    fields.pop("record_id", None)
    fields["site"] = fields.get("site") or options.site
    languages = fields.get("languages")
    body: dict[str, Any] = {**fields, "id": registration, "consent": True,
                            "languages": languages.replace(",", " ").split() if languages
                            else None}
    try:
        data = RegistrationIn.model_validate(body)
    except ValidationError as exc:
        unreadable = [FieldError(str(e["loc"][0]), "required" if e.get("input") is None
                                 else _PYDANTIC.get(e["type"], NOT_VALID))
                      for e in exc.errors()]
        errors += unreadable + registry.check_rules(
            session=session, body=body, unreadable={e.field for e in unreadable},
            registered_on=registered_on)
        return None, registered_on, errors
    return data, registered_on, errors


def _day(value: str | None, errors: list[FieldError]) -> date | None:
    """The registration date of a row (None: today)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(ascii_digits(value.strip())[:10])
    except ValueError:
        errors.append(FieldError("registered_on", "not a date (YYYY-MM-DD)"))
        return None
    if day > date.today():
        errors.append(FieldError("registered_on", "is in the future"))
    return day


def process(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    rows: Sequence[Row],
    options: Options,
    details: dict[str, str],
    cache: bulk.KnownCache,
    model: MatchModel | None,
) -> Outcome:
    """Check, store and look for duplicates of a batch of rows (in the caller's transaction);
    what became of each row."""
    outcome = Outcome()
    readable = [r for r in rows if r.values is not None and not r.errors]
    outcome.rejected += [r for r in rows if r.values is None or r.errors]
    ids = {r.number: registration_id(crypto, r) for r in readable}
    stored: dict[uuid.UUID, str | None] = dict(session.exec(
        select(Registration.id, Registration.request_digest).where(
            col(Registration.id).in_(set(ids.values())))).all()) if ids else {}
    entries: list[registry.NewRegistration] = []
    row_of: dict[uuid.UUID, int] = {}
    for row in readable:
        data, registered_on, errors = request(session, row, ids[row.number], options)
        earlier = stored.get(ids[row.number], "")
        if data is not None and earlier != "":  # imported before, or repeated in this file
            if earlier == registry.request_digest(crypto, data):
                outcome.skipped += 1
                continue
            errors.append(FieldError("record_id" if row.values and row.values.fields.get(
                "record_id") else "row", "already imported with other data"))
        prepared = None
        if data is not None:  # every rule runs, so that the report names every problem
            try:
                prepared = registry.prepare(session=session, crypto=crypto, actor=actor,
                                            data=data, registered_on=registered_on)
            except DomainError as exc:
                errors += exc.errors or [FieldError("row", exc.detail)]
        if errors or prepared is None:
            row.errors = errors
            outcome.rejected.append(row)
            continue
        entries.append(prepared)
        row_of[prepared.id] = row.number
        stored[prepared.id] = prepared.row["request_digest"]
    if entries:
        inserted = registry.insert(session=session, crypto=crypto, actor=actor,
                                   entries=entries, details=details)
        # numbered at once: the report and the batch's pairs name them (an import holds its
        # sites' counters for the batch)
        numbers = registry.number(session=session, crypto=crypto, actor=actor, entries=entries)
        _after_insert(session=session, actor=actor, inserted=inserted)
        outcome.accepted = len(entries)
        outcome.findings = _duplicates(session=session, crypto=crypto, actor=actor,
                                       entries=entries, inserted=inserted, numbers=numbers,
                                       row_of=row_of, cache=cache, model=model)
    return outcome


def _after_insert(*, session: Session, actor: Principal,
                  inserted: Sequence[registry.Inserted]) -> None:
    """What follows the storing of new registrations, as for one registered online: their
    persons' cases open (foreign fighters' return cases too). The do-not-re-enter check
    needs the batch's duplicate candidates: :func:`_duplicates` makes it."""
    open_cases_for(session=session, actor=actor,
                   registration_ids=[i.registration_id for i in inserted],
                   new_persons={i.person_id for i in inserted if not i.linked})


def _duplicates(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    entries: Sequence[registry.NewRegistration],
    inserted: Sequence[registry.Inserted],
    numbers: Mapping[uuid.UUID, str],
    row_of: dict[uuid.UUID, int],
    cache: bulk.KnownCache,
    model: MatchModel | None,
) -> dict[int, tuple[uuid.UUID | None, list[dict[str, Any]]]]:
    """Check the batch's new registrations against the registry and each other; record the
    pairs and signals for review; the findings of each row that has any."""
    for entry, stored in zip(entries, inserted, strict=True):
        cache.put(entry.id.int, bulk.known_from_record(
            draft_record(entry), person_id=stored.person_id, site_code=stored.site_code,
            registration_number=numbers[entry.id]))
    # every active key version: registrations a rotation has not yet moved are candidates too
    new = {e.id: e.lookups for e in entries}
    found = bulk.check_batch(session=session, crypto=crypto, actor=actor, new=new,
                             cache=cache, model=model)
    record_pairs_many(session=session, candidates=found, source="import")
    ids = list(new)
    signals.scan(session=session, crypto=crypto, actor=actor, registration_ids=ids,
                 model=model)
    signalled = signals.with_open_signals(session, ids)
    returned = do_not_reenter(session, {c.person_id for cs in found.values() for c in cs})
    findings: dict[int, tuple[uuid.UUID | None, list[dict[str, Any]]]] = {}
    for registration_id_ in ids:
        items = [_finding(c, row_of) for c in found[registration_id_]]
        items += [{"kind": "do_not_reenter", "number": c.registration_number}
                  for c in found[registration_id_] if c.person_id in returned]
        if registration_id_ in signalled:
            items.append({"kind": "signal"})
        if items:
            findings[row_of[registration_id_]] = (registration_id_, items)
    return findings


def _finding(candidate: CandidateOut, row_of: dict[uuid.UUID, int]) -> dict[str, Any]:
    """A pair as the report shows it: its kind, and the other row of the file or the
    registration number it pairs with."""
    other = row_of.get(candidate.registration_id)
    where: dict[str, Any] = ({"row": other} if other is not None
                             else {"number": candidate.registration_number})
    return {"kind": candidate.decision, **where}


def problems_json(errors: Sequence[FieldError]) -> str:
    """A rejected row's problems as stored (fixed texts, never a value)."""
    return json.dumps([{"field": e.field, "message": e.message} for e in errors])
