"""A movement's manifest for the receiving authority: only the fields it needs (registration
number, name in the person's script and in Latin letters, date of birth, travel document
number), as XLSX and as PDF (Arabic shaped), in an AES-encrypted zip that opens with a
passphrase, watermarked with who exported it and when, Ed25519-signed (`exports.signing`),
and the export audited with its purpose.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import datetime

import pyzipper
from openpyxl import Workbook
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import FieldError, NotFound, ValidationFailed
from app.core.models import utcnow
from app.core.pdf import BilingualDocument
from app.core.sealed import unseal
from app.core.security import Principal
from app.core.spreadsheet import neutralise
from app.registry.indexes import NAME_FIELDS
from app.registry.models import Registration
from exports.signing import placeholder, public_key_pem, sign
from reintegration.models import CaseStep
from reintegration.returns.countries import country_name
from reintegration.returns.models import Movement
from reintegration.returns.movements import cases_of, require_coordinator
from reintegration.service import sealed_values

__all__ = ["COLUMNS", "Exported", "export", "public_key_pem"]

COLUMNS = ("registration_number", "name", "name_latin", "date_of_birth", "document_number")
"""The manifest's columns: all the receiving side is given, nothing else."""
HEADINGS = {
    "registration_number": ("Registration number", "رقم التسجيل"),
    "name": ("Name (as written)", "الاسم (كما كتب)"),
    "name_latin": ("Name (Latin letters)", "الاسم (بالحروف اللاتينية)"),
    "date_of_birth": ("Date of birth", "تاريخ الميلاد"),
    "document_number": ("Travel document number", "رقم وثيقة السفر"),
}


@dataclass(frozen=True)
class Exported:
    """A manifest file ready to hand over."""

    file_name: str
    content: bytes
    rows: int


def _latin(text: str | None) -> bool:
    return bool(text) and text is not None and text.isascii()


def rows_of(session: Session, crypto: FieldCrypto, movement: Movement) -> list[dict[str, str]]:
    """The manifest's rows: one per returnee, only the allowed fields."""
    cases = cases_of(session, movement.id)
    registrations = {r.id: r for r in session.exec(select(Registration).where(
        col(Registration.id).in_([c.registration_id for c in cases])))}
    documents = {s.case_id: s for s in session.exec(select(CaseStep).where(
        col(CaseStep.case_id).in_([c.id for c in cases]), CaseStep.key == "travel_document"))}
    rows = []
    for case in cases:
        registration = registrations[case.registration_id]  # type: ignore[index]
        values = unseal(crypto, registration, (*NAME_FIELDS, "name_other_script",
                                               "date_of_birth"))
        written = " ".join(v for v in (values[f] for f in NAME_FIELDS) if v)
        other = values["name_other_script"] or ""
        latin = written if _latin(written) else (other if _latin(other) else "")
        native = other if _latin(written) and other and not _latin(other) else written
        birth = values["date_of_birth"] or (str(registration.birth_year)
                                            if registration.birth_year else "")
        step = documents.get(case.id)
        number = sealed_values(crypto, step).get("number", "") if step else ""
        rows.append({"registration_number": registration.registration_number, "name": native,
                     "name_latin": latin, "date_of_birth": birth, "document_number": number})
    return rows


def _xlsx(movement: Movement, rows: list[dict[str, str]], mark: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Manifest"
    sheet.append([f"{HEADINGS[c][0]} / {HEADINGS[c][1]}" for c in COLUMNS])
    for row in rows:
        sheet.append([neutralise(row[c]) for c in COLUMNS])
    for column, width in zip("ABCDE", (18, 34, 34, 14, 22), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.sheet_view.rightToLeft = False
    for band in (sheet.oddHeader, sheet.oddFooter):
        assert band is not None
        band.center.text = mark
    book.properties.creator = "DDR Registry"
    book.properties.title = (f"Return manifest {movement.country_code} "
                             f"{movement.planned_on.isoformat()}")
    book.properties.description = mark
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf(movement: Movement, rows: list[dict[str, str]], mark: str, at: datetime) -> bytes:
    doc = BilingualDocument(title_en="Return manifest", title_ar="قائمة العائدين",
                            issuer_en="National DDR Registry, Libya",
                            issuer_ar="السجل الوطني لنزع السلاح والتسريح وإعادة الإدماج، ليبيا",
                            orientation="landscape")
    doc.text(f"{country_name(movement.country_code)} ({movement.country_code}) - "
             f"{movement.kind}, {movement.route} - {movement.planned_on.isoformat()} - "
             f"{len(rows)} returnees", size=9)
    doc.pdf.ln(2)
    widths = [doc.width * w for w in (0.16, 0.27, 0.27, 0.12, 0.18)]
    doc.table_row([HEADINGS[c][0] for c in COLUMNS], widths, bold=True)
    doc.table_row([HEADINGS[c][1] for c in COLUMNS], widths, bold=True)
    for row in rows:
        doc.table_row([row[c] for c in COLUMNS], widths)
    doc.footer_note(mark, "سري: للجهة المستقبلة وحدها", at)
    doc.watermark(mark)
    return doc.output()


def export(*, session: Session, crypto: FieldCrypto, actor: Principal, movement_id: uuid.UUID,
           passphrase: str, purpose: str) -> Exported:
    """Build, encrypt and sign a movement's manifest; the export is audited with its purpose
    (coordinators)."""
    require_coordinator(actor)
    movement = session.get(Movement, movement_id)
    if movement is None:
        raise NotFound("movement not found")
    if movement.status == "cancelled":
        raise ValidationFailed([FieldError("status", "the movement is cancelled")])
    rows = rows_of(session, crypto, movement)
    if not rows:
        raise ValidationFailed([FieldError("cases", "the movement has no returnees")])
    at = utcnow()
    stamp = at.strftime("%Y-%m-%d %H:%M UTC")
    mark = f"Exported by {actor.username} on {stamp} - confidential"
    name = f"manifest-{movement.country_code}-{movement.planned_on.isoformat()}"
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED,
                             encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(passphrase.encode("utf-8"))
        archive.writestr(f"{name}.xlsx", _xlsx(movement, rows, mark))
        archive.writestr(f"{name}.pdf", _pdf(movement, rows, mark, at))
        archive.comment = placeholder(crypto)
    content = sign(crypto, buffer.getvalue())
    record_event(session=session, actor=actor, action="returns.manifest.export",
                 object_type="movement", object_id=str(movement.id),
                 details={"purpose": purpose, "returnees": len(rows),
                          "country": movement.country_code,
                          "sha256": hashlib.sha256(content).hexdigest()})
    return Exported(file_name=f"{name}.zip", content=content, rows=len(rows))
