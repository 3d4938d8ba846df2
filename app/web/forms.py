"""The registration form: its sections and fields, and parsing a posted form into a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.core.errors import FieldError
from app.registry.enums import (
    Category,
    DobPrecision,
    Education,
    Relationship,
    Sex,
    Verification,
    WeaponCondition,
    WeaponType,
)
from app.registry.schemas import RegistrationIn


def N_(message: str) -> str:
    """Mark a string for the catalogue; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Field:
    """One input of the form."""

    name: str
    label: str
    kind: str = "text"  # text, select, date, textarea, tel, number, checkbox
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    required: bool = False
    name_like: bool = False  # a name: typed in any script, direction follows the text
    duplicate_check: bool = False  # changes refresh the live duplicate panel
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A fieldset of the form."""

    key: str
    title: str
    fields: tuple[Field, ...]


def _choices(values: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(values)


CATEGORY_LABELS = {
    Category.libyan_combatant: N_("Libyan combatant"),
    Category.foreign_fighter: N_("Foreign fighter"),
    Category.associated_civilian: N_("Civilian associated with an armed group"),
    Category.child: N_("Child associated with armed forces or groups"),
}
PATHWAY_LABELS = {
    "reintegration": N_("Reintegration"),
    "child_protection": N_("Child protection"),
    "return_to_origin": N_("Return to country of origin"),
}
SEX_LABELS = {Sex.M: N_("Male"), Sex.F: N_("Female")}
PRECISION_LABELS = {DobPrecision.exact: N_("Exact date"), DobPrecision.year: N_("Year only"),
                    DobPrecision.estimated: N_("Estimated")}
VERIFICATION_LABELS = {
    Verification.commander_list: N_("Commander's list"),
    Verification.group_id_card: N_("Armed group ID card"),
    Verification.weapon_handover: N_("Weapon handed over"),
    Verification.witness: N_("Witness"),
    Verification.interview: N_("Interview"),
    Verification.not_verified: N_("Not verified"),
}
EDUCATION_LABELS = {Education.none: N_("None"), Education.primary: N_("Primary"),
                    Education.secondary: N_("Secondary"),
                    Education.vocational: N_("Vocational"),
                    Education.university: N_("University")}
WEAPON_LABELS = {WeaponType.pistol: N_("Pistol"), WeaponType.rifle: N_("Rifle"),
                 WeaponType.machine_gun: N_("Machine gun"),
                 WeaponType.rocket_launcher: N_("Rocket launcher"),
                 WeaponType.grenade: N_("Grenade"), WeaponType.mortar: N_("Mortar"),
                 WeaponType.ammunition: N_("Ammunition"), WeaponType.other: N_("Other")}
CONDITION_LABELS = {WeaponCondition.serviceable: N_("Serviceable"),
                    WeaponCondition.unserviceable: N_("Unserviceable"),
                    WeaponCondition.damaged: N_("Damaged")}
RELATIONSHIP_LABELS = {Relationship.spouse: N_("Spouse"), Relationship.child: N_("Child"),
                       Relationship.parent: N_("Parent"), Relationship.sibling: N_("Sibling"),
                       Relationship.other: N_("Other")}

WEAPON_ROWS = 2
DEPENDANT_ROWS = 3



def _name(name: str, label: str) -> Field:
    """A name field: any script, and it feeds the live duplicate check."""
    return Field(name, label, name_like=True, duplicate_check=True)


SECTIONS: tuple[Section, ...] = (
    Section("identity", N_("Identity"), (
        Field("category", N_("Category"), "select",
              _choices([(k.value, v) for k, v in CATEGORY_LABELS.items()]), required=True),
        Field("sex", N_("Sex"), "select", _choices([(k.value, v) for k, v in SEX_LABELS.items()]),
              required=True, duplicate_check=True),
        Field("date_of_birth", N_("Date of birth"), hint=N_("YYYY-MM-DD, or the year alone"),
              required=True, duplicate_check=True,
              extra={"inputmode": "numeric", "placeholder": "1990-01-31"}),
        Field("dob_precision", N_("Date of birth is"), "select",
              _choices([(k.value, v) for k, v in PRECISION_LABELS.items()])),
        Field("nationality", N_("Nationality"), hint=N_("Three-letter code, e.g. LBY, SDN, TCD"),
              required=True, duplicate_check=True,
              extra={"maxlength": "3", "autocapitalize": "characters"}),
        _name("place_of_birth", N_("Place of birth")),
    )),
    Section("nasab", N_("Name (nasab)"), (
        _name("given_name", N_("Given name")),
        _name("father_name", N_("Father's name")),
        _name("grandfather_name", N_("Grandfather's name")),
        _name("family_name", N_("Family or tribal name")),
        _name("mother_name", N_("Mother's name")),
        _name("alias", N_("Alias or nom de guerre")),
    )),
    Section("documents", N_("Documents and phone"), (
        Field("national_id", N_("National number"), hint=N_("12 digits"), duplicate_check=True,
              extra={"inputmode": "numeric", "maxlength": "14"}),
        Field("passport_no", N_("Passport number"), duplicate_check=True),
        Field("phone", N_("Phone"), "tel", duplicate_check=True, extra={"inputmode": "tel"}),
    )),
    Section("affiliation", N_("Affiliation"), (
        Field("armed_group", N_("Armed group"), hint=N_("As on the managed list")),
        Field("unit", N_("Unit")),
        Field("rank", N_("Rank or role")),
        Field("date_joined", N_("Date joined"), "date"),
        Field("date_left", N_("Date left"), "date"),
        Field("membership_verification", N_("Membership verified by"), "select",
              _choices([(k.value, v) for k, v in VERIFICATION_LABELS.items()])),
        Field("verification_notes", N_("Verification notes"), "textarea"),
    )),
    Section("wishes", N_("Reintegration wishes"), (
        Field("education", N_("Education"), "select",
              _choices([(k.value, v) for k, v in EDUCATION_LABELS.items()])),
        Field("occupation", N_("Occupation")),
        Field("skills", N_("Skills"), "textarea"),
        Field("disability", N_("Disability or health needs"), "textarea"),
        Field("intended_return", N_("Intended place of return"), name_like=True),
        Field("notes", N_("Notes"), "textarea"),
    )),
)

WEAPON_FIELDS: tuple[Field, ...] = (
    Field("weapon_type", N_("Weapon type"), "select",
          _choices([(k.value, v) for k, v in WEAPON_LABELS.items()])),
    Field("make_model", N_("Make and model")),
    Field("calibre", N_("Calibre")),
    Field("serial_number", N_("Serial number")),
    Field("rounds", N_("Rounds of ammunition"), "number", extra={"min": "0"}),
    Field("condition", N_("Condition"), "select",
          _choices([(k.value, v) for k, v in CONDITION_LABELS.items()])),
    Field("manufacturer", N_("Manufacturer (marking)")),
    Field("country_of_manufacture", N_("Country of manufacture"),
          hint=N_("Three-letter code, e.g. RUS, BEL, CHN"),
          extra={"maxlength": "3", "autocapitalize": "characters"}),
    Field("year_of_manufacture", N_("Year of manufacture"), "number",
          extra={"min": "1850", "max": "2100"}),
    Field("import_marking", N_("Import marking")),
)
DEPENDANT_FIELDS: tuple[Field, ...] = (
    Field("relationship", N_("Relationship"), "select",
          _choices([(k.value, v) for k, v in RELATIONSHIP_LABELS.items()])),
    Field("name", N_("Name"), name_like=True),
    Field("sex", N_("Sex"), "select", _choices([(k.value, v) for k, v in SEX_LABELS.items()])),
    Field("year_of_birth", N_("Year of birth"), "number", extra={"min": "1900"}),
)
SCALAR_FIELDS = tuple(f.name for s in SECTIONS for f in s.fields)
DRAFT_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name",
                "alias", "place_of_birth", "sex", "date_of_birth", "nationality", "phone",
                "national_id", "passport_no")
CORRECTABLE_FIELDS = SCALAR_FIELDS
FIELD_LABELS = {f.name: f.label for s in SECTIONS for f in s.fields}

_PYDANTIC_MESSAGES = {
    "missing": N_("required"),
    "enum": N_("choose one of the options"),
    "literal_error": N_("choose one of the options"),
    "string_too_long": N_("too long"),
    "date_from_datetime_parsing": N_("not a valid date"),
    "date_parsing": N_("not a valid date"),
    "date_type": N_("not a valid date"),
    "int_parsing": N_("must be a whole number"),
    "greater_than_equal": N_("too small"),
    "less_than_equal": N_("too large"),
    "uuid_parsing": N_("the form is damaged; reload the page"),
}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_values(form: FormData) -> dict[str, Any]:
    """Everything the officer typed, as strings, to put back into the form on an error."""
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["consent"] = _text(form, "consent") == "yes"
    return values


def _rows(form: FormData, prefix: str, fields: tuple[Field, ...], key: str,
          count: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        row = {f.name: _text(form, f"{prefix}-{i}-{f.name}") or None for f in fields}
        if row.get(key):
            rows.append({k: v for k, v in row.items() if v is not None})
    return rows


def registration_input(form: FormData) -> tuple[RegistrationIn | None, list[FieldError]]:
    """Build a registration request from the posted form, or the field errors that stop it."""
    body: dict[str, Any] = {name: _text(form, name) or None for name in SCALAR_FIELDS}
    body["id"] = _text(form, "id")
    body["site"] = _text(form, "site")
    body["person_id"] = _text(form, "person_id") or None
    body["consent"] = _text(form, "consent") == "yes"
    body["weapons"] = _rows(form, "weapons", WEAPON_FIELDS, "weapon_type", WEAPON_ROWS)
    body["dependants"] = _rows(form, "dependants", DEPENDANT_FIELDS, "relationship",
                               DEPENDANT_ROWS)
    for required in ("category", "sex", "nationality"):
        body[required] = body[required] or ""
    try:
        return RegistrationIn.model_validate(body), []
    except ValidationError as exc:
        return None, pydantic_errors(exc)


def pydantic_errors(exc: ValidationError) -> list[FieldError]:
    """Turn pydantic's errors into form field errors (`weapons-0-rounds` style names)."""
    errors = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]]
        name = "-".join(loc) if loc else "form"
        kind = str(error.get("type", ""))
        message = _PYDANTIC_MESSAGES.get(kind, N_("invalid value"))
        if kind == "enum" or (kind == "string_too_short" and loc and loc[-1] in (
                "category", "sex", "nationality")):
            message = N_("required") if error.get("input") in ("", None) else message
        errors.append(FieldError(name, message))
    return errors


def errors_by_field(errors: list[FieldError]) -> dict[str, list[str]]:
    """Group field errors by the form input they belong beside."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        name = error.field.replace(".", "-")
        grouped.setdefault(name, []).append(error.message)
    return grouped


def draft_of(form: FormData) -> dict[str, str | None]:
    """The fields the live duplicate check compares."""
    return {name: _text(form, name) or None for name in DRAFT_FIELDS}
