"""Form errors as sentences for people, naming each field by its label, in the page's
language ("The national number must have 12 digits.").

Services report a field and a short rule ("must be 12 digits"), never the value typed; the
form turns each pair into a sentence here. A rule without a sentence reads "Label: rule".
"""

from __future__ import annotations

import re

from app.core.roles import Role
from app.registry.enums import Category
from app.registry.validation import MAX_AGE, MIN_AGE
from app.web.forms import FORM_LABELS, N_, ROW_KINDS
from app.web.i18n import translations

SENTENCES: dict[str, str] = {
    N_("required"): N_("{field} is required."),
    N_("choose one of the options"): N_("Choose the {field} from the list."),
    N_("too long"): N_("The {field} is too long."),
    N_("too many"): N_("There are too many entries in {field}."),
    N_("use YYYY-MM-DD"): N_("Write the {field} as YYYY-MM-DD, for example 2019-06-30."),
    N_("must be a whole number"): N_("The {field} must be a whole number."),
    N_("too small"): N_("The {field} is too small."),
    N_("too large"): N_("The {field} is too large."),
    N_("invalid value"): N_("The {field} is not valid."),
    N_("the form is damaged; reload the page"): N_(
        "The form is damaged: reload the page and try again."),
    N_("use YYYY-MM-DD, or YYYY if only the year"): N_(
        "Write the {field} as YYYY-MM-DD, or the year alone if only the year is known."),
    N_("exact needs a full date of birth"): N_(
        "An exact date of birth needs the day and the month; otherwise choose year only or "
        "estimated."),
    N_("not a real calendar date"): N_("The {field} is not a real calendar date."),
    N_("not a phone number"): N_("The {field} is not a phone number."),
    N_("not a valid phone number"): N_("The {field} is not a valid phone number."),
    N_("must be 12 digits"): N_("The {field} must have 12 digits."),
    N_("first digit must be 1 (male) or 2 (female)"): N_(
        "The first digit of the {field} must be 1 (male) or 2 (female)."),
    N_("first digit does not match the sex"): N_(
        "The first digit of the {field} does not match the sex."),
    N_("digits 2-5 do not match the birth year"): N_(
        "Digits 2 to 5 of the {field} do not match the year of birth."),
    N_("digits 2-5 are not a possible birth year"): N_(
        "Digits 2 to 5 of the {field} are not a possible year of birth."),
    N_("only Libyan nationals have a National Number"): N_(
        "Only Libyan nationals have a national number."),
    N_("5-20 letters and digits"): N_("The {field} must have 5 to 20 letters and digits."),
    N_("must be an ISO 3166-1 alpha-3 code, e.g. LBY"): N_(
        "The {field} must be a three-letter country code, for example LBY."),
    N_("is in the future"): N_("The {field} is in the future."),
    f"age must be {MIN_AGE}-{MAX_AGE} at registration": N_(
        "The age at registration must be between 10 and 90 years."),
    N_("required (the year alone will do)"): N_(
        "The {field} is required (the year alone will do)."),
    N_("child is for people under 18 at registration"): N_(
        "The category child is for people under 18 at registration."),
    N_("a father's or family name is required"): N_(
        "A father's name or a family name is required."),
    N_("a Libyan combatant has nationality LBY"): N_(
        "A Libyan combatant has the nationality LBY."),
    N_("a foreign fighter is not of nationality LBY"): N_(
        "A foreign fighter cannot have the nationality LBY."),
    N_("not in the managed list of armed groups"): N_(
        "The {field} is not in the managed list: choose one from the list."),
    N_("is before date_joined"): N_("The {field} is before the date joined."),
    N_("the participant's consent is required"): N_("The participant's consent is required."),
    N_("unknown site code"): N_("Choose a registration site from the list."),
    N_("not yours"): N_("You may not register at this site."),
    N_("no such active person"): N_(
        "The person chosen to link to cannot be found; choose again."),
    N_("already used with other data"): N_(
        "This form was already saved with other data: start a new registration."),
    N_("already used"): N_("The {field} is already used."),
    N_("link to one person only; the others are different persons"): N_(
        "Link to one person only, and say why the others are different persons."),
    N_("say why this is a different person"): N_("Say why this is a different person."),
    **{f"required for {c.value}": N_("{field} is required for this category.")
       for c in Category},
    N_("must be at least 10 characters"): N_("The {field} must have at least 10 characters."),
    N_("must be 1-80 characters"): N_("The {field} must have 1 to 80 characters."),
    N_("must be ar or en"): N_("Choose the {field} from the list."),
    f"must be one of {', '.join(Role)}": N_("Choose the {field} from the list."),
    N_("officers, supervisors and case managers need at least one site"): N_(
        "Officers, supervisors and case managers need at least one site."),
    N_("already taken"): N_("This {field} is already taken."),
    N_("three capital letters, e.g. TRP"): N_(
        "The {field} must be three capital letters, for example TRP."),
    N_("a site with this code exists"): N_("A site with this code exists already."),
    N_("2-40 capital letters, digits, - or _"): N_(
        "The {field} must have 2 to 40 capital letters, digits, - or _."),
    N_("already in the list"): N_("This {field} is already in the list."),
    N_("the two passwords differ"): N_("The two passwords differ: type the same twice."),
}
OTHER_LABELS = {
    "username": N_("Username"), "password": N_("Password"),
    "password_again": N_("Password again"), "role": N_("Role"), "sites": N_("Sites"),
    "language": N_("Language"), "full_name": N_("Full name"), "code": N_("Code"),
    "name_en": N_("Name in English"), "name_ar": N_("Name in Arabic"), "region": N_("Region"),
    "aliases": N_("Aliases"), "reason": N_("Reason for the correction"),
    "value": N_("New value"),
    "current_password": N_("Current password"), "new_password": N_("New password"),
    "new_password_again": N_("New password again"), "active": N_("State"),
}
"""What the other forms' inputs are called (administration, corrections)."""
ROW_FIELD = N_("{field} of {row} {number}")
LIKELY = N_("Likely duplicate")
_ROW_INPUT = re.compile(r"^(weapons|dependants)-(\d+)-(\w+)$")


def label(name: str, language: str) -> str:
    """The label of a form input in a language (`weapons-1-rounds`: of which row)."""
    catalogue = translations(language)
    match = _ROW_INPUT.match(name)
    if match and match[1] in ROW_KINDS:
        fields, _key, row = ROW_KINDS[match[1]]
        names = {f.name: f.label for f in fields}
        row_name = catalogue.gettext(row)
        return catalogue.gettext(ROW_FIELD).format(
            field=catalogue.gettext(names.get(match[3], match[3])),
            row=row_name.lower() if language == "en" else row_name, number=int(match[2]) + 1)
    if name.startswith(("decide-", "reason-")):
        return catalogue.gettext(LIKELY)
    return catalogue.gettext(FORM_LABELS.get(name) or OTHER_LABELS.get(name, name))


def sentence(name: str, message: str, language: str) -> str:
    """One problem with one input as a sentence in a language."""
    catalogue = translations(language)
    field = label(name, language)
    template = SENTENCES.get(message)
    if template is None:
        return f"{field}: {catalogue.gettext(message)}"
    text = catalogue.gettext(template)
    if language == "en" and not text.startswith("{field}"):
        field = field[:1].lower() + field[1:]
    text = text.format(field=field)
    return text[:1].upper() + text[1:]
