"""The destruction certificate: one PDF page (or more) in Arabic and English, made with fpdf2
with text shaping (HarfBuzz) so that Arabic is joined and laid out right to left, in the
vendored Noto fonts of `app/core/fonts/`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.weapons.schemas import DestructionOut

FONTS = Path(__file__).resolve().parents[1] / "core" / "fonts"
LATIN, ARABIC = "NotoSans", "NotoNaskhArabic"
WIDTH = 180.0  # A4 less 15 mm margins

PROGRAMME = ("National Disarmament, Demobilization and Reintegration Programme — Libya",
             "البرنامج الوطني لنزع السلاح والتسريح وإعادة الإدماج — ليبيا")
TITLE = ("Certificate of destruction of weapons and ammunition",
         "شهادة إتلاف أسلحة وذخائر")
STATEMENT = (
    "We, the undersigned, certify that the weapons and ammunition listed below were destroyed "
    "on the date, at the place and by the method stated, under the authority named, and that "
    "they can no longer be used or restored.",
    "نحن الموقعين أدناه نشهد بأن الأسلحة والذخائر المبينة أدناه قد أُتلفت في التاريخ والمكان "
    "وبالطريقة المذكورة، بإذن من الجهة المسماة، وأنه لم يعد بالإمكان استعمالها أو إصلاحها.")
FIELDS = (
    ("certificate_number", "Certificate number", "رقم الشهادة"),
    ("site", "Site", "الموقع"),
    ("destroyed_on", "Date of destruction", "تاريخ الإتلاف"),
    ("place", "Place", "المكان"),
    ("method", "Method", "طريقة الإتلاف"),
    ("in_place", "Destroyed in place", "أُتلف في مكانه"),
    ("authorised_by", "Authorised by", "بإذن من"),
    ("totals", "Destroyed", "ما أُتلف"),
    ("recorded_by", "Recorded by", "سجّله"),
)
METHODS = {
    "cutting": ("Cutting", "القطع"), "crushing": ("Crushing", "السحق"),
    "shredding": ("Shredding", "التمزيق"), "burning": ("Burning", "الحرق"),
    "open_detonation": ("Open detonation", "التفجير المكشوف"),
    "open_burning": ("Open burning", "الحرق المكشوف"),
    "demilitarisation": ("Industrial demilitarisation", "نزع الصفة العسكرية صناعيًا"),
    "other": ("Other", "أخرى"),
}
TYPES = {
    "pistol": ("Pistol", "مسدس"), "rifle": ("Rifle", "بندقية"),
    "machine_gun": ("Machine gun", "رشاش"), "rocket_launcher": ("Rocket launcher", "قاذف صواريخ"),
    "grenade": ("Grenade", "قنبلة يدوية"), "mortar": ("Mortar", "هاون"),
    "ammunition": ("Ammunition", "ذخيرة"), "other": ("Other", "أخرى"),
    "small_arms": ("Small-arms ammunition", "ذخيرة أسلحة خفيفة"),
    "rocket": ("Rocket", "صاروخ"), "artillery": ("Artillery shell", "قذيفة مدفعية"),
    "landmine": ("Landmine", "لغم أرضي"), "explosive": ("Explosive", "متفجرات"),
}
YES_NO = {True: ("Yes", "نعم"), False: ("No", "لا")}


class _Certificate(FPDF):
    """A4 pages with the fonts, text shaping and a footer on every page."""

    def __init__(self, number: str) -> None:
        super().__init__(format="A4")
        self.number = number
        for family, stem in ((LATIN, "NotoSans"), (ARABIC, "NotoNaskhArabic")):
            self.add_font(family, "", str(FONTS / f"{stem}-Regular.ttf"))
            self.add_font(family, "B", str(FONTS / f"{stem}-Bold.ttf"))
        self.set_fallback_fonts([ARABIC, LATIN])
        self.set_text_shaping(True)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"{TITLE[0]} {number}")
        self.set_creator("DDR Registry")

    def footer(self) -> None:
        """Certificate number and page on every page."""
        self.set_y(-13)
        self.set_font(LATIN, "", 8)
        self.cell(0, 5, f"{self.number} · {self.page_no()}/{{nb}}", align="C")


def _bilingual(pdf: _Certificate, english: str, arabic: str, size: float,
               style: str = "") -> None:
    """A line of English (left) and its Arabic (right), each wrapping in its half."""
    top = pdf.get_y()
    pdf.set_text_shaping(True, direction="ltr")
    pdf.set_font(LATIN, style, size)
    pdf.multi_cell(WIDTH / 2 - 3, size * 0.5, english, align="L", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + WIDTH / 2 + 3, top)
    pdf.set_text_shaping(True, direction="rtl")
    pdf.set_font(ARABIC, style, size)
    pdf.multi_cell(WIDTH / 2 - 3, size * 0.55, arabic, align="R", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.set_text_shaping(True)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 1.5)


def _day(day: date) -> tuple[str, str]:
    """A day in words in both languages (a bare ISO date would be reordered in Arabic)."""
    return (format_date(day, "d MMMM y", locale="en_GB"),
            format_date(day, "d MMMM y", locale="ar_LY"))


def _values(event: DestructionOut, site_names: tuple[str, str]) -> dict[str, tuple[str, str]]:
    method = METHODS.get(event.method, (event.method, event.method))
    totals_en = f"weapons: {event.weapons}; ammunition lots: {event.lots} ({event.rounds} items)"
    totals_ar = f"الأسلحة: {event.weapons}؛ دفعات الذخيرة: {event.lots} ({event.rounds} قطعة)"
    return {
        "certificate_number": (event.certificate_number, event.certificate_number),
        "site": (f"{site_names[0]} ({event.site})", f"{site_names[1]} ({event.site})"),
        "destroyed_on": _day(event.destroyed_on),
        "place": (event.place or "", event.place or ""),
        "method": method,
        "in_place": YES_NO[event.in_place],
        "authorised_by": (event.authorised_by or "", event.authorised_by or ""),
        "totals": (totals_en, totals_ar),
        "recorded_by": (event.recorded_by, event.recorded_by),
    }


def _facts(pdf: _Certificate, event: DestructionOut, site_names: tuple[str, str]) -> None:
    values = _values(event, site_names)
    for key, english, arabic in FIELDS:
        value_en, value_ar = values[key]
        _bilingual(pdf, f"{english}: {value_en}", f"{arabic}: {value_ar}", 10)


def _items(pdf: _Certificate, event: DestructionOut) -> None:
    _bilingual(pdf, "Items destroyed", "المواد المُتلفة", 12, "B")
    pdf.set_font(LATIN, "", 9)
    with pdf.table(col_widths=(12, 46, 62, 40, 20), text_align=("C", "L", "C", "L", "C"),
                   line_height=6, first_row_as_headings=True) as table:
        table.row(["#", "Receipt / lot — الإيصال / الدفعة", "Type — النوع",
                   "Calibre — العيار", "Qty — الكمية"])
        for number, item in enumerate(event.items, start=1):
            english, arabic = TYPES.get(item.type, (item.type, item.type))
            table.row([str(number), item.label, f"{english} — {arabic}", item.calibre or "",
                       str(item.quantity)])
    pdf.ln(4)


def _signatures(pdf: _Certificate, event: DestructionOut) -> None:
    _bilingual(pdf, "Witnesses", "الشهود", 12, "B")
    for witness in event.witnesses:
        name = witness.get("name") or ""
        role = witness.get("role") or ""
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        _bilingual(pdf, f"{name}" + (f" — {role}" if role else ""),
                   f"{name}" + (f" — {role}" if role else ""), 10)
        _bilingual(pdf, "Signature: ______________________", "التوقيع: ______________________",
                   10)


def render_certificate(event: DestructionOut, site_names: tuple[str, str],
                       generated_at: datetime) -> bytes:
    """The certificate of a destruction event as PDF bytes (Arabic and English)."""
    pdf = _Certificate(event.certificate_number)
    pdf.alias_nb_pages()
    pdf.add_page()
    _bilingual(pdf, PROGRAMME[0], PROGRAMME[1], 9)
    _bilingual(pdf, TITLE[0], TITLE[1], 16, "B")
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + WIDTH, pdf.get_y())
    pdf.ln(3)
    _bilingual(pdf, STATEMENT[0], STATEMENT[1], 10)
    pdf.ln(2)
    _facts(pdf, event, site_names)
    pdf.ln(2)
    _items(pdf, event)
    _signatures(pdf, event)
    english, arabic = _day(generated_at.date())
    clock = generated_at.strftime("%H:%M")
    _bilingual(pdf, f"Generated by the DDR Registry on {english}, {clock} UTC",
               f"أُنشئت من سجل نزع السلاح والتسريح وإعادة الإدماج يوم {arabic} الساعة {clock} "
               "بالتوقيت العالمي", 8)
    return bytes(pdf.output())
