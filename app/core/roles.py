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
# Roles that import registrations from files (rows only at their sites).
IMPORTERS = frozenset({Role.admin, Role.registration_officer, Role.supervisor})
