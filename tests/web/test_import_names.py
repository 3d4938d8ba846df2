"""Every label the registration form shows, in Arabic and English, names its field as an
import's column header, and every label of a coded value reads as that value."""

from __future__ import annotations

import pytest

from app.imports.mapping import FIELDS, read_row, recognise
from app.web.forms import (
    CATEGORY_LABELS,
    EDUCATION_LABELS,
    IMPORT_LABELS,
    PRECISION_LABELS,
    SEX_LABELS,
    VERIFICATION_LABELS,
)
from app.web.i18n import translations


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_field_label_is_a_header_the_import_recognises(language: str) -> None:
    catalogue = translations(language)
    for field in FIELDS:
        header = [catalogue.gettext(IMPORT_LABELS[field])]
        assert recognise(header).columns == {field: header[0]}, (field, header)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(("field", "labels"), [
    ("category", CATEGORY_LABELS), ("sex", SEX_LABELS), ("dob_precision", PRECISION_LABELS),
    ("membership_verification", VERIFICATION_LABELS), ("education", EDUCATION_LABELS)])
def test_every_value_label_reads_as_its_value(language: str, field: str,
                                              labels: dict[object, str]) -> None:
    catalogue = translations(language)
    for value, label in labels.items():
        text = catalogue.gettext(label)
        assert read_row(recognise([field]), [field], [text]).fields[field] == str(value), text


def test_a_rows_problems_are_listed_as_the_language_lists() -> None:
    from app.imports.report import problem_text

    problems = [{"field": "sex", "message": "required"},
                {"field": "phone", "message": "not a valid phone number"}]
    columns = {"sex": "الجنس", "phone": "الهاتف"}
    arabic = problem_text(problems, columns, translations("ar").gettext, IMPORT_LABELS)
    assert arabic.startswith("الجنس: ")
    assert "؛ الهاتف: " in arabic
    assert ";" not in arabic
    english = problem_text(problems, columns, translations("en").gettext, IMPORT_LABELS)
    assert english == "الجنس: required; الهاتف: not a valid phone number"


def test_a_field_the_file_has_no_column_for_is_named_as_the_form_labels_it() -> None:
    from app.imports.report import problem_text

    problems = [{"field": "date_of_birth", "message": "required"},
                {"field": "sex", "message": "required"}]
    columns = {"sex": "Gender"}
    arabic = problem_text(problems, columns, translations("ar").gettext, IMPORT_LABELS)
    assert arabic.startswith(translations("ar").gettext("Date of birth") + ": ")
    assert "date_of_birth" not in arabic
    english = problem_text(problems, columns, translations("en").gettext, IMPORT_LABELS)
    assert english == "Date of birth: required; Gender: required"
