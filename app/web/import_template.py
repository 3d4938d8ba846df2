"""A spreadsheet to register offline in: the form's fields as columns, headed as the form labels
them in the reader's language (the import recognises them, :mod:`app.imports.names`), with
lists to choose the coded values from and notes on how to write dates and numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.web.forms import CATEGORY_LABELS, IMPORT_LABELS, N_, SEX_LABELS
from app.web.i18n import translations

COLUMNS = (
    "site", "registered_on", "category", "sex", "date_of_birth", "given_name", "father_name",
    "grandfather_name", "family_name", "mother_name", "alias", "place_of_birth", "nationality",
    "phone", "national_id", "passport_no", "armed_group", "consent", "notes",
)
"""The template's columns: what an officer records at a first meeting."""
ROWS = 1000
"""Rows the value lists apply to."""
NOTES = {
    "registered_on": N_("YYYY-MM-DD; empty: the day of the import"),
    "date_of_birth": N_("YYYY-MM-DD, or the year alone"),
    "nationality": N_("the country's name or its three-letter code, e.g. LBY"),
    "phone": N_("as dialled in Libya (091…) or with the country code (+218…)"),
    "national_id": N_("the 12 digits of the national number"),
    "consent": N_("yes only if the participant consented to the processing of their data"),
}
YES_NO = (N_("yes"), N_("no"))


def template(language: str, sites: Sequence[str]) -> bytes:
    """The workbook (XLSX) in a language (`ar`: right to left); `sites` to choose from."""
    gettext = translations(language).gettext
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Registrations")
    sheet.sheet_view.rightToLeft = language == "ar"
    sheet.freeze_panes = "A2"
    choices = {
        "site": list(sites),
        "category": [gettext(label) for label in CATEGORY_LABELS.values()],
        "sex": [gettext(label) for label in SEX_LABELS.values()],
        "consent": [gettext(word) for word in YES_NO],
    }
    for number, field in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=number, value=gettext(IMPORT_LABELS[field]))
        if field in NOTES:
            cell.comment = Comment(gettext(NOTES[field]), "DDR")
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = 22
        values = choices.get(field)
        if values:
            rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"',
                                  allow_blank=True)
            rule.add(f"{letter}2:{letter}{ROWS + 1}")
            sheet.add_data_validation(rule)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
