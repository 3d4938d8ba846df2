"""Column mapping: the record CSV's names recognised (also under a form's group prefix), form
submission columns, mapping files, and values read as the registry expects them."""

from __future__ import annotations

import pytest

from app.core.errors import ValidationFailed
from app.imports.mapping import load, read_row, recognise
from matching import RECORD_COLUMNS


@pytest.mark.parametrize(
    ("header", "field", "column"),
    [(["given_name"], "given_name", "given_name"),
     (["identity/given_name"], "given_name", "identity/given_name"),
     (["identity-given_name"], "given_name", "identity-given_name"),
     (["reg/person/family_name"], "family_name", "reg/person/family_name"),
     ([" Given_Name "], "given_name", " Given_Name "),
     (["grp/given_name", "given_name"], "given_name", "given_name")],
    ids=["plain", "kobo-group", "odk-group", "nested-groups", "case-and-spaces",
         "exact-name-wins"],
)
def test_record_csv_names_are_recognised(header: list[str], field: str, column: str) -> None:
    assert recognise(header).columns[field] == column


def test_the_record_csv_maps_whole() -> None:
    mapping = recognise(list(RECORD_COLUMNS))
    assert mapping.columns == {c: c for c in RECORD_COLUMNS}
    assert mapping.row_key is None


def test_form_columns_key_the_row_and_date_it() -> None:
    kobo = recognise(["identity/given_name", "languages/arabic", "_uuid", "_submission_time"])
    assert (kobo.row_key, kobo.date_column) == ("_uuid", "_submission_time")
    assert "arabic" not in kobo.columns
    assert len(kobo.columns) == 1
    odk = recognise(["SubmissionDate", "meta-instanceID", "KEY", "person-given_name"])
    assert (odk.row_key, odk.date_column) == ("meta-instanceID", "SubmissionDate")


def test_a_row_reads_through_the_mapping() -> None:
    header = ["الاسم", "الجنس", "_uuid", "_submission_time", "موافقة", "languages"]
    mapping = load("columns: {given_name: الاسم, sex: الجنس, consent: موافقة, "
                   "languages: languages}\nvalues: {sex: {رجل: M}}\n"
                   "defaults: {nationality: LBY}\n", header)
    row = read_row(mapping, header, ["  سالم ", "رجل", "UUID:0B7C2A4E-6F1D-4C8E-9B3A-1D2E3F4A5B6C",
                                     "2026-11-04T16:40:11", "نعم", "arabic english"])
    assert row.fields == {"given_name": "سالم", "sex": "M", "languages": "arabic english",
                          "nationality": "LBY", "registered_on": "2026-11-04"}
    assert row.row_key == "0b7c2a4e-6f1d-4c8e-9b3a-1d2e3f4a5b6c"
    assert row.consent is True


@pytest.mark.parametrize(
    ("value", "consent"),
    [("yes", True), ("1", True), ("نعم", True), ("No", False), ("لا", False), ("", None),
     ("maybe", None)],
    ids=["yes", "one", "arabic-yes", "no", "arabic-no", "empty", "unclear"],
)
def test_consent_values(value: str, consent: bool | None) -> None:
    mapping = recognise(["given_name", "consent"])
    assert read_row(mapping, ["given_name", "consent"], ["Ali", value]).consent is consent


@pytest.mark.parametrize(
    ("text", "field"),
    [("columns: {given: A}", "mapping.given"),
     ("columns: {given_name: Z}", "mapping.given_name"),
     ("rows: 3", "mapping"),
     ("columns: [1, 2", "mapping")],
    ids=["unknown-field", "unknown-column", "unknown-section", "not-yaml"],
)
def test_a_bad_mapping_file_names_the_problem(text: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load(text, ["A", "B"])
    assert caught.value.errors[0].field == field


def test_a_mapping_file_takes_a_column_from_the_automatic_mapping() -> None:
    header = ["given_name", "first"]
    mapping = load("columns: {alias: given_name, given_name: first}", header)
    assert mapping.columns == {"alias": "given_name", "given_name": "first"}


def test_columns_named_as_the_form_labels_them_are_recognised() -> None:
    header = ["الاسم", "اسم الاب", "اسم الجدّ", "اللقب", "الجنس", "تاريخ الميلاد", "الجنسية",
              "رقم الهاتف", "الرقم الوطني", "الفئة", "الموافقة", "الموقع", "Mother's name",
              "Date-of-Birth", "notes about the row"]
    mapping = recognise(header)
    assert mapping.columns == {
        "given_name": "الاسم", "father_name": "اسم الاب", "grandfather_name": "اسم الجدّ",
        "family_name": "اللقب", "sex": "الجنس", "date_of_birth": "تاريخ الميلاد",
        "nationality": "الجنسية", "phone": "رقم الهاتف", "national_id": "الرقم الوطني",
        "category": "الفئة", "consent": "الموافقة", "site": "الموقع",
        "mother_name": "Mother's name"}  # a second date of birth and an unknown name: left


def test_a_field_name_beats_a_label_naming_the_same_field() -> None:
    assert recognise(["الاسم الأول", "given_name"]).columns == {"given_name": "given_name"}


@pytest.mark.parametrize(
    ("field", "written", "stored"),
    [("sex", "ذكر", "M"), ("sex", "Female", "F"), ("sex", "أنثى", "F"),
     ("category", "مقاتل ليبي", "libyan_combatant"),
     ("category", "Foreign fighter", "foreign_fighter"),
     ("category", "طفل مرتبط بقوات أو مجموعات مسلحة", "child"),
     ("nationality", "ليبيا", "LBY"), ("nationality", "Niger", "NER"),
     ("nationality", "السودان", "SDN"), ("nationality", "tcd", "TCD"),
     ("nationality", "NA", "NA"), ("education", "جامعي", "university"),
     ("dob_precision", "السنة فقط", "year"), ("category", "مقاتل", "مقاتل")],
)
def test_coded_values_written_as_the_form_shows_them(field: str, written: str,
                                                    stored: str) -> None:
    header = [field]
    assert read_row(recognise(header), header, [written]).fields[field] == stored
