"""Printable documents in Arabic and English: fonts, shaping, a page with a header in both
languages, labelled values and a QR code.

fpdf2 lays the pages out; HarfBuzz (uharfbuzz, through fpdf2's text shaping) joins Arabic
letters and orders right-to-left runs, so Arabic prints as it is read. The Noto Naskh Arabic
and Noto Sans fonts are vendored in `app/core/fonts/` (SIL Open Font License, beside them);
each falls back on the other for the script it lacks. QR codes are drawn as vector squares
from segno's module matrix. Registration cards, weapon handover receipts, destruction
certificates and return manifests are built on :class:`BilingualDocument`.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).parent / "fonts"
ARABIC_FONT, LATIN_FONT = "NotoNaskhArabic", "NotoSans"
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
INK = (27, 31, 36)
MUTED = (85, 93, 102)
LINE = (201, 206, 212)


def has_arabic(text: str) -> bool:
    """Whether a text holds Arabic letters (it is then set right to left in the Arabic font)."""
    return bool(_ARABIC.search(text))


class BilingualDocument:
    """A PDF whose pages open with a header in English (left) and Arabic (right).

    Args:
        title_en: The document's title in English.
        title_ar: The same title in Arabic.
        issuer_en: Who issues it, in English (printed above the title).
        issuer_ar: The same in Arabic.
        page_format: "A4", "A5" or a (width, height) in millimetres.
        orientation: "portrait" or "landscape".
    """

    def __init__(self, *, title_en: str, title_ar: str, issuer_en: str, issuer_ar: str,
                 page_format: str | tuple[float, float] = "A4",
                 orientation: str = "portrait") -> None:
        self.pdf = FPDF(orientation=orientation, unit="mm", format=page_format)
        self.pdf.set_auto_page_break(auto=True, margin=12)
        self.pdf.set_margins(10, 10, 10)
        for family, stem in ((ARABIC_FONT, "NotoNaskhArabic"), (LATIN_FONT, "NotoSans")):
            self.pdf.add_font(family, "", str(FONTS / f"{stem}-Regular.ttf"))
            self.pdf.add_font(family, "B", str(FONTS / f"{stem}-Bold.ttf"))
        self.pdf.set_text_shaping(True)
        self.pdf.set_creator("DDR Registry")
        self.pdf.set_title(f"{title_en} / {title_ar}")
        self.title = (title_en, title_ar)
        self.issuer = (issuer_en, issuer_ar)
        self.pdf.add_page()
        self._header()

    @property
    def width(self) -> float:
        """The width between the margins, in millimetres."""
        return float(self.pdf.epw)

    def _font(self, text: str, size: float, bold: bool) -> None:
        arabic = has_arabic(text)
        self.pdf.set_font(ARABIC_FONT if arabic else LATIN_FONT, "B" if bold else "", size)
        self.pdf.set_fallback_fonts([LATIN_FONT if arabic else ARABIC_FONT])

    def _fit(self, text: str, size: float, bold: bool, width: float) -> float:
        """Select the font for a text at the largest size up to `size` that fits `width`."""
        while True:
            self._font(text, size, bold)
            if size <= 6 or self.pdf.get_string_width(text) <= width - 1:
                return size
            size -= 0.5

    def _header(self) -> None:
        pdf = self.pdf
        for pair, size, bold in ((self.issuer, 8, False), (self.title, 13, True)):
            self._pair(pdf.l_margin, pdf.get_y(), self.width, *pair, size, bold, INK)
            pdf.set_y(pdf.get_y() + size * 0.6)
        pdf.set_draw_color(*LINE)
        y = pdf.get_y() + 1.5
        pdf.line(pdf.l_margin, y, pdf.l_margin + self.width, y)
        pdf.set_y(y + 2)

    def text(self, value: str, *, size: float = 10, bold: bool = False, align: str = "",
             muted: bool = False, width: float = 0) -> None:
        """A paragraph: Arabic set right-aligned in the Arabic font, other text left."""
        self._font(value, size, bold)
        self.pdf.set_text_color(*(MUTED if muted else INK))
        self.pdf.multi_cell(width or self.width, size * 0.55, value,
                            align=align or ("R" if has_arabic(value) else "L"),
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_text_color(*INK)

    def field(self, label_en: str, label_ar: str, value: str, *, value_ar: str | None = None,
              size: float = 10, width: float = 0) -> None:
        """A value with its label in both languages (English left, Arabic right) and the value
        below in its own script's direction; with `value_ar`, the value in English on the left
        and in Arabic on the right."""
        pdf, width = self.pdf, width or self.width
        x, y = pdf.get_x(), pdf.get_y()
        self._pair(x, y, width, label_en, label_ar, 7, False, MUTED)
        pdf.set_xy(x, y + 3.8)
        if value_ar is not None:
            self._pair(x, pdf.get_y(), width, value, value_ar, size, True, INK)
            pdf.set_xy(x, pdf.get_y() + size * 0.5)
        else:
            self._font(value or "—", size, True)
            pdf.multi_cell(width, size * 0.5, value or "—",
                           align="R" if has_arabic(value) else "L",
                           new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(x, pdf.get_y() + 0.8)

    def _pair(self, x: float, y: float, width: float, left: str, right: str, size: float,
              bold: bool, color: tuple[int, int, int]) -> None:
        """Two texts on one line: the first at the left edge, the second at the right (each
        made smaller if it would not fit its half)."""
        self.pdf.set_text_color(*color)
        self._fit(left, size, bold, width / 2)
        self.pdf.set_xy(x, y)
        self.pdf.cell(width / 2, size * 0.5, left, align="L")
        self._fit(right, size, bold, width / 2)
        self.pdf.set_xy(x + width / 2, y)
        self.pdf.cell(width / 2, size * 0.5, right, align="R")
        self.pdf.set_text_color(*INK)

    def table_row(self, values: list[str], widths: list[float], *, bold: bool = False,
                  size: float = 8) -> None:
        """One row of a table: each cell in its own script's font and direction, framed."""
        pdf = self.pdf
        height = size * 0.75
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        x = pdf.l_margin
        for value, width in zip(values, widths, strict=True):
            self._fit(value or "-", size, bold, width)
            pdf.set_xy(x, pdf.get_y())
            pdf.cell(width, height, value or "-", border=1,
                     align="R" if has_arabic(value) else "L")
            x += width
        pdf.set_xy(pdf.l_margin, pdf.get_y() + height)

    def watermark(self, text: str) -> None:
        """A light diagonal line of text across every page so far and each one to come."""
        pdf = self.pdf

        def stamp() -> None:
            self._font(text, 11, False)
            pdf.set_text_color(200, 200, 200)
            x, y = pdf.get_x(), pdf.get_y()
            for offset in (0.3, 0.65):
                with pdf.rotation(25, pdf.w / 2, pdf.h * offset):
                    pdf.set_xy(pdf.w / 2 - pdf.get_string_width(text) / 2, pdf.h * offset)
                    pdf.cell(pdf.get_string_width(text) + 2, 6, text)
            pdf.set_xy(x, y)
            pdf.set_text_color(*INK)

        current = pdf.page
        for number in range(1, current + 1):
            pdf.page = number
            stamp()
        pdf.page = current

    def signature(self, label_en: str, label_ar: str) -> None:
        """A line to sign on, labelled in both languages (a receipt's parties, witnesses)."""
        pdf = self.pdf
        pdf.ln(7)
        y = pdf.get_y()
        pdf.set_draw_color(*MUTED)
        pdf.line(pdf.l_margin, y, pdf.l_margin + self.width, y)
        self._pair(pdf.l_margin, y + 0.8, self.width, label_en, label_ar, 7, False, MUTED)
        pdf.set_xy(pdf.l_margin, y + 5)

    def qr(self, data: str, *, x: float, y: float, size: float) -> None:
        """A QR code of `data` (and nothing else) as vector squares, `size` mm wide."""
        code = segno.make(data, error="m", micro=False)
        rows = list(code.matrix)
        module = size / (len(rows) + 8)  # a quiet zone of four modules on each side
        self.pdf.set_fill_color(255, 255, 255)
        self.pdf.rect(x, y, size, size, style="F")
        self.pdf.set_fill_color(0, 0, 0)
        for row_index, row in enumerate(rows):
            for column, dark in enumerate(row):
                if dark:
                    self.pdf.rect(x + (column + 4) * module, y + (row_index + 4) * module,
                                  module, module, style="F")
        self.pdf.set_fill_color(255, 255, 255)

    def footer_note(self, text_en: str, text_ar: str, generated: datetime) -> None:
        """A closing line in both languages with when the document was produced."""
        stamp = generated.strftime("%Y-%m-%d %H:%M UTC")
        self.pdf.ln(1)
        self.text(f"{text_en} ({stamp})", size=6.5, muted=True)
        self.text(text_ar, size=6.5, muted=True)

    def output(self) -> bytes:
        """The document as PDF bytes."""
        return bytes(self.pdf.output())
