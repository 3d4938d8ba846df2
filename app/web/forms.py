"""The registration form: its sections and fields, and what things are called on it (a posted
form is read by :mod:`app.web.form_input`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.roles import Role
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
from app.registry.validation import required_names


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
    required_for: tuple[str, ...] = ()  # categories for which the field is required

    def is_required(self, category: str) -> bool:
        """Whether the field must be filled for a category (none chosen yet: for every one)."""
        if self.required:
            return True
        if category:
            return category in self.required_for
        return len(self.required_for) == len(Category)


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
ROLE_LABELS = {
    Role.admin: N_("Administrator"), Role.registration_officer: N_("Registration officer"),
    Role.supervisor: N_("Supervisor"), Role.case_manager: N_("Case manager"),
    Role.committee: N_("Committee member"), Role.auditor: N_("Auditor"),
    Role.weapons_officer: N_("Weapons officer"),
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

DATE_HINT = N_("YYYY-MM-DD")


def _required_for(name: str) -> tuple[str, ...]:
    return tuple(c.value for c in Category if name in required_names(c))


def _name(name: str, label: str) -> Field:
    """A name field: any script, and it feeds the live duplicate check."""
    return Field(name, label, name_like=True, duplicate_check=True,
                 required_for=_required_for(name))


def _date(name: str, label: str) -> Field:
    """A date typed as every date of the form is: YYYY-MM-DD, digits of either script."""
    return Field(name, label, hint=DATE_HINT,
                 extra={"inputmode": "numeric", "placeholder": "2019-06-30", "maxlength": "10"})


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
        Field("name_other_script", N_("Full name in the other script"),
              hint=N_("As the participant spells it: Latin letters for a name above in Arabic, "
                      "Arabic letters for one in Latin (printed on the card)"),
              name_like=True),
    )),
    Section("documents", N_("Documents and phone"), (
        Field("national_id", N_("National number"), hint=N_("12 digits"), duplicate_check=True,
              extra={"inputmode": "numeric", "maxlength": "14"}),
        Field("passport_no", N_("Passport number"), duplicate_check=True),
        Field("phone", N_("Phone"), "tel", duplicate_check=True, extra={"inputmode": "tel"}),
    )),
    Section("affiliation", N_("Affiliation"), (
        Field("armed_group", N_("Armed group"),
              hint=N_("Type a few letters in Arabic or English and choose from the list"),
              extra={"list": "armed-groups", "autocomplete": "off"}),
        Field("unit", N_("Unit")),
        Field("rank", N_("Rank or role")),
        _date("date_joined", N_("Date joined")),
        _date("date_left", N_("Date left")),
        Field("membership_verification", N_("Membership verified by"), "select",
              _choices([(k.value, v) for k, v in VERIFICATION_LABELS.items()])),
        Field("verification_notes", N_("Verification notes"), "textarea"),
    )),
    Section("wishes", N_("Reintegration wishes"), (
        Field("education", N_("Education"), "select",
              _choices([(k.value, v) for k, v in EDUCATION_LABELS.items()])),
        Field("occupation", N_("Occupation")),
        Field("languages", N_("Languages spoken"), hint=N_("Separated by commas"),
              name_like=True),
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
ROW_KINDS: dict[str, tuple[tuple[Field, ...], str, str]] = {
    "weapons": (WEAPON_FIELDS, "weapon_type", N_("Weapon")),
    "dependants": (DEPENDANT_FIELDS, "relationship", N_("Dependant")),
}
"""Repeated rows of the form: their fields, the field that must be filled, their name."""
SCALAR_FIELDS = tuple(f.name for s in SECTIONS for f in s.fields)
DRAFT_FIELDS = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name",
                "alias", "place_of_birth", "sex", "date_of_birth", "nationality", "phone",
                "national_id", "passport_no")
CORRECTABLE_FIELDS = SCALAR_FIELDS
FIELD_LABELS = {f.name: f.label for s in SECTIONS for f in s.fields}
FORM_LABELS = {**FIELD_LABELS, "site": N_("Registration site"), "consent": N_("Consent"),
               "person_id": N_("Link to an existing person"), "id": N_("Form")}
"""The label of every input of the form, as error messages name them."""
IMPORT_LABELS = {**FIELD_LABELS, "record_id": N_("Row identifier (record_id)"),
                 "site": N_("Site"), "registered_on": N_("Registration date"),
                 "consent": N_("Consent"), "languages": N_("Languages")}
"""What an import's columns are called: the form's fields and the import's own."""


def record_labels() -> dict[str, Mapping[Any, str]]:
    """What a registration's coded values are called (pages showing a whole record)."""
    return {"labels": FIELD_LABELS, "categories": CATEGORY_LABELS, "pathways": PATHWAY_LABELS,
            "precisions": PRECISION_LABELS, "verifications": VERIFICATION_LABELS,
            "educations": EDUCATION_LABELS, "weapon_labels": WEAPON_LABELS,
            "conditions": CONDITION_LABELS, "relationships": RELATIONSHIP_LABELS,
            "sexes": SEX_LABELS}
