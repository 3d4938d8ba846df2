"""Field rules of a registration: documents, phones, countries, dates, ages and categories.

Every rule reports the field it concerns and never repeats the submitted value, so an error
can be shown or logged without leaking what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
import pycountry

from app.core.errors import FieldError
from app.registry.enums import Category, DobPrecision, Pathway

MIN_AGE, MAX_AGE, ADULT_AGE = 10, 90, 18
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DOB_RE = re.compile(r"^(\d{4})(?:-(\d{2})-(\d{2}))?$")


@dataclass
class BirthDate:
    """A date of birth as far as it is known."""

    year: int
    exact: date | None
    precision: DobPrecision

    def age_on(self, day: date) -> int:
        """Age in whole years on a day (year-only dates count from 1 July)."""
        born = self.exact or date(self.year, 7, 1)
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def as_text(self) -> str:
        """The stored form: YYYY-MM-DD or YYYY."""
        return self.exact.isoformat() if self.exact else f"{self.year:04d}"


def ascii_digits(text: str) -> str:
    """Turn Arabic-Indic and Persian digits into ASCII digits."""
    return text.translate(_DIGITS)


def clean_name(text: str | None) -> str | None:
    """Tidy a name as typed (NFC, single spaces) without changing its script."""
    if text is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text or None


FORMULA_START = ("=", "+", "-", "@")


def check_names(names: dict[str, str | None], errors: list[FieldError]) -> None:
    """Refuse a name a spreadsheet would run as a formula (`=HYPERLINK(...)`): no name
    starts with =, +, - or @."""
    for name, value in names.items():
        if value and value.startswith(FORMULA_START):
            errors.append(FieldError(name, "must not start with =, +, - or @"))


def parse_birth_date(
    value: str | None, precision: DobPrecision | None, errors: list[FieldError]
) -> BirthDate | None:
    """Parse YYYY-MM-DD or YYYY; a year alone means year precision."""
    if not value:
        return None
    match = _DOB_RE.match(ascii_digits(value.strip()))
    if not match:
        errors.append(FieldError("date_of_birth", "use YYYY-MM-DD, or YYYY if only the year"))
        return None
    year = int(match.group(1))
    if match.group(2) is None:
        if precision == DobPrecision.exact:
            errors.append(FieldError("dob_precision", "exact needs a full date of birth"))
            return None
        return BirthDate(year, None, precision or DobPrecision.year)
    try:
        exact = date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        errors.append(FieldError("date_of_birth", "not a real calendar date"))
        return None
    return BirthDate(year, exact, precision or DobPrecision.exact)


def normalise_phone(value: str | None, errors: list[FieldError]) -> str | None:
    """Parse a phone number (Libyan by default) and return it in E.164."""
    if not value:
        return None
    text = ascii_digits(value)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "LY")
    except phonenumbers.NumberParseException:
        errors.append(FieldError("phone", "not a phone number"))
        return None
    if number.extension or re.search(r"[^\d\s()+\-./]", text):
        # An extension or letters would be dropped from the stored number: refuse them.
        errors.append(FieldError("phone", "digits only, without an extension"))
        return None
    if not phonenumbers.is_valid_number(number):
        # "218912345678" without a plus: try it as international.
        retry: phonenumbers.PhoneNumber | None
        try:
            retry = phonenumbers.parse("+" + re.sub(r"\D", "", text), None)
        except phonenumbers.NumberParseException:
            retry = None
        if retry is None or not phonenumbers.is_valid_number(retry):
            errors.append(FieldError("phone", "not a valid phone number"))
            return None
        number = retry
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_national_id(value: str | None, errors: list[FieldError]) -> str | None:
    """The digits of a national number typed with spaces or dashes; anything else in it is
    refused (never dropped: letters must not turn into a shorter number or into none)."""
    if not value:
        return None
    text = ascii_digits(value)
    if not re.fullmatch(r"[\d\s\-]+", text) or not re.search(r"\d", text):
        errors.append(FieldError("national_id", "digits only (spaces and dashes allowed)"))
        return None
    return re.sub(r"\D", "", text)


def check_national_id(
    nid: str | None,
    *,
    sex: str | None,
    birth: BirthDate | None,
    nationality: str | None,
    errors: list[FieldError],
) -> None:
    """Check a Libyan National Number: 12 digits, sex digit, birth year."""
    if nid is None:
        return
    if len(nid) != 12:
        errors.append(FieldError("national_id", "must be 12 digits"))
        return
    if nid[0] not in "12":
        errors.append(FieldError("national_id", "first digit must be 1 (male) or 2 (female)"))
    elif sex and nid[0] != {"M": "1", "F": "2"}[sex]:
        errors.append(FieldError("national_id", "first digit does not match the sex"))
    year = int(nid[1:5])
    if birth is not None and birth.precision != DobPrecision.estimated and year != birth.year:
        errors.append(FieldError("national_id", "digits 2-5 do not match the birth year"))
    elif not 1900 <= year <= date.today().year:
        errors.append(FieldError("national_id", "digits 2-5 are not a possible birth year"))
    if nationality and nationality != "LBY":
        errors.append(FieldError("national_id", "only Libyan nationals have a National Number"))


def normalise_passport(value: str | None, errors: list[FieldError]) -> str | None:
    """Upper-case a passport number and check it looks like one."""
    if not value:
        return None
    text = re.sub(r"[\s-]", "", ascii_digits(value)).upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", text):
        errors.append(FieldError("passport_no", "5-20 letters and digits"))
        return None
    return text


def normalise_nationality(value: str, errors: list[FieldError]) -> str | None:
    """Return a valid ISO 3166-1 alpha-3 code."""
    code = value.strip().upper()
    if len(code) != 3 or pycountry.countries.get(alpha_3=code) is None:
        errors.append(FieldError("nationality", "must be an ISO 3166-1 alpha-3 code, e.g. LBY"))
        return None
    return code


def normalise_serial(value: str | None) -> str | None:
    """The comparable form of a weapon serial number (upper case, no spaces or dashes)."""
    if not value:
        return None
    return re.sub(r"[\s\-/.]", "", ascii_digits(value)).upper() or None


@dataclass
class Classification:
    """Category, child flag and pathway decided from the input."""

    category: Category
    is_child: bool
    pathway: Pathway
    errors: list[FieldError] = field(default_factory=list)


_REQUIRED: dict[Category, tuple[str, ...]] = {
    Category.libyan_combatant: ("given_name", "father_name", "family_name"),
    Category.foreign_fighter: ("given_name",),
    Category.associated_civilian: ("given_name", "father_name"),
    Category.child: ("given_name", "father_name"),
}


def required_names(category: Category) -> tuple[str, ...]:
    """The names a registration of a category must give (a foreign fighter also needs a
    father's or a family name)."""
    return _REQUIRED[category]


def classify(
    *,
    category: Category,
    birth: BirthDate | None,
    nationality: str | None,
    registered_on: date,
    names: dict[str, str | None],
    errors: list[FieldError],
) -> Classification:
    """Check ages and required fields, and route children and foreigners to their pathway."""
    is_child = False
    if birth is not None:
        if (birth.exact or date(birth.year, 1, 1)) > registered_on:
            errors.append(FieldError("date_of_birth", "is in the future"))
        else:
            age = birth.age_on(registered_on)
            if age < MIN_AGE or age > MAX_AGE:
                errors.append(
                    FieldError("date_of_birth", f"age must be {MIN_AGE}-{MAX_AGE} at registration")
                )
            is_child = age < ADULT_AGE
    elif not any(e.field == "date_of_birth" for e in errors):  # given, but not a date
        errors.append(FieldError("date_of_birth", "required (the year alone will do)"))
    if category == Category.child and birth is not None and not is_child:
        errors.append(FieldError("category", "child is for people under 18 at registration"))
    effective = Category.child if is_child else category
    for name in _REQUIRED[effective]:
        if not names.get(name):
            errors.append(FieldError(name, f"required for {effective.value}"))
    if effective == Category.foreign_fighter and not (
        names.get("father_name") or names.get("family_name")
    ):
        errors.append(FieldError("family_name", "a father's or family name is required"))
    if category == Category.libyan_combatant and nationality and nationality != "LBY":
        errors.append(FieldError("nationality", "a Libyan combatant has nationality LBY"))
    if category == Category.foreign_fighter and nationality == "LBY":
        errors.append(FieldError("nationality", "a foreign fighter is not of nationality LBY"))
    if is_child:
        pathway = Pathway.child_protection
    elif effective == Category.foreign_fighter:
        pathway = Pathway.return_to_origin
    else:
        pathway = Pathway.reintegration
    return Classification(effective, is_child, pathway)
