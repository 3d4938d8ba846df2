"""Explanations: per-field contributions to a pair's score in words an officer understands.

Every message comes from a finite set of templates (:data:`EXPLANATION_MESSAGES`) keyed by
``"<field>.<level>"``; the web UI translates a template through its catalogue and fills in the
same ``params``.
"""

from __future__ import annotations

import dataclasses

__all__ = ["EXPLANATION_MESSAGES", "FieldContribution", "explanation_template"]

_NAME_LABELS = {
    "given_name": ("given name", "Given names"),
    "father_name": ("father's name", "Fathers' names"),
    "grandfather_name": ("grandfather's name", "Grandfathers' names"),
    "family_name": ("family name", "Family names"),
    "full_name": ("full name", "Full names"),
    "mother_name": ("mother's name", "Mothers' names"),
    "alias": ("alias", "Aliases"),
    "place_of_birth": ("place of birth", "Places of birth"),
}


def _name_messages() -> dict[str, str]:
    messages: dict[str, str] = {}
    for column, (label, plural) in _NAME_LABELS.items():
        messages[f"{column}.exact"] = f"Same {label} ({{a}})"
        messages[f"{column}.high"] = f"Same {label}, spelled differently ({{a}} / {{b}})"
        messages[f"{column}.similar"] = f"{plural} are similar ({{a}} / {{b}})"
        messages[f"{column}.weak"] = f"{plural} are only partly similar ({{a}} / {{b}})"
        messages[f"{column}.different"] = f"{plural} differ ({{a}} vs {{b}})"
        messages[f"{column}.missing"] = f"The {label} is missing on one record"
    return messages


EXPLANATION_MESSAGES: dict[str, str] = {
    **_name_messages(),
    "given_name.different_relative": (
        "Given names differ ({a} vs {b}) — relatives often share the rest of the name"
    ),
    "given_name.different_twin": (
        "Given names differ ({a} vs {b}) with the same parents and date of birth — "
        "possibly twins"
    ),
    "given_name.different_sibling": (
        "Given names differ ({a} vs {b}) and births are years apart — "
        "possibly brothers or sisters"
    ),
    "given_name.distinct": "{a} and {b} are two different common names, not spellings of one",
    "father_name.distinct": (
        "The fathers' names {a} and {b} are two different common names, not spellings of one"
    ),
    "given_name.rare": "The given name {a} is rare, so agreeing on it counts for more",
    "family_name.rare": "The family name {a} is rare, so agreeing on it counts for more",
    "father_name.rare": "The father's name {a} is rare, so agreeing on it counts for more",
    "father_name.generation_shift": (
        "One record's father's name is the other's given name ({a} / {b}) — "
        "possibly father and son"
    ),
    "date_of_birth.exact": "Same date of birth ({a})",
    "date_of_birth.swapped": "Dates of birth match with day and month swapped ({a} / {b})",
    "date_of_birth.same_month": "Born in the same month of the same year ({a} / {b})",
    "date_of_birth.year_only": "Same year of birth ({a} / {b}); one date gives the year only",
    "date_of_birth.same_year": "Same year of birth but different dates ({a} / {b})",
    "date_of_birth.year_typo": (
        "Dates of birth one year apart with the same day and month ({a} / {b}) — "
        "probably a typing error"
    ),
    "date_of_birth.one_year": "Date of birth one year apart ({a} / {b})",
    "date_of_birth.few_years": "Dates of birth {gap} years apart ({a} / {b})",
    "date_of_birth.far": "Dates of birth {gap} years apart ({a} / {b}) — too far for one person",
    "date_of_birth.missing": "The date of birth is missing on one record",
    "phone.same": "Same phone number",
    "phone.one_digit": "Phone numbers differ by one digit — possibly a typing error",
    "phone.different": "Different phone numbers",
    "phone.missing": "The phone number is missing on one record",
    "national_id.same": "Same national number",
    "national_id.one_digit": "National numbers differ by one digit — possibly a typing error",
    "national_id.different": "Different national numbers",
    "national_id.missing": "The national number is missing on one record",
    "passport_no.same": "Same passport number",
    "passport_no.one_digit": "Passport numbers differ by one character — possibly a typing error",
    "passport_no.different": "Different passport numbers",
    "passport_no.missing": "The passport number is missing on one record",
    "sex.same": "Same sex",
    "sex.different": "Different sex ({a} vs {b})",
    "sex.missing": "Sex is missing on one record",
    "nationality.same": "Same nationality ({a})",
    "nationality.different": "Different nationality ({a} vs {b})",
    "nationality.missing": "Nationality is missing on one record",
}


def explanation_template(field_name: str, level: str) -> str:
    """Return the message template for a field's level.

    Args:
        field_name: A record column (or ``full_name``).
        level: A level of that field, e.g. ``"exact"``.

    Returns:
        The template string with ``{placeholders}``.
    """
    return EXPLANATION_MESSAGES[f"{field_name}.{level}"]


@dataclasses.dataclass(frozen=True)
class FieldContribution:
    """One field's contribution to a pair's score.

    Attributes:
        field: Record column compared (``full_name`` for the whole nasab, order-free).
        level: Agreement level, e.g. ``"exact"``, ``"similar"``, ``"different"``, ``"missing"``.
        weight: Signed contribution to the log-odds of a match.
        message: Plain-English sentence for a registration officer.
        template: The :data:`EXPLANATION_MESSAGES` template the message was made from.
        params: Values filled into the template.
    """

    field: str
    level: str
    weight: float
    message: str
    template: str
    params: dict[str, str] = dataclasses.field(default_factory=dict)
