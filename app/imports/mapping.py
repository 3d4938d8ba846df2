"""Which column of a file holds which field of a registration, and how its values read.

The record CSV's columns are recognised by name, also under a form's group prefix
(`identity/given_name`, `identity-given_name`), as are the KoBoToolbox and ODK Central
submission columns: the row's UUID (`_uuid`, `meta/instanceID`, `KEY`) keys it for
idempotency, and the submission time gives the registration date when the form has none.
Columns named as the registration form labels its fields, in Arabic or English
(`الاسم الأول`, `Date of birth`: :mod:`app.imports.names`), are recognised too, and so are
coded values written as the form shows them (`ذكر`, `مقاتل ليبي`) and countries by name
(`Libya`, `ليبيا`). Other headers are mapped by a mapping file (YAML) or on the upload
page::

    columns:                      # field: column header
      given_name: الاسم الأول
      family_name: identity/family
      record_id: _uuid
    values:                       # field: {value in the file: value stored}
      sex: {ذكر: M, أنثى: F}
      category: {combatant: libyan_combatant}
    defaults:                     # field: value for rows that leave it empty
      nationality: LBY
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.core.errors import FieldError, ValidationFailed
from app.imports.names import VALUE_NAMES, coded_value, header_fields, name_key

FIELDS: tuple[str, ...] = (
    "record_id", "site", "registered_on", "category", "sex", "date_of_birth", "dob_precision",
    "given_name", "father_name", "grandfather_name", "family_name", "mother_name", "alias",
    "place_of_birth", "nationality", "phone", "national_id", "passport_no", "armed_group",
    "rank", "unit", "date_joined", "date_left", "membership_verification",
    "verification_notes", "disability", "education", "occupation", "skills", "languages",
    "intended_return", "notes", "consent",
)
"""What a column can hold: the record CSV's fields, the registration's further fields, and
the participant's consent. `record_id` is the row's own identifier in the file."""
ROW_KEYS = ("_uuid", "meta/instanceid", "meta-instanceid", "instanceid", "key")
"""Columns of form exports holding the submission's UUID (compared case-insensitively)."""
DATE_COLUMNS = ("today", "start", "_submission_time", "submissiondate")
"""Form columns that give the registration date when no column is mapped to it."""
CODED = (*VALUE_NAMES, "nationality")
"""Fields whose values are read as :func:`app.imports.names.coded_value` reads them."""
YES = {"yes", "y", "true", "1", "ok", "agree", "agreed", "consent", "نعم", "موافق", "موافقة"}
NO = {"no", "n", "false", "0", "refused", "لا", "رفض"}
_SPLIT = re.compile(r"[/-]")


@dataclass
class ColumnMapping:
    """A file's columns as registration fields, with value translations and defaults."""

    columns: dict[str, str] = field(default_factory=dict)  # field → header
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    row_key: str | None = None  # header of the submission UUID column
    date_column: str | None = None  # header of the submission time column

    def to_yaml(self) -> str:
        """The mapping as a file to save and reuse."""
        body: dict[str, Any] = {"columns": dict(self.columns)}
        if self.values:
            body["values"] = self.values
        if self.defaults:
            body["defaults"] = self.defaults
        return yaml.safe_dump(body, allow_unicode=True, sort_keys=False)


def _candidates(header: str) -> list[str]:
    """The names a header may stand for: itself, then without its group prefixes."""
    name = header.strip().lower()
    names = [name]
    parts = _SPLIT.split(name)
    names += ["-".join(parts[i:]) for i in range(1, len(parts))]
    names += ["/".join(parts[i:]) for i in range(1, len(parts))]
    return list(dict.fromkeys(names))


def recognise(header: Sequence[str]) -> ColumnMapping:
    """The mapping of a header whose columns carry the record CSV's names (or a form's
    columns under those names), else a name the field is known by
    (:data:`app.imports.names.HEADER_NAMES`); a field named by several columns takes the
    first whose header is exactly its name, else the first."""
    mapping = ColumnMapping()
    exact: set[str] = set()
    unnamed: list[tuple[str, list[str]]] = []
    for column in header:
        names = _candidates(column)
        if mapping.row_key is None and names[0] in ROW_KEYS:
            mapping.row_key = column
            continue
        for name in names:
            if name in FIELDS and (name not in mapping.columns
                                   or (names[0] == name and name not in exact)):
                mapping.columns[name] = column
                if names[0] == name:
                    exact.add(name)
                break
        else:
            unnamed.append((column, names))
    known = header_fields()
    for column, names in unnamed:
        field_ = next((known[k] for k in map(name_key, names) if k in known), None)
        if field_ is not None and field_ not in mapping.columns:
            mapping.columns[field_] = column
    if "registered_on" not in mapping.columns:
        lowered = {h.strip().lower(): h for h in header}
        mapping.date_column = next((lowered[c] for c in DATE_COLUMNS if c in lowered), None)
    return mapping


def load(text: str, header: Sequence[str]) -> ColumnMapping:
    """Read a mapping file for a header; a field or a column it names that does not exist
    is an error naming it."""
    try:
        body = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        raise ValidationFailed([FieldError("mapping", "not a readable YAML file")]) from None
    if not isinstance(body, dict) or set(body) - {"columns", "values", "defaults"}:
        raise ValidationFailed([FieldError("mapping", "expects columns, values and defaults")])
    automatic = recognise(header)
    columns = _strings(body.get("columns") or {}, "columns")
    values = body.get("values") or {}
    defaults = _strings(body.get("defaults") or {}, "defaults")
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise ValidationFailed([FieldError("mapping", "values: a table per field")])
    errors = [FieldError(f"mapping.{name}", "not a field that can be imported")
              for name in [*columns, *values, *defaults] if name not in FIELDS]
    known = set(header)
    errors += [FieldError(f"mapping.{name}", "names a column the file does not have")
               for name, column in columns.items() if column not in known]
    if errors:
        raise ValidationFailed(errors)
    taken = set(columns.values())
    automatic.columns = {f: c for f, c in automatic.columns.items() if c not in taken}
    automatic.columns.update(columns)
    automatic.values = {f: {str(k).strip().casefold(): str(v) for k, v in table.items()}
                        for f, table in values.items()}
    automatic.defaults = defaults
    if "registered_on" in automatic.columns:
        automatic.date_column = None
    return automatic


def with_columns(base: ColumnMapping, header: Sequence[str], chosen: dict[str, str]
                 ) -> ColumnMapping:
    """A mapping whose columns are those chosen (field → column of the header; others
    dropped), keeping the value tables and defaults of `base`."""
    known = set(header)
    columns = {f: c for f, c in chosen.items() if f in FIELDS and c in known}
    lowered = {h.strip().lower(): h for h in header}
    date_column = None if "registered_on" in columns else next(
        (lowered[c] for c in DATE_COLUMNS if c in lowered), None)
    return ColumnMapping(columns=columns, values=base.values, defaults=base.defaults,
                         row_key=base.row_key, date_column=date_column)


def _strings(table: object, name: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ValidationFailed([FieldError(f"mapping.{name}", "a table of field: text")])
    return {str(k): str(v) for k, v in table.items() if v is not None}


@dataclass
class RowValues:
    """A row read through a mapping: the fields it gives, its submission UUID if any."""

    fields: dict[str, str | None]
    row_key: str | None
    consent: bool | None  # None: not recorded for this row


def read_row(mapping: ColumnMapping, header: Sequence[str], cells: Sequence[str]) -> RowValues:
    """The fields of one row (empty cells are missing; values translated, defaults filled)."""
    position = {h: i for i, h in enumerate(header)}

    def cell(column: str | None) -> str:
        index = position.get(column) if column is not None else None
        return cells[index].strip() if index is not None and index < len(cells) else ""

    values: dict[str, str | None] = {}
    for name, column in mapping.columns.items():
        raw = cell(column)
        table = mapping.values.get(name)
        if raw and table is not None:
            raw = table.get(raw.casefold(), raw)
        values[name] = raw or None
    for name, default in mapping.defaults.items():
        values[name] = values.get(name) or default
    for name in CODED:
        if values.get(name):
            values[name] = coded_value(name, str(values[name]))
    if not values.get("registered_on") and mapping.date_column is not None:
        values["registered_on"] = cell(mapping.date_column)[:10] or None
    consent = _consent(values.pop("consent", None))
    key = cell(mapping.row_key).lower().removeprefix("uuid:") or None
    return RowValues(values, key, consent)


def _consent(value: str | None) -> bool | None:
    if not value:
        return None
    text = value.strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def extra_cells(header: Sequence[str], cells: Sequence[str]) -> bool:
    """Whether a row has filled cells beyond its header's columns (a delimiter inside an
    unquoted value shifts every later cell)."""
    return any(c.strip() for c in cells[len(header):])
