"""Printable PDFs: the registration card and the weapon handover receipt, in Arabic and
English (laid out on :class:`app.core.pdf.BilingualDocument`; each print is an audited read)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from app.core.models import utcnow
from app.core.pdf import BilingualDocument
from app.deps import CryptoDep, SessionDep
from app.registry import documents
from app.registry.documents import CardFacts, ReceiptFacts
from app.web import deps
from app.web.forms import CONDITION_LABELS, N_, WEAPON_LABELS
from app.web.i18n import translations

router = APIRouter(prefix="/registrations", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)

ISSUER = N_("National DDR Programme, Libya")
CARD_TITLE = N_("DDR registration card")
RECEIPT_TITLE = N_("Weapon handover receipt")
CARD_NOTE = N_("This card holds no photograph and no document numbers. The QR code holds "
               "the registration number only.")
RECEIPT_NOTE = N_("Keep this receipt: it records the weapon handed over to the programme.")
LABELS = {
    "number": N_("Registration number"), "arabic": N_("Name (Arabic script)"),
    "latin": N_("Name (Latin letters)"), "site": N_("Registration site"),
    "date": N_("Date of registration"), "receipt": N_("Receipt number"),
    "handed": N_("Date handed over"), "type": N_("Weapon type"),
    "make": N_("Make and model"), "calibre": N_("Calibre"), "serial": N_("Serial number"),
    "rounds": N_("Rounds of ammunition"), "condition": N_("Condition"),
    "giver": N_("Handed over by (signature)"), "receiver": N_("Received by (officer, signature)"),
}


def _both(message: str) -> tuple[str, str]:
    """A message in English and Arabic."""
    return message, translations("ar").gettext(message)


def _identity(doc: BilingualDocument, card: CardFacts, width: float) -> None:
    doc.field(*_both(LABELS["number"]), card.registration_number, size=12, width=width)
    doc.field(*_both(LABELS["arabic"]), card.name_arabic or "", size=12, width=width)
    doc.field(*_both(LABELS["latin"]), card.name_latin or "", size=11, width=width)
    doc.field(*_both(LABELS["site"]), f"{card.site_en} ({card.site_code})",
              value_ar=card.site_ar, width=width)
    doc.field(*_both(LABELS["date"]), card.registered_on.isoformat(), width=width)


def card_pdf(card: CardFacts) -> bytes:
    """The registration card (A6, landscape)."""
    doc = BilingualDocument(title_en=CARD_TITLE, title_ar=_both(CARD_TITLE)[1],
                            issuer_en=ISSUER, issuer_ar=_both(ISSUER)[1],
                            page_format=(105, 148), orientation="landscape")
    top = doc.pdf.get_y()
    size = 34.0
    doc.qr(card.registration_number, x=doc.pdf.l_margin + doc.width - size, y=top, size=size)
    _identity(doc, card, doc.width - size - 4)
    doc.footer_note(CARD_NOTE, _both(CARD_NOTE)[1], utcnow())
    return doc.output()


def receipt_pdf(receipt: ReceiptFacts) -> bytes:
    """The weapon handover receipt (A5, portrait), with room for both signatures."""
    doc = BilingualDocument(title_en=RECEIPT_TITLE, title_ar=_both(RECEIPT_TITLE)[1],
                            issuer_en=ISSUER, issuer_ar=_both(ISSUER)[1],
                            page_format=(148, 210))
    top = doc.pdf.get_y()
    size = 24.0
    doc.qr(receipt.receipt_number, x=doc.pdf.l_margin + doc.width - size, y=top, size=size)
    doc.field(*_both(LABELS["receipt"]), receipt.receipt_number, size=12,
              width=doc.width - size - 4)
    doc.field(*_both(LABELS["handed"]), receipt.handed_over_on.isoformat(),
              width=doc.width - size - 4)
    doc.pdf.set_y(max(doc.pdf.get_y(), top + size))
    _identity(doc, receipt.card, doc.width)
    kind = {str(k): v for k, v in WEAPON_LABELS.items()}.get(receipt.weapon_type,
                                                              receipt.weapon_type)
    condition = {str(k): v for k, v in CONDITION_LABELS.items()}.get(receipt.condition,
                                                                      receipt.condition)
    doc.field(*_both(LABELS["type"]), kind, value_ar=_both(kind)[1])
    doc.field(*_both(LABELS["make"]), receipt.make_model or "")
    doc.field(*_both(LABELS["calibre"]), receipt.calibre or "")
    doc.field(*_both(LABELS["serial"]), receipt.serial_number or "")
    doc.field(*_both(LABELS["rounds"]), str(receipt.rounds))
    doc.field(*_both(LABELS["condition"]), condition, value_ar=_both(condition)[1])
    for key in ("giver", "receiver"):
        doc.signature(*_both(LABELS[key]))
    doc.footer_note(RECEIPT_NOTE, _both(RECEIPT_NOTE)[1], utcnow())
    return doc.output()


def _pdf(body: bytes, filename: str) -> Response:
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"'})


@router.get("/{registration_id}/card.pdf")
def card(registration_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
         actor: deps.Officer) -> Response:
    """The registration card as PDF (an audited read)."""
    facts = documents.card_facts(session=session, crypto=crypto, actor=actor,
                                 registration_id=registration_id)
    return _pdf(card_pdf(facts), f"{facts.registration_number}-card.pdf")


@router.get("/{registration_id}/weapons/{weapon_id}/receipt.pdf")
def receipt(registration_id: uuid.UUID, weapon_id: uuid.UUID, session: SessionDep,
            crypto: CryptoDep, actor: deps.Officer) -> Response:
    """The weapon handover receipt as PDF (an audited read)."""
    facts = documents.receipt_facts(session=session, crypto=crypto, actor=actor,
                                    registration_id=registration_id, weapon_id=weapon_id)
    return _pdf(receipt_pdf(facts), f"{facts.receipt_number}-receipt.pdf")
