"""Bilingual PDF pages: Arabic shaped and right to left (checked on the page's pixels and its
text layer), QR codes that hold exactly what they were given."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pypdfium2 as pdfium
import segno

from app.core.pdf import BilingualDocument, has_arabic

NAME = "محمد عبد السلام علي الورفلي"


def rendered(body: bytes, scale: float = 4.0) -> tuple[pdfium.PdfDocument, np.ndarray]:
    """The document and its first page as a grey image (0 black, 255 white)."""
    document = pdfium.PdfDocument(body)
    image = document[0].render(scale=scale, grayscale=True).to_numpy()
    return document, image.reshape(image.shape[0], image.shape[1], -1)[:, :, 0]


def page_text(document: pdfium.PdfDocument) -> list[str]:
    return [line.strip() for line in document[0].get_textpage().get_text_range().splitlines()]


def sample() -> BilingualDocument:
    doc = BilingualDocument(title_en="Test page", title_ar="صفحة اختبار",
                            issuer_en="Programme", issuer_ar="البرنامج",
                            page_format=(105, 148), orientation="landscape")
    doc.field("Name", "الاسم", NAME, size=14, width=80)
    doc.footer_note("Made for a test", "صنعت للاختبار", datetime(2026, 12, 5, tzinfo=UTC))
    return doc


def test_arabic_is_shaped_right_to_left_and_reads_in_logical_order() -> None:
    scale = 4.0
    document, image = rendered(sample().output(), scale)
    page = document[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    # the text layer reads each Arabic line as written, first word first
    assert NAME in text.splitlines()
    assert "صنعت للاختبار" in text.splitlines()
    start = text.index(NAME)
    boxes = [textpage.get_charbox(start + i) for i in range(len(NAME))]
    # right to left: the first letter is set rightmost, the last leftmost, at the right edge
    # of the name's 80 mm column (10 mm margin + 80 mm = 255 pt)
    assert boxes[0][2] > boxes[len("محمد")][2] > boxes[-1][2]
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes)
    assert 245 < right <= 256
    height = page.get_height()
    top, bottom = height - max(b[3] for b in boxes), height - min(b[1] for b in boxes)
    band = image[int(top * scale):int(bottom * scale)]
    inked = (band < 128).any(axis=0)
    assert inked[int(left * scale):int(right * scale)].mean() > 0.5  # the name is drawn there
    assert not inked[int(30 * scale):int((left - 3) * scale)].any()  # and nothing before it


def test_joined_letters_are_narrower_than_the_same_letters_apart() -> None:
    """Shaping joins Arabic letters into their connected forms: the word set with shaping is
    narrower than its letters set one by one."""
    doc = sample()
    doc._font(NAME, 14, True)  # noqa: SLF001 - the measure the layout itself uses
    joined = doc.pdf.get_string_width("محمد")
    apart = sum(doc.pdf.get_string_width(letter) for letter in "محمد")
    assert joined < apart


def test_a_qr_code_holds_exactly_its_data() -> None:
    data = "TRP-2026-000123"
    doc = BilingualDocument(title_en="QR", title_ar="رمز", issuer_en="P", issuer_ar="ب")
    doc.qr(data, x=20, y=40, size=50)
    _document, image = rendered(doc.output(), scale=6)
    modules = [list(row) for row in segno.make(data, error="m", micro=False).matrix]
    count = len(modules) + 8
    px = image.shape[1] / 210
    step = 50 / count
    read = [[image[int((40 + (r + 4.5) * step) * px), int((20 + (c + 4.5) * step) * px)] < 128
             for c in range(len(modules))] for r in range(len(modules))]
    assert read == [[bool(v) for v in row] for row in modules]
    other = [list(row) for row in segno.make("TRP-2026-000124", error="m", micro=False).matrix]
    assert read != [[bool(v) for v in row] for row in other]


def test_arabic_text_is_recognised() -> None:
    assert has_arabic(NAME)
    assert not has_arabic("Mohamed 2026")
