"""Normalisation of Arabic, Latin and Cyrillic names, phones, identity numbers and dates."""

from __future__ import annotations

import pytest

from matching import (
    blocking_name_key,
    fold_digits,
    normalise_arabic,
    normalise_date,
    normalise_latin,
    normalise_name,
    normalise_national_id,
    normalise_passport,
    normalise_phone,
)
from matching.records import compared_values, prepare_records, records_frame


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("مُحَمَّد", "محمد"),
        ("أحمـــد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آمنة", "امنه"),
        ("مصطفى", "مصطفي"),
        ("فاطمة", "فاطمه"),
        ("عبد الرحمن", "عبدرحمن"),
        ("عبدالرحمن", "عبدرحمن"),
        ("أبو بكر", "ابوبكر"),
        ("علي بن أحمد", "علي احمد"),
        ("مسعود ابن سالم", "مسعود سالم"),
        ("عائشة", "عايشه"),
        ("نصر الدين", "نصردين"),
        ("نصرالدين", "نصردين"),
        ("فتح الله", "فتحالله"),
    ],
    ids=["tashkeel", "tatweel", "hamza-below", "madda", "alef-maqsura", "taa-marbuta",
         "abd-spaced", "abd-joined", "abu", "bin", "ibn", "hamza-carrier", "al-din-spaced",
         "al-din-joined", "allah-spaced"],
)
def test_normalise_arabic(raw: str, expected: str) -> None:
    assert normalise_arabic(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MOHAMED", "mohamed"),
        ("Çelik", "celik"),
        ("Mohamed El-Warfalli", "mohamed warfalli"),
        ("al Warfalli", "warfalli"),
        ("Abd al-Rahman", "abdrahman"),
        ("Abdul Rahman", "abdrahman"),
        ("Abdel Rahman", "abdrahman"),
        ("Abderrahmane", "abdrahmane"),
        ("Abdullah", "abdlah"),
        ("Abdoulaye", "abdlah"),
        ("Abou Bakr", "aboubakr"),
        ("Ali ben Salem", "ali salem"),
        ("Sa'ad", "saad"),
        ("Saif al-Din", "saifdin"),
        ("Nour Eddine", "nourdin"),
        ("Nasreddine", "nasrdin"),
        ("Nuraldeen", "nurdin"),
        ("Fath Allah", "fathallah"),
        ("Nadine", "nadine"),
    ],
    ids=["case", "diacritics", "article-hyphen", "article-space", "abd-al", "abdul", "abdel",
         "assimilated-article", "abdullah", "abdoulaye", "abou", "ben", "apostrophe",
         "al-din-apart", "eddine-apart", "eddine-joined", "aldeen-joined", "allah-apart",
         "short-name-ending-dine"],
)
def test_normalise_latin(raw: str, expected: str) -> None:
    assert normalise_latin(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Сергей Иванов", "sergey ivanov"), ("Мухаммед", "mukhammed")],
    ids=["russian", "muhammad-cyrillic"],
)
def test_normalise_name_transliterates_cyrillic(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    "spellings",
    [
        ("Mohamed", "Muhammad", "Mohammed", "محمد", "Mhamed"),
        ("Gaddafi", "Qadhafi", "Kadhafi", "القذافي"),
        ("al-Warfalli", "El Warfalli", "Elwarfalli", "Warfalli", "الورفلي", "ورفلي"),
        ("Abdul Rahman", "Abdulrahman", "Abd al-Rahman", "عبد الرحمن", "عبدالرحمن"),
        ("Youssef", "Yousef", "Yusuf", "يوسف"),
        ("Boubacar", "Aboubakar", "Abu Bakr", "أبو بكر"),
    ],
    ids=["mohammed", "gaddafi", "warfalli", "abdulrahman", "yusuf", "abubakr"],
)
def test_cross_script_blocking_key_meets(spellings: tuple[str, ...]) -> None:
    keys = {blocking_name_key(s) for s in spellings}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+218 91 234 5678", "+218912345678"),
        ("0912345678", "+218912345678"),
        ("218912345678", "+218912345678"),
        ("00218-91-2345678", "+218912345678"),
        ("(091) 2345678", "+218912345678"),
        ("٠٩١٢٣٤٥٦٧٨", "+218912345678"),
        ("", ""),
    ],
    ids=["e164-spaced", "national", "no-plus", "00-prefix", "brackets", "arabic-digits", "empty"],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


def test_identity_numbers_and_digits() -> None:
    assert fold_digits("١٩٨٨") == "1988"
    assert normalise_national_id("1 1988 1234567") == "119881234567"
    assert normalise_passport(" p-0720 5452 ") == "P07205452"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1988-03-02", (1988, 3, 2)), ("1988", (1988, 0, 0)), ("", (0, 0, 0)),
     ("١٩٨٨-٠٣-٠٢", (1988, 3, 2)), ("garbage", (0, 0, 0))],
    ids=["full", "year-only", "missing", "arabic-digits", "invalid"],
)
def test_normalise_date(raw: str, expected: tuple[int, int, int]) -> None:
    assert normalise_date(raw) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("عبد", "الرزاق", "", "المشري"), ("عبدرزاق", "", "", "المشري")),
        (("Muhammad", "Abdul", "Basit", "Zliteni"), ("muhammad", "abdbasit", "", "zliteni")),
        (("Ali", "Abu", "Bakr Omar", "Mishri"), ("ali", "abubakr", "omar", "mishri")),
        (("Ali", "Abdel", "", "Mishri"), ("ali", "abd", "", "mishri")),
    ],
    ids=["arabic-given", "latin-father", "rest-stays", "nothing-to-join"],
)
def test_compound_split_across_two_fields_is_joined(
    parts: tuple[str, str, str, str], expected: tuple[str, str, str, str]
) -> None:
    record = dict(zip(("given_name", "father_name", "grandfather_name", "family_name"), parts,
                      strict=True))
    prepared = prepare_records(records_frame([{"record_id": "A", **record}]))
    columns = ("given", "father", "grandfather", "family")
    assert tuple(prepared.loc[0, c] for c in columns) == expected
    assert tuple(compared_values(record)[c] for c in columns) == expected
