"""The spreadsheet to register offline in: headed as the form labels its fields in the reader's
language, right to left in Arabic, with lists for the coded values; the import maps it whole."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.imports.mapping import recognise
from app.web.import_template import COLUMNS, template


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_import_recognises_every_column_of_the_template(language: str) -> None:
    sheet = load_workbook(io.BytesIO(template(language, ["TRP", "BEN"]))).active
    assert sheet is not None
    header = [str(cell.value) for cell in sheet[1]]
    assert recognise(header).columns == dict(zip(COLUMNS, header, strict=True))
    assert sheet.sheet_view.rightToLeft is (language == "ar")
    lists = {str(rule.sqref).split(":")[0]: rule.formula1
             for rule in sheet.data_validations.dataValidation}
    letter = {field: chr(ord("A") + i) for i, field in enumerate(COLUMNS)}
    assert lists[letter["site"] + "2"] == '"TRP,BEN"'
    assert set(lists) == {letter[f] + "2" for f in ("site", "category", "sex", "consent")}
    if language == "ar":
        assert header[:6] == ["الموقع", "تاريخ التسجيل", "الفئة", "الجنس", "تاريخ الميلاد",
                              "الاسم الأول"]
        assert lists[letter["sex"] + "2"] == '"ذكر,أنثى"'
        assert sheet[letter["date_of_birth"] + "1"].comment.text == (
            "سنة-شهر-يوم (YYYY-MM-DD)، أو السنة وحدها")
