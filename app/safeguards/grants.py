"""PostgreSQL privileges of the service's own database role: everything it needs, and no
way to change or remove an audit event (nor to delete a custody record).

Migrations run as the schema's owner (`ddr db upgrade` with the owner's URL); the service
connects as an application role holding only these grants, applied again after every
upgrade (`ddr audit grants --role R --apply`). The append-only triggers stay as a second
line: the owner alone may drop them, and the audit chain shows what a dropped trigger let
through.
"""

from __future__ import annotations

import re

APPEND_ONLY = ("audit_event",)
"""Tables the application role may only read and insert into."""
NO_DELETE = ("custody_transfer", "transfer_item", "transfer_outcome", "custody_event",
             "destruction_event", "destruction_item", "stock_count", "stock_count_item")
"""Custody records: no delete (their triggers let through only a re-encryption)."""
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_grants(role: str) -> list[str]:
    """The statements that give an application role its privileges (ValueError for a role
    name that is not a plain lower-case identifier)."""
    if not _ROLE.match(role):
        raise ValueError("the role must be a plain lower-case identifier (a-z, 0-9, _)")
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
    ]
    statements += [f"REVOKE UPDATE, DELETE ON {table} FROM {role}" for table in APPEND_ONLY]
    statements += [f"REVOKE DELETE ON {table} FROM {role}" for table in NO_DELETE]
    return statements
