"""Individual-level exports: a caseload list or what a partner needs for a referral, and
nothing without every safeguard.

Case managers (their sites) and administrators only; fields from an allow-list; a stated
purpose; an expiry; the file is a ZIP encrypted with AES-256 under the requester's passphrase
(pyzipper, WinZip AES); every row carries a watermark (export id, who, when) and the archive a
notice; each registration read is an audit event and the export is registered (purpose,
fields, expiry, the file's digest, never its rows); spreadsheet formulas are neutralised.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pyzipper
from sqlmodel import Session, col, select

from app.core.audit import event_row, record_event, record_events
from app.core.crypto import FieldCrypto
from app.core.errors import FieldError, Forbidden, ValidationFailed
from app.core.models import utcnow
from app.core.roles import Role
from app.core.sealed import unseal
from app.core.security import Principal
from app.core.spreadsheet import neutralise
from app.registry.models import Registration
from exports.models import IndividualExport
from reintegration.models import Case

EXPORTERS = frozenset({Role.admin, Role.case_manager})
CLEAR_FIELDS = ("registration_number", "site", "registered_on", "category", "sex",
                "birth_year", "nationality", "pathway", "case_status")
SEALED_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name", "phone")
ALLOWED_FIELDS = CLEAR_FIELDS + SEALED_FIELDS
"""What a caseload list or a referral may carry. Documents (national number, passport),
armed group, unit, rank, mother's name, notes and the rest never leave in a file."""
MAX_DAYS = 90
MIN_PASSPHRASE = 12


@dataclass(frozen=True)
class ExportRequest:
    """What the requester asks for."""

    fields: list[str]
    purpose: str
    expires_on: date
    passphrase: str
    site: str
    only_open_cases: bool = True


@dataclass(frozen=True)
class ExportFile:
    """The encrypted archive and its register entry."""

    id: uuid.UUID
    content: bytes
    file_name: str
    row_count: int


def check_request(actor: Principal, request: ExportRequest, today: date) -> None:
    """Refuse a request missing any safeguard (403 for the role or site, 422 naming the
    field otherwise)."""
    if actor.role not in EXPORTERS:
        raise Forbidden("only case managers and administrators export individual records")
    if not actor.can_act_for(request.site):
        raise Forbidden("this site is not yours")
    errors = []
    unknown = [f for f in request.fields if f not in ALLOWED_FIELDS]
    if not request.fields or unknown or len(set(request.fields)) != len(request.fields):
        errors.append(FieldError("fields", "choose fields from the allow-list: "
                                 + ", ".join(ALLOWED_FIELDS)))
    if not 10 <= len(request.purpose.strip()) <= 300:
        errors.append(FieldError("purpose", "state the purpose (10 to 300 characters)"))
    if not today < request.expires_on <= today + timedelta(days=MAX_DAYS):
        errors.append(FieldError("expires_on", f"a date after today, at most {MAX_DAYS} days "
                                 "ahead"))
    if len(request.passphrase) < MIN_PASSPHRASE:
        errors.append(FieldError("passphrase", f"at least {MIN_PASSPHRASE} characters"))
    if errors:
        raise ValidationFailed(errors)


def _rows(session: Session, crypto: FieldCrypto, request: ExportRequest
          ) -> list[tuple[Registration, Case | None, dict[str, str | None]]]:
    query = (select(Registration, Case)
             .join(Case, col(Case.person_id) == col(Registration.person_id), isouter=True)
             .where(col(Registration.site_code) == request.site)
             .order_by(col(Registration.registration_number)))
    if request.only_open_cases:
        query = query.where(col(Case.status) == "open", col(Case.site_code) == request.site)
    wanted = [f for f in request.fields if f in SEALED_FIELDS]
    out: list[tuple[Registration, Case | None, dict[str, str | None]]] = []
    seen: set[uuid.UUID] = set()
    for registration, case in session.exec(query).all():
        if registration.id in seen:  # one row per registration (its first case)
            continue
        seen.add(registration.id)
        out.append((registration, case, unseal(crypto, registration, wanted) if wanted else {}))
    return out


def _cell(field: str, registration: Registration, case: Case | None,
          plain: dict[str, str | None]) -> str:
    clear = {"registration_number": registration.registration_number,
             "site": registration.site_code, "registered_on": registration.registered_on,
             "category": registration.category, "sex": registration.sex,
             "birth_year": registration.birth_year, "nationality": registration.nationality,
             "pathway": case.pathway if case else None,
             "case_status": case.status if case else None}
    value = plain.get(field) if field in SEALED_FIELDS else clear[field]
    return "" if value is None else str(value)


def export_individuals(*, session: Session, crypto: FieldCrypto, actor: Principal,
                       request: ExportRequest) -> ExportFile:
    """Write the encrypted, watermarked file, register it and audit every record read."""
    now = utcnow()
    check_request(actor, request, now.date())
    export_id = uuid.uuid4()
    rows = _rows(session, crypto, request)
    watermark = f"{export_id} {actor.username} {now.isoformat(timespec='seconds')}"
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\r\n")
    writer.writerow([*request.fields, "watermark"])
    for registration, case, plain in rows:
        writer.writerow([neutralise(_cell(f, registration, case, plain)) for f in request.fields]
                        + [watermark])
    notice = (f"Individual records of the DDR Registry: confidential.\r\n"
              f"Export {export_id}, made by {actor.username} at "
              f"{now.isoformat(timespec='seconds')} for this purpose: {request.purpose.strip()}\r\n"
              f"Delete it by {request.expires_on.isoformat()}; do not copy or forward it.\r\n"
              f"Fields: {', '.join(request.fields)}. Rows: {len(rows)}.\r\n")
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED,
                             encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(request.passphrase.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr("README.txt", notice)
        archive.writestr(f"records-{request.site}.csv", "\ufeff" + table.getvalue())
    content = buffer.getvalue()
    session.add(IndividualExport(
        id=export_id, created_at=now, created_by_id=actor.id,
        created_by_username=actor.username, purpose=request.purpose.strip(),
        fields=",".join(request.fields), site_code=request.site, expires_on=request.expires_on,
        row_count=len(rows), file_sha256=hashlib.sha256(content).hexdigest()))
    session.flush()
    record_event(session=session, actor=actor, action="export.individual",
                 object_type="individual_export", object_id=str(export_id),
                 site_code=request.site,
                 details={"fields": request.fields, "rows": len(rows),
                          "expires_on": request.expires_on.isoformat()})
    record_events(session=session, rows=[event_row(
        actor=actor, action="registration.export", object_type="registration",
        object_id=str(registration.id), site_code=registration.site_code,
        details={"export": str(export_id)}) for registration, _case, _plain in rows])
    return ExportFile(id=export_id, content=content, row_count=len(rows),
                      file_name=f"ddr-records-{request.site}-{now.date().isoformat()}.zip")
