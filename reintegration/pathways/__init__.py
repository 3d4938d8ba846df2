"""Every pathway definition, by key and version, and which pathway a registration opens.

A new version of a pathway is a new definition appended to its module's `PATHWAYS`; cases
keep the version they were opened on, new cases take the latest.
"""

from __future__ import annotations

from app.core.errors import NotFound
from reintegration.engine import Pathway, validate_pathway
from reintegration.pathways import child, reintegration, returns

DEFINITIONS: dict[tuple[str, int], Pathway] = {
    (p.key, p.version): p for module in (reintegration, child, returns) for p in module.PATHWAYS}
for _definition in DEFINITIONS.values():
    validate_pathway(_definition)

CASE_PATHWAY_OF_CATEGORY: dict[str, str | None] = {
    "libyan_combatant": "reintegration",
    "associated_civilian": "reintegration",
    "child": "child",
    "foreign_fighter": "return",
}
"""The case a registration of each (effective) category opens."""


def latest(key: str) -> Pathway:
    """The newest version of a pathway."""
    versions = [p for (k, _v), p in DEFINITIONS.items() if k == key]
    if not versions:
        raise NotFound(f"no pathway {key}")
    return max(versions, key=lambda p: p.version)


def definition(key: str, version: int) -> Pathway:
    """One version of a pathway (the one a case was opened on)."""
    found = DEFINITIONS.get((key, version))
    if found is None:
        raise NotFound(f"no pathway {key} version {version}")
    return found


def all_pathways() -> list[Pathway]:
    """Every definition, by key then version."""
    return [DEFINITIONS[k] for k in sorted(DEFINITIONS)]


def keys_visible_with() -> dict[str, str]:
    """Pathway keys whose cases need an authorisation to be seen at all, with it."""
    return {p.key: p.visible_with for p in DEFINITIONS.values() if p.visible_with}


def keys_all_sites_with() -> dict[str, str]:
    """Pathway keys whose cases an authorisation shows at every site, with it."""
    return {p.key: p.all_sites_with for p in DEFINITIONS.values() if p.all_sites_with}
