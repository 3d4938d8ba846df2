"""Reading a posted registration form: its fields, any number of weapon and dependant rows,
the officer's answers about likely duplicates, and every problem found at once."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.core.errors import FieldError
from app.core.strict import HIDDEN_CHARACTERS
from app.registry.schemas import RegistrationIn
from app.registry.validation import ascii_digits
from app.web.forms import DRAFT_FIELDS, N_, ROW_KINDS, SCALAR_FIELDS

_ROW_INPUT = re.compile(r"^(weapons|dependants)-(\d+)-(\w+)$")
_LANGUAGES = re.compile(r"[,،;]")
_DATES = ("date_joined", "date_left")
_PYDANTIC_MESSAGES = {
    "missing": N_("required"),
    "enum": N_("choose one of the options"),
    "literal_error": N_("choose one of the options"),
    "string_too_long": N_("too long"),
    "date_from_datetime_parsing": N_("use YYYY-MM-DD"),
    "date_parsing": N_("use YYYY-MM-DD"),
    "date_type": N_("use YYYY-MM-DD"),
    "int_parsing": N_("must be a whole number"),
    "greater_than_equal": N_("too small"),
    "less_than_equal": N_("too large"),
    "too_long": N_("too many"),
    "uuid_parsing": N_("the form is damaged; reload the page"),
    HIDDEN_CHARACTERS: N_("contains hidden control or direction characters; type it again"),
}
_CHOICES = ("category", "sex", "nationality")


@dataclass
class ParsedForm:
    """A posted form: what to show again, the request it makes, and what stops it."""

    values: dict[str, Any]
    """Every input as typed, rows numbered 0, 1, 2 ... in the order shown."""
    rows: dict[str, int]
    """How many rows of each kind to show."""
    data: RegistrationIn | None
    body: dict[str, Any]
    unreadable: set[str] = field(default_factory=set)
    """Fields of the request that could not be read (the business rules run without them)."""
    errors: list[FieldError] = field(default_factory=list)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def posted_rows(form: FormData) -> dict[str, list[dict[str, str]]]:
    """Each kind's rows as posted, in their order on the page."""
    found: dict[str, dict[int, dict[str, str]]] = {kind: {} for kind in ROW_KINDS}
    for key, value in form.multi_items():
        match = _ROW_INPUT.match(key)
        if match and isinstance(value, str):
            found[match[1]].setdefault(int(match[2]), {})[match[3]] = value.strip()
    return {kind: [rows[i] for i in sorted(rows)] for kind, rows in found.items()}


def row_action(form: FormData, rows: dict[str, list[dict[str, str]]]) -> bool:
    """Apply an add-a-row or remove-a-row button of the form posted without script; whether
    one was pressed (the form is then shown again, nothing saved)."""
    action = _text(form, "row")
    for kind in ROW_KINDS:
        if action == f"add-{kind}":
            rows[kind].append({})
            return True
        if action.startswith(f"remove-{kind}-") and action.rsplit("-", 1)[1].isdigit():
            index = int(action.rsplit("-", 1)[1])
            if index < len(rows[kind]):
                del rows[kind][index]
            return True
    return False


def read_form(form: FormData, rows: dict[str, list[dict[str, str]]] | None = None
              ) -> ParsedForm:
    """Read a posted form into a registration request, or the problems that stop it (named
    as the form's inputs, e.g. `weapons-1-rounds`)."""
    rows = posted_rows(form) if rows is None else rows
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)
                              and not _ROW_INPUT.match(k)}
    values["consent"] = _text(form, "consent") == "yes"
    body: dict[str, Any] = {name: _text(form, name) or None for name in SCALAR_FIELDS}
    for name in _DATES:
        body[name] = ascii_digits(body[name]) if body[name] else None
    languages = [part.strip() for part in _LANGUAGES.split(body.pop("languages") or "")]
    body["languages"] = [part for part in languages if part] or None
    body.update(id=_text(form, "id"), site=_text(form, "site"),
                person_id=_text(form, "person_id") or None,
                link_token=_text(form, "link_token") or None,
                consent=_text(form, "consent") == "yes")
    positions: dict[str, list[int]] = {}
    for kind, (fields, _key, _label) in ROW_KINDS.items():
        kept = [(i, row) for i, row in enumerate(rows[kind]) if any(row.values())]
        positions[kind] = [i for i, _ in kept]
        body[kind] = [{f.name: row[f.name] for f in fields if row.get(f.name)}
                      for _, row in kept]
        for i, row in enumerate(rows[kind]):
            values.update({f"{kind}-{i}-{name}": value for name, value in row.items()})
    for name in _CHOICES:
        body[name] = body[name] or ""
    counts = {kind: len(rows[kind]) for kind in ROW_KINDS}
    try:
        return ParsedForm(values, counts, RegistrationIn.model_validate(body), body)
    except ValidationError as exc:
        errors, unreadable = _problems(exc, positions)
        return ParsedForm(values, counts, None, body, unreadable, errors)


def _problems(exc: ValidationError, positions: dict[str, list[int]]
              ) -> tuple[list[FieldError], set[str]]:
    """Pydantic's errors as form inputs' errors, and the top-level fields they concern."""
    errors, unreadable = [], set()
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]]
        unreadable.add(loc[0] if loc else "form")
        if len(loc) >= 3 and loc[0] in positions and loc[1].isdigit():
            loc[1] = str(positions[loc[0]][int(loc[1])])
        kind = str(error.get("type", ""))
        message = _PYDANTIC_MESSAGES.get(kind, N_("invalid value"))
        if kind == "enum" or (kind == "string_too_short" and loc and loc[-1] in _CHOICES):
            message = N_("required") if error.get("input") in ("", None) else message
        errors.append(FieldError("-".join(loc) if loc else "form", message))
    return errors, unreadable


def pydantic_errors(exc: ValidationError) -> list[FieldError]:
    """Pydantic's errors as form inputs' errors (`weapons-0-rounds` style names)."""
    return _problems(exc, {})[0]


@dataclass
class DeskChoices:
    """The officer's answers about likely duplicates, as posted with the form."""

    link: tuple[uuid.UUID, str] | None = None
    """The person chosen (and the candidate token that allows the link)."""
    different: dict[uuid.UUID, str] = field(default_factory=dict)
    """Candidate registrations judged a different person, with the reason."""
    errors: list[FieldError] = field(default_factory=list)


def desk_choices(form: FormData) -> DeskChoices:
    """Read each likely duplicate's answer: `decide-<registration>` is `link` (with
    `person-<registration>` and `token-<registration>`) or `different` (with
    `reason-<registration>`)."""
    choices = DeskChoices()
    for key, value in form.multi_items():
        if not key.startswith("decide-") or not isinstance(value, str):
            continue
        ref = key.removeprefix("decide-")
        try:
            registration_id = uuid.UUID(ref)
        except ValueError:
            continue
        if value == "link":
            person = _text(form, f"person-{ref}")
            if choices.link is not None and str(choices.link[0]) != person:
                choices.errors.append(FieldError(
                    f"decide-{ref}", N_("link to one person only; the others are different "
                                        "persons")))
                continue
            try:
                choices.link = (uuid.UUID(person), _text(form, f"token-{ref}"))
            except ValueError:
                choices.errors.append(FieldError(f"decide-{ref}",
                                                 N_("the form is damaged; reload the page")))
        elif value == "different":
            reason = _text(form, f"reason-{ref}")
            if len(reason) < 3:
                choices.errors.append(FieldError(
                    f"reason-{ref}", N_("say why this is a different person")))
            else:
                choices.different[registration_id] = reason
    return choices


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


def draft_id(form: FormData) -> uuid.UUID | None:
    """The client UUID of the form (the draft's id), if well formed."""
    try:
        return uuid.UUID(_text(form, "id"))
    except ValueError:
        return None
