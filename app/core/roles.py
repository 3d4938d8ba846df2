"""Roles of the people who use the registry, and what each may do (checked by every service)."""

from enum import StrEnum


class Role(StrEnum):
    """What a user may do; sites narrow where."""

    admin = "admin"
    registration_officer = "registration_officer"
    supervisor = "supervisor"
    case_manager = "case_manager"
    committee = "committee"
    auditor = "auditor"
    weapons_officer = "weapons_officer"


# Roles that may read a participant's identifying data (always within their sites).
PII_READERS = frozenset({Role.admin, Role.registration_officer, Role.supervisor,
                         Role.case_manager})
# Roles that may enrol participants.
REGISTRARS = frozenset({Role.admin, Role.registration_officer, Role.supervisor})
# Roles that may correct a registration or record a weapon handover.
EDITORS = frozenset({Role.admin, Role.registration_officer, Role.supervisor, Role.case_manager})
# Roles that review candidate duplicates (within their sites).
REVIEWERS = frozenset({Role.admin, Role.registration_officer, Role.supervisor,
                       Role.case_manager})
# Roles that decide escalated pairs and confirm merges of persons with cases or benefits.
SUPERVISORS = frozenset({Role.admin, Role.supervisor})
# Roles that move weapons and ammunition in custody, count stocks and record destruction.
WEAPONS_OFFICERS = frozenset({Role.admin, Role.weapons_officer})
# Roles that see weapons in custody (with serials: an audited read), within their sites;
# registration officers hand collected weapons over to storage.
WEAPONS_READERS = frozenset({Role.admin, Role.weapons_officer, Role.supervisor,
                             Role.registration_officer})
# Roles that read the reconciliation report (ids and counts only), within their sites.
RECONCILERS = frozenset({Role.admin, Role.weapons_officer, Role.supervisor, Role.auditor})
# Roles that read the audit trail (never identifying data).
AUDIT_READERS = frozenset({Role.admin, Role.auditor})
# Roles that import registrations from files (rows only at their sites).
IMPORTERS = frozenset({Role.admin, Role.registration_officer, Role.supervisor})


class Authorisation(StrEnum):
    """What a user is explicitly authorised for beyond their role (granted by an admin)."""

    children = "children"
    """Sees and works the cases of children (no one else sees them, administrators too)."""
    gender = "gender"
    """Screens gender-specific needs and reads what that screening recorded."""
    returns_coordinator = "returns_coordinator"
    """Sees and works the return cases of every site; plans movements and exports manifests."""
