"""What the headers and coded values of a field-collection file are called, in Arabic and
English: a spreadsheet typed at a site names its columns as the registration form labels its
fields (`الاسم الأول`, `اسم الأب`, `Date of birth`) and writes `ذكر`, `مقاتل ليبي` or `Libya`
rather than `M`, `libyan_combatant` or `LBY`. Every label the web form shows, in both
languages, is among these names (`tests/web/test_import_names.py` holds the two together).

Names compare by :func:`name_key`: case, accents and Arabic short vowels, hamza seats, tatweel,
punctuation and spacing do not count.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache

import pycountry

_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "ـ": None})
_NOT_WORD = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """A header or a value as compared with the names known for it."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)
    return _NOT_WORD.sub(" ", letters).strip()


HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "record_id": ("record id", "Row identifier (record_id)", "معرّف الصف (record_id)",
                  "رقم السجل"),
    "site": ("Site", "site code", "Registration site", "الموقع", "موقع التسجيل",
             "مركز التسجيل"),
    "registered_on": ("Registration date", "date registered", "registered on",
                      "تاريخ التسجيل"),
    "category": ("Category", "الفئة", "التصنيف"),
    "sex": ("Sex", "gender", "الجنس", "النوع"),
    "date_of_birth": ("Date of birth", "birth date", "dob", "تاريخ الميلاد", "تاريخ الولادة"),
    "dob_precision": ("Date of birth is", "دقة تاريخ الميلاد"),
    "given_name": ("Given name", "first name", "الاسم الأول", "الاسم"),
    "father_name": ("Father's name", "father name", "father", "اسم الأب", "الأب"),
    "grandfather_name": ("Grandfather's name", "grandfather name", "grandfather", "اسم الجد",
                         "الجد"),
    "family_name": ("Family or tribal name", "family name", "family", "surname", "last name",
                    "tribe", "اللقب أو اسم القبيلة", "اللقب", "اسم العائلة", "العائلة",
                    "القبيلة"),
    "mother_name": ("Mother's name", "mother name", "mother", "اسم الأم", "الأم"),
    "alias": ("Alias or nom de guerre", "nom de guerre", "kunya", "الكنية أو الاسم الحركي",
              "الكنية", "الاسم الحركي"),
    "place_of_birth": ("Place of birth", "birthplace", "مكان الميلاد", "مكان الولادة"),
    "nationality": ("Nationality", "الجنسية"),
    "phone": ("Phone", "phone number", "mobile", "telephone", "الهاتف", "رقم الهاتف",
              "الجوال", "رقم الجوال"),
    "national_id": ("National number", "national id", "nid", "الرقم الوطني"),
    "passport_no": ("Passport number", "passport", "رقم جواز السفر", "جواز السفر"),
    "armed_group": ("Armed group", "المجموعة المسلحة", "التشكيل المسلح"),
    "rank": ("Rank or role", "الرتبة أو الدور", "الرتبة"),
    "unit": ("Unit", "الوحدة"),
    "date_joined": ("Date joined", "تاريخ الانضمام"),
    "date_left": ("Date left", "تاريخ المغادرة"),
    "membership_verification": ("Membership verified by", "طريقة التحقق من العضوية"),
    "verification_notes": ("Verification notes", "ملاحظات التحقق"),
    "disability": ("Disability or health needs", "disability", "الإعاقة أو الاحتياجات الصحية",
                   "الإعاقة"),
    "education": ("Education", "التعليم", "المستوى التعليمي"),
    "occupation": ("Occupation", "المهنة"),
    "skills": ("Skills", "المهارات"),
    "languages": ("Languages", "اللغات"),
    "intended_return": ("Intended place of return", "مكان العودة المقصود"),
    "notes": ("Notes", "ملاحظات"),
    "consent": ("Consent", "consent given", "الموافقة"),
}
"""Names a column of each field may carry besides the field's own (`given_name`)."""

VALUE_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "category": {
        "libyan_combatant": ("Libyan combatant", "مقاتل ليبي"),
        "foreign_fighter": ("Foreign fighter", "مقاتل أجنبي"),
        "associated_civilian": ("Civilian associated with an armed group",
                                "مدني مرتبط بمجموعة مسلحة"),
        "child": ("Child associated with armed forces or groups",
                  "طفل مرتبط بقوات أو مجموعات مسلحة"),
    },
    "sex": {"M": ("Male", "m", "man", "ذكر"), "F": ("Female", "f", "woman", "أنثى")},
    "dob_precision": {"exact": ("Exact date", "تاريخ دقيق"), "year": ("Year only", "السنة فقط"),
                      "estimated": ("Estimated", "تقديري")},
    "membership_verification": {
        "commander_list": ("Commander's list", "قائمة القائد"),
        "group_id_card": ("Armed group ID card", "بطاقة هوية المجموعة المسلحة"),
        "weapon_handover": ("Weapon handed over", "تسليم سلاح"),
        "witness": ("Witness", "شاهد"), "interview": ("Interview", "مقابلة"),
        "not_verified": ("Not verified", "لم يتم التحقق"),
    },
    "education": {"none": ("None", "لا شيء"), "primary": ("Primary", "ابتدائي"),
                  "secondary": ("Secondary", "ثانوي"), "vocational": ("Vocational", "مهني"),
                  "university": ("University", "جامعي")},
}
"""What the coded fields' values may be written as, by the value stored."""


def _by_key(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Each key of `table` by the :func:`name_key` of itself and of each of its names."""
    found = {name_key(key): key for key in table}
    for key, names in table.items():
        found.update({name_key(name): key for name in names})
    return found


@cache
def header_fields() -> dict[str, str]:
    """Field by the :func:`name_key` of each of its names (its own name included)."""
    return _by_key(HEADER_NAMES)


@cache
def _values(field: str) -> dict[str, str]:
    return _by_key(VALUE_NAMES.get(field, {}))


@cache
def _countries() -> dict[str, str]:
    """ISO 3166-1 alpha-3 code by the key of each code and name (English, Arabic; not the
    two-letter codes, which "NA" or "NO" written for "none" would meet)."""
    arabic = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"],
                                 fallback=True)
    found: dict[str, str] = {}
    for country in pycountry.countries:
        names = [getattr(country, a, None) for a in ("name", "official_name", "common_name")]
        for name in [country.alpha_3, *names,
                     *(arabic.gettext(n) for n in names if n)]:
            if name:
                found.setdefault(name_key(name), country.alpha_3)
    return found


@lru_cache(maxsize=4096)
def coded_value(field: str, value: str) -> str:
    """The stored value a cell's text stands for (the text itself when it is none known)."""
    key = name_key(value)
    if field == "nationality":
        return _countries().get(key, value)
    return _values(field).get(key, value)
